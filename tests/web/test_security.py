"""Security of the pages: CSRF on every unsafe request, the CSP and friends on every page and
no inline script or style anywhere, cookie flags per setting, escaping, login rate limits,
dev pages off outside development."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from playwright.sync_api import Page, expect
from sqlalchemy import select
from tests.web.support import LiveServer, copy_database

from awardflow.db.models import Campaign, Nomination
from awardflow.settings import Settings, WebSettings
from awardflow.states import NominationState
from awardflow.web.pages import ROUTERS
from awardflow.web.pages.devmail import dev_pages_enabled
from awardflow.web.session import CSP


class InlineFinder(HTMLParser):
    """Collects what the CSP would block: inline scripts, style elements and attributes,
    event handler attributes, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k.lower(): v or "" for k, v in attrs}
        if tag == "script":
            self._in_script = True
            if not names.get("src", "").startswith("/static/"):
                self.problems.append(f"script without a /static src: {attrs}")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in names.items():
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}>")
            if name in ("href", "src", "action") and value.strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")
            if name.startswith("hx-on"):
                self.problems.append(f"{name} on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("inline script content")


def inline_problems(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.problems


def _token(page: Page) -> str:
    return page.locator("meta[name=csrf-token]").get_attribute("content") or ""


def _proposed(live: LiveServer, campaign_like: str) -> Nomination:
    with live.db.read() as s:
        nom = (
            s.execute(
                select(Nomination)
                .join(Campaign, Campaign.id == Nomination.campaign_id)
                .where(
                    Nomination.state == NominationState.PROPOSED,
                    Campaign.code.like(campaign_like),
                )
                .order_by(Nomination.id.desc())
            )
            .scalars()
            .first()
        )
        assert nom is not None
        return nom


def test_post_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing(
    page: Page, live: LiveServer, login_as: Callable[..., Any]
) -> None:
    nom = _proposed(live, "ha-noi%")
    login_as("appraiser", "hanoi")
    page.goto("/inbox")
    form = {"version": str(nom.version), "next": "/inbox"}
    url = f"/nominations/{nom.id}/actions/claim"
    for sent in ({}, {"csrf_token": "wrong-token"}, {"csrf_token": ""}):
        response = page.request.post(url, form={**form, **sent}, max_redirects=0)
        assert response.status == 403
        body = response.text()
        assert "thiếu mã chống giả mạo CSRF" in body and "missing CSRF token" in body
    header = page.request.post(url, form=form, headers={"X-CSRF-Token": "wrong"}, max_redirects=0)
    assert header.status == 403
    logout = page.request.post("/logout", form={}, max_redirects=0)
    assert logout.status == 403
    with live.db.read() as s:
        after = s.get(Nomination, nom.id)
        assert after is not None
        assert after.state is NominationState.PROPOSED and after.version == nom.version
    # the session survived the refused logout, and the right token (header, as htmx) works
    ok = page.request.post(url, form=form, headers={"X-CSRF-Token": _token(page)}, max_redirects=0)
    assert ok.status == 303
    with live.db.read() as s:
        after = s.get(Nomination, nom.id)
        assert after is not None and after.state is NominationState.IN_APPRAISAL


def test_a_cross_site_form_post_is_refused(
    page: Page, live: LiveServer, login_as: Callable[..., Any]
) -> None:
    """A page on another origin posting to awardflow: the browser does not send the Lax cookie,
    and there is no token either; nothing changes."""
    nom = _proposed(live, "lam-dong%")
    login_as("appraiser", "lamdong")
    evil = (
        f'<form id="f" method="post" action="{live.url}/nominations/{nom.id}/actions/claim">'
        f'<input name="version" value="{nom.version}"></form>'
    )
    page.route(
        "http://evil.example/", lambda route: route.fulfill(body=evil, content_type="text/html")
    )
    page.goto("http://evil.example/")
    with page.expect_navigation():
        page.evaluate("document.getElementById('f').submit()")
    assert page.url.startswith(live.url)
    with live.db.read() as s:
        after = s.get(Nomination, nom.id)
        assert after is not None and after.state is NominationState.PROPOSED


def _get_routes() -> list[str]:
    paths = []
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and "GET" in route.methods and "{" not in route.path:
                paths.append(route.path)
    return sorted(set(paths))


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_every_page_has_the_security_headers_and_no_inline_script_or_style(
    page: Page, live: LiveServer, login_as: Callable[..., Any], role: str
) -> None:
    anonymous = [page.request.get("/login"), page.request.get("/static/app.css")]
    login_as(role)
    paths = [*_get_routes(), "/no-such-page", "/dev/mail?name=nope.eml"]
    assert "/inbox" in paths and "/login" in paths
    checked = 0
    for path in paths:
        response = page.request.get(path, max_redirects=0)
        assert response.status < 500, (path, response.status)
        headers = response.headers
        assert headers.get("content-security-policy") == CSP, path
        assert headers.get("x-content-type-options") == "nosniff", path
        assert headers.get("referrer-policy") == "same-origin", path
        if headers.get("content-type", "").startswith("text/html"):
            assert inline_problems(response.text()) == [], path
            checked += 1
    assert checked >= 4
    for response in anonymous:
        assert response.headers.get("content-security-policy") == CSP
    api = page.request.get("/api/me")
    assert "content-security-policy" not in api.headers  # the API (and /docs) are left alone


def test_no_csp_violation_in_the_browser(
    page: Page, live: LiveServer, login_as: Callable[..., Any]
) -> None:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
    login_as("admin")
    for path in ("/inbox", "/dev/mail", "/login", "/no-such-page"):
        page.goto(path)
    assert not [m for m in messages if "Content Security Policy" in m], messages
    # htmx is loaded and configured from the meta tag (no inline styles injected)
    assert (
        page.evaluate("typeof htmx !== 'undefined' && htmx.config.includeIndicatorStyles") is False
    )


def test_login_form_escapes_what_was_typed(page: Page, live: LiveServer) -> None:
    live.reset_rate_limits()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    page.goto("/login")
    page.fill("#f-username", hostile)
    page.fill("#f-password", "x")
    page.click("form[action='/login'] button[type=submit]")
    expect(page.locator("#login-error")).to_be_visible()
    expect(page.locator("#f-username")).to_have_value(hostile)
    assert page.locator("main script, main img").count() == 0
    assert dialogs == []


def test_login_rate_limit_says_so_in_vietnamese(page: Page, live: LiveServer) -> None:
    live.reset_rate_limits()
    user = live.users("secretary")
    limit = live.settings.api.login_attempts_per_user
    page.goto("/login")
    for _ in range(limit):
        page.fill("#f-username", user.username)
        page.fill("#f-password", "wrong")
        page.click("form[action='/login'] button[type=submit]")
        expect(page.locator("#login-error")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.")
    page.fill("#f-username", user.username)
    page.fill("#f-password", user.password)  # even the right password waits now
    with page.expect_response(lambda r: r.url.endswith("/login")) as blocked:
        page.click("form[action='/login'] button[type=submit]")
    assert blocked.value.status == 429
    expect(page.locator("#login-error")).to_have_text(
        "Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút."
    )
    expect(page.locator("#f-username")).to_have_value(user.username)
    live.reset_rate_limits()


@pytest.fixture(scope="module")
def plain_http(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second server with ``web.secure_cookies`` off and the dev pages off."""
    work = tmp_path_factory.mktemp("web-plain")
    db = copy_database(demo_template, work / "awardflow.db")
    server = LiveServer(db, work, secure_cookies=False, dev_pages=False).start()
    yield server.url
    server.stop()


def test_cookie_flags_follow_the_settings(live: LiveServer, plain_http: str) -> None:
    with httpx.Client(base_url=live.url) as client:
        secure = client.get("/login").headers["set-cookie"]
    with httpx.Client(base_url=plain_http) as client:
        plain = client.get("/login").headers["set-cookie"]
        dev = client.get("/dev/mail", follow_redirects=False)
    for cookie in (secure, plain):
        assert cookie.startswith("awardflow_session=")
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
        assert "Max-Age=28800" in cookie
    assert "Secure" in secure and "Secure" not in plain
    assert dev.status_code == 303  # login first; after login it is a 404 (below)


def test_dev_pages_setting() -> None:
    assert dev_pages_enabled(Settings())  # base_url http://127.0.0.1:8000: awardflow up
    assert dev_pages_enabled(Settings(base_url="http://localhost:8000"))
    assert not dev_pages_enabled(Settings(base_url="https://tdkt.example.gov.vn"))
    assert not dev_pages_enabled(Settings(web=WebSettings(dev_pages=False)))
    assert dev_pages_enabled(
        Settings(base_url="https://tdkt.example.gov.vn", web=WebSettings(dev_pages=True))
    )


def test_dev_mail_is_not_found_when_dev_pages_are_off(
    browser: Any, plain_http: str, live: LiveServer
) -> None:
    context = browser.new_context(base_url=plain_http)
    try:
        page = context.new_page()
        user = live.users("admin")
        page.goto("/login")
        page.fill("#f-username", user.username)
        page.fill("#f-password", user.password)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url("**/admin")
        # plain http and no Secure flag: the session cookie still works
        assert not {c["name"]: c for c in context.cookies()}["awardflow_session"]["secure"]
        response = page.goto("/dev/mail")
        assert response is not None and response.status == 404
        expect(page.locator("h1")).to_have_text("Không tìm thấy")
    finally:
        context.close()
