"""Errors on pages become pages: the same error tree as the API (``awardflow.errors``), shown in
the layout with the reason in Vietnamese and English and the right status; for an htmx request,
just the reason box. The API's JSON handlers keep every ``/api`` path."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from awardflow.api.deps import Services
from awardflow.api.errors import status_of
from awardflow.errors import AwardflowError, Unauthenticated
from awardflow.web.deps import (
    LoginRequired,
    Visit,
    is_htmx,
    load_user,
    login_url,
    web_session,
)
from awardflow.web.render import RenderState, render
from awardflow.web.session import is_page_path

log = logging.getLogger("awardflow.web")

Handler = Callable[[Request, Exception], Awaitable[Response]]

_HTTP_TEXT: dict[int, tuple[str, str, str]] = {
    404: (
        "not_found",
        "Không tìm thấy trang này, hoặc bạn không có quyền xem.",
        "This page does not exist, or you may not see it.",
    ),
    405: ("method_not_allowed", "Thao tác này không được hỗ trợ.", "Method not allowed."),
    413: ("payload_too_large", "Dữ liệu gửi lên quá lớn.", "The request body is too large."),
}
_TITLES: dict[int, tuple[str, str]] = {
    403: ("Không được phép", "Not allowed"),
    404: ("Không tìm thấy", "Not found"),
    409: ("Không thực hiện được", "Could not be done"),
    422: ("Dữ liệu chưa hợp lệ", "Invalid input"),
    429: ("Thử lại sau", "Try again later"),
    500: ("Lỗi hệ thống", "Internal error"),
}


def _visit(request: Request, *, with_user: bool) -> Visit:
    svc = request.app.state.services
    assert isinstance(svc, Services)
    session = web_session(request)
    visit = Visit(request=request, svc=svc, session=session)
    if with_user and session.user_id is not None:
        try:
            found = load_user(svc, session.user_id)
        except Exception:  # the header is a nicety; the error page must still render
            log.exception("error page: could not load the user")
            found = None
        if found is not None:
            visit.actor, visit.user = found
    return visit


def error_page(
    request: Request,
    status: int,
    vi: str,
    en: str,
    *,
    code: str = "error",
    reasons: list[Any] | None = None,
    with_user: bool = True,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The error page (or, for htmx, the reason box) with ``status``."""
    visit = _visit(request, with_user=with_user)
    title = _TITLES.get(status, ("Không thực hiện được", "Could not be done"))
    template = "errors/_box.html" if visit.is_htmx else "errors/error.html"
    return visit.render(
        template,
        status=status,
        headers=headers,
        status_code=status,
        code=code,
        title_vi=title[0],
        title_en=title[1],
        message_vi=vi,
        message_en=en,
        reasons=reasons or [],
    )


def server_error_page(request: Request) -> Response:
    """The 500 page, rendered without touching the database."""
    try:
        return error_page(
            request,
            500,
            "Lỗi hệ thống; đã ghi nhận để xử lý. Hãy thử lại sau.",
            "Internal error; it has been logged. Try again later.",
            code="internal_error",
            with_user=False,
        )
    except Exception:
        log.exception("the 500 page itself failed")
        state = RenderState()
        return render("errors/plain500.html", {}, state, status=500)


def login_redirect(request: Request, next_path: str) -> Response:
    target = login_url(next_path)
    if is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _for_pages(original: Callable[..., Any] | None, page_handler: Handler) -> Handler:
    async def dispatch(request: Request, exc: Exception) -> Response:
        if is_page_path(request.url.path) or original is None:
            return await page_handler(request, exc)
        response = original(request, exc)
        if inspect.isawaitable(response):
            response = await response
        assert isinstance(response, Response)
        return response

    return dispatch


async def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AwardflowError)
    if isinstance(exc, Unauthenticated):
        return login_redirect(request, request.url.path)
    reasons = list(getattr(exc, "reasons", []) or [])
    retry = getattr(exc, "retry_after", None)
    return error_page(
        request,
        status_of(exc),
        exc.message_vi,
        exc.message_en,
        code=exc.code,
        reasons=reasons,
        headers={"Retry-After": str(retry)} if retry else None,
    )


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = [".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors()]
    names = ", ".join(f for f in fields if f) or "?"
    return error_page(
        request,
        422,
        f"Dữ liệu không hợp lệ ở: {names}.",
        f"Invalid input in: {names}.",
        code="invalid_input",
    )


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code, vi, en = _HTTP_TEXT.get(
        exc.status_code, ("http_error", "Yêu cầu không hợp lệ.", "Bad request.")
    )
    return error_page(request, exc.status_code, vi, en, code=code, headers=exc.headers)


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return login_redirect(request, exc.next_path)


def install(app: FastAPI) -> None:
    """Page paths get HTML error pages; ``/api`` keeps the handlers the API installed."""
    for key, handler in (
        (AwardflowError, _domain),
        (RequestValidationError, _validation),
        (StarletteHTTPException, _http),
    ):
        app.add_exception_handler(key, _for_pages(app.exception_handlers.get(key), handler))
    app.add_exception_handler(LoginRequired, _login_required)
