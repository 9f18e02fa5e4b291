"""What a page handler gets: ``Page`` (logged in: services, session, actor, user, language) or
``Visit`` (anyone: the login page), both able to ``render`` a template, ``flash`` a message
and ``redirect``; ``page_router()`` for a page module's router.

    from awardflow.web.deps import PageCtx, page_router

    router = page_router()

    @router.get("/appraiser")
    def queue(page: PageCtx) -> Response:
        page.require(Role.APPRAISER)
        with page.svc.db.read() as s:
            rows = ...
        return page.render("appraiser/queue.html", rows=rows)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from awardflow.api.deps import Services, services
from awardflow.db.repositories import org as org_repo
from awardflow.db.repositories import web_inbox
from awardflow.errors import AwardflowError, Forbidden
from awardflow.services.actors import actor_for_user
from awardflow.states import Actor, Role
from awardflow.web import i18n
from awardflow.web.render import RenderState, render
from awardflow.web.session import Flash, WebSession

log = logging.getLogger("awardflow.web")


@dataclass(frozen=True)
class NavItem:
    path: str
    vi: str
    en: str
    roles: frozenset[Role]


#: The areas in the header, in order; a user sees those one of their roles opens. The first
#: one a user may open is their home (``/``).
NAV: tuple[NavItem, ...] = (
    NavItem("/director", "Giám đốc", "Director", frozenset({Role.DIRECTOR})),
    NavItem("/supervisor", "Giám sát", "Supervision", frozenset({Role.SUPERVISOR})),
    NavItem("/appraiser", "Thẩm định", "Appraisal", frozenset({Role.APPRAISER})),
    NavItem(
        "/council",
        "Hội đồng",
        "Council",
        frozenset({Role.COUNCIL_SECRETARY, Role.COUNCIL_MEMBER}),
    ),
    NavItem(
        "/unit", "Hồ sơ đơn vị", "Unit nominations", frozenset({Role.UNIT_CLERK, Role.UNIT_HEAD})
    ),
    NavItem("/authority", "Cấp có thẩm quyền", "Authority", frozenset({Role.AUTHORITY})),
    NavItem("/admin", "Quản trị", "Administration", frozenset({Role.ADMIN})),
    NavItem(
        "/reports",
        "Báo cáo",
        "Reports",
        frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.COUNCIL_SECRETARY, Role.ADMIN}),
    ),
)


@dataclass(frozen=True)
class CurrentUser:
    """The logged-in user as the header shows them."""

    id: int
    username: str
    full_name: str
    roles: tuple[Role, ...]
    units: tuple[str, ...]
    unread: int

    def has(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    def nav(self) -> list[NavItem]:
        return [item for item in NAV if self.has(*item.roles)]

    def home(self) -> str:
        items = self.nav()
        return items[0].path if items else "/inbox"


class LoginRequired(Exception):
    """No (valid) session: the handler redirects to /login?next=…"""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


_SAFE_NEXT = re.compile(r"^/(?![/\\])[^\s\\]*$")


def safe_next(value: str | None, default: str = "/") -> str:
    """``value`` when it is a path on this site (``/x?y``), else ``default``: never another host."""
    if not value or not _SAFE_NEXT.match(value) or any(ord(c) < 32 for c in value):
        return default
    return value


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


@dataclass(kw_only=True)
class _Context:
    request: Request
    svc: Services
    session: WebSession
    _flashes: list[Flash] | None = field(default=None, repr=False)

    @property
    def lang(self) -> str:
        return self.session.lang

    def header_user(self) -> CurrentUser | None:
        return None

    def t(self, vi: str, en: str) -> str:
        return i18n.t(self.lang, vi, en)

    def now(self) -> datetime:
        return self.svc.now()

    def flash(self, vi: str, en: str, kind: str = "success") -> None:
        """A message shown on the next page rendered (after a redirect)."""
        self.session.flash(vi, en, kind)

    def error_flash(self, err: AwardflowError) -> None:
        self.session.flash(err.message_vi, err.message_en, "error")

    @property
    def is_htmx(self) -> bool:
        return is_htmx(self.request)

    def render_state(self) -> RenderState:
        query = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        return RenderState(
            lang=self.lang,
            csrf=self.session.csrf_token(),
            path=self.request.url.path,
            query=query,
        )

    def render(
        self,
        template: str,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """Render ``template`` with ``context`` plus ``page``, ``user``, ``lang``, ``flashes``
        and ``htmx`` (True for an htmx request: render a fragment)."""
        if self._flashes is None:
            self._flashes = self.session.pop_flashes()
        base = {
            "page": self,
            "user": self.header_user(),
            "lang": self.lang,
            "flashes": self._flashes,
            "request": self.request,
            "htmx": self.is_htmx,
        }
        state = self.render_state()
        return render(template, {**base, **context}, state, status=status, headers=headers)

    def redirect(self, url: str, status: int = 303) -> Response:
        """Go to ``url`` (a local path); for an htmx request, a full navigation (HX-Redirect)."""
        target = safe_next(url)
        if self.is_htmx:
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=status)


@dataclass(kw_only=True)
class Visit(_Context):
    """Anyone's request to a page (logged in or not: ``user`` may be None)."""

    user: CurrentUser | None = None
    actor: Actor | None = None

    def header_user(self) -> CurrentUser | None:
        return self.user


@dataclass(kw_only=True)
class Page(_Context):
    """A logged-in user's request: ``actor`` (grants, for the services) and ``user`` (header)."""

    user: CurrentUser
    actor: Actor

    def header_user(self) -> CurrentUser | None:
        return self.user

    def require(self, *roles: Role) -> None:
        """403 (a page saying which role is needed) unless the user holds one of ``roles``."""
        if not self.user.has(*roles):
            needed_vi = ", ".join(i18n.role_label("vi", r) for r in roles)
            needed_en = ", ".join(i18n.role_label("en", r) for r in roles)
            raise Forbidden(
                f"Trang này dành cho: {needed_vi}.",
                f"This page is for: {needed_en}.",
                code="role_required",
            )


def web_session(request: Request) -> WebSession:
    session = getattr(request.state, "web_session", None)
    if not isinstance(session, WebSession):  # a route outside WebMiddleware's paths
        session = WebSession()
        request.state.web_session = session
    return session


def _next_of(request: Request) -> str:
    path = request.url.path
    if request.method != "GET":
        referer = request.headers.get("referer", "")
        host = f"{request.url.scheme}://{request.url.netloc}"
        return safe_next(referer.removeprefix(host)) if referer.startswith(host) else "/"
    return path + (f"?{request.url.query}" if request.url.query else "")


def load_user(svc: Services, user_id: int) -> tuple[Actor, CurrentUser] | None:
    """The actor (from the grants) and the header's view of the user; None if inactive/gone."""
    with svc.db.read() as s:
        user = org_repo.user(s, user_id)
        if user is None or not user.active:
            return None
        actor = actor_for_user(s, user_id)
        grants = list(user.grants)
        roles = tuple(r for r in Role if any(g.role is r for g in grants))
        units = tuple(dict.fromkeys(g.unit.name for g in grants))
        current = CurrentUser(
            id=user.id,
            username=user.username,
            full_name=user.full_name,
            roles=roles,
            units=units,
            unread=web_inbox.unread_count(s, user.id),
        )
    return actor, current


def visit_context(request: Request, svc: Annotated[Services, Depends(services)]) -> Visit:
    session = web_session(request)
    visit = Visit(request=request, svc=svc, session=session)
    if session.user_id is not None:
        found = load_user(svc, session.user_id)
        if found is not None:
            visit.actor, visit.user = found
    return visit


def page_context(request: Request, svc: Annotated[Services, Depends(services)]) -> Page:
    session = web_session(request)
    found = load_user(svc, session.user_id) if session.user_id is not None else None
    if found is None:
        if session.user_id is not None:
            session.clear()
        raise LoginRequired(_next_of(request))
    actor, user = found
    return Page(request=request, svc=svc, session=session, user=user, actor=actor)


PageCtx = Annotated[Page, Depends(page_context)]
VisitCtx = Annotated[Visit, Depends(visit_context)]


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(safe_next(next_path), safe="/")


class PageRoute(APIRoute):
    """A page route: an unexpected exception becomes the HTML 500 page (logged), never JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except (AwardflowError, LoginRequired):
                raise
            except (HTTPException, RequestValidationError):
                raise
            except Exception:
                log.exception("page error on %s %s", request.method, request.url.path)
                from awardflow.web.errors import server_error_page

                return server_error_page(request)

        return run


def page_router(**kwargs: Any) -> APIRouter:
    """The router of a page module (``include_in_schema=False``: pages are not the API)."""
    return APIRouter(route_class=PageRoute, include_in_schema=False, **kwargs)
