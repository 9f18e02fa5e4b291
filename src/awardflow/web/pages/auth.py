"""Log in (user name and password, rate-limited like the API's login), log out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.responses import Response

from awardflow.api.auth import check_login_rate
from awardflow.errors import TooManyRequests, Unauthenticated
from awardflow.services import auth as auth_service
from awardflow.web.deps import VisitCtx, page_router, safe_next

router = page_router()

MAX_FIELD = 200


@router.get("/login")
def login_form(visit: VisitCtx, next: str = "/", logged_out: bool = False) -> Response:
    if visit.user is not None:
        return visit.redirect(safe_next(next, visit.user.home()))
    if logged_out:
        visit.flash("Bạn đã đăng xuất.", "You have logged out.", "info")
    return visit.render("auth/login.html", next=safe_next(next), username="", error=None)


@router.post("/login")
def login(
    visit: VisitCtx,
    username: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    password: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    username = username.strip()
    target = safe_next(next)
    if not username or not password:
        error = visit.t("Hãy nhập tên đăng nhập và mật khẩu.", "Enter your user name and password.")
        return visit.render(
            "auth/login.html", status=422, next=target, username=username, error=error
        )
    try:
        check_login_rate(visit.svc, visit.request, username)
        with visit.svc.db.write() as s:
            user_id = auth_service.authenticate(s, username, password).id
    except (Unauthenticated, TooManyRequests) as err:
        status = 429 if isinstance(err, TooManyRequests) else 401
        retry = getattr(err, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry else None
        return visit.render(
            "auth/login.html",
            status=status,
            headers=headers,
            next=target,
            username=username,
            error=visit.t(err.message_vi, err.message_en),
        )
    visit.session.login(user_id)
    return visit.redirect(target)


@router.post("/logout")
def logout(visit: VisitCtx) -> Response:
    lang = visit.lang
    visit.session.clear()
    return visit.redirect(f"/login?logged_out=1&lang={lang}")
