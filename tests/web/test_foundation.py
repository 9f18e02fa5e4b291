"""The foundation in real Chromium: login, header, role home, language switch, session cookie,
the action helper, error pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import Response
from playwright.sync_api import Page, expect
from sqlalchemy import select
from tests.web.support import LiveServer

from awardflow.db.models import Campaign, Nomination
from awardflow.states import NominationState, Role
from awardflow.web.deps import PageCtx, page_router


def test_login_wrong_password_shows_vietnamese_error_and_keeps_user_name(
    page: Page, live: LiveServer, shot: Callable[..., Any]
) -> None:
    live.reset_rate_limits()
    user = live.users("appraiser")
    page.goto("/")
    assert page.url.endswith("/login?next=/")
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    shot(page, "auth-login")
    page.fill("#f-username", user.username)
    page.fill("#f-password", "not-the-password")
    page.click("form[action='/login'] button[type=submit]")
    expect(page.locator("#login-error")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.")
    expect(page.locator("#f-username")).to_have_value(user.username)
    expect(page.locator("#f-password")).to_have_value("")
    shot(page, "auth-login-error")


def test_login_goes_to_the_role_home_with_name_role_and_unit_in_the_header(
    page: Page, login_as: Callable[..., Any], live: LiveServer
) -> None:
    user = login_as("appraiser", form=True)
    assert page.url.endswith("/appraiser")
    who = page.locator("#who")
    expect(who).to_contain_text(user.full_name)
    expect(who).to_contain_text("Chuyên viên thẩm định")
    expect(who).to_contain_text("Phòng Tổ chức cán bộ")
    nav = page.locator("nav.main-nav a")
    expect(nav).to_have_text(["Thẩm định"])


def test_director_sees_the_areas_of_each_role_held(
    page: Page, login_as: Callable[..., Any]
) -> None:
    login_as("director")
    assert page.url.endswith("/director")
    expect(page.locator("nav.main-nav a")).to_have_text(["Giám đốc", "Hội đồng", "Báo cáo"])


def test_language_switch_changes_texts_and_is_remembered(
    page: Page, login_as: Callable[..., Any]
) -> None:
    login_as("supervisor")
    page.goto("/inbox")
    expect(page.locator("h1")).to_have_text("Thông báo")
    page.click("nav.lang-switch a[lang=en]")
    expect(page.locator("h1")).to_have_text("Inbox")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#who")).to_contain_text("Supervisor")
    page.goto("/inbox")  # no ?lang: the choice is kept in the session
    expect(page.locator("nav.main-nav a").first).to_have_text("Supervision")
    page.click("nav.lang-switch a[lang=vi]")
    expect(page.locator("h1")).to_have_text("Thông báo")


def test_session_cookie_flags_and_logout(page: Page, login_as: Callable[..., Any]) -> None:
    login_as("clerk", form=True)
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["awardflow_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    assert session["secure"] is True  # and Chromium keeps sending it to http://127.0.0.1
    page.goto("/inbox")
    assert page.url.endswith("/inbox")
    with page.expect_response(lambda r: r.url.endswith("/logout")) as logout:
        page.click("form.logout-form button")
    cleared = logout.value.header_value("set-cookie") or ""
    assert cleared.startswith("awardflow_session=;") and "Max-Age=0" in cleared
    expect(page.locator(".flash")).to_have_text("Bạn đã đăng xuất.")
    page.goto("/inbox")
    assert page.url.endswith("/login?next=/inbox")


def test_next_only_goes_to_local_paths(page: Page, live: LiveServer) -> None:
    live.reset_rate_limits()
    user = live.users("supervisor")
    page.goto("/login?next=//evil.example/x")
    page.fill("#f-username", user.username)
    page.fill("#f-password", user.password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/supervisor")
    assert page.url.startswith(live.url)


def test_unknown_page_is_a_404_page_in_the_layout(page: Page, login_as: Callable[..., Any]) -> None:
    login_as("appraiser")
    response = page.goto("/no-such-page")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Không tìm thấy")
    expect(page.locator("#who")).to_be_visible()
    api = page.request.get("/api/no-such")
    assert api.status == 404 and api.json()["error"] == "not_found"


def _nomination(live: LiveServer, state: NominationState) -> Nomination:
    with live.db.read() as s:
        return (
            s.execute(
                select(Nomination)
                .join(Campaign, Campaign.id == Nomination.campaign_id)
                .where(Nomination.state == state, Campaign.code.like("dien-bien%"))
                .order_by(Nomination.id)
            )
            .scalars()
            .first()
        )  # type: ignore[return-value]


def test_action_helper_fires_through_the_transition_service_or_shows_the_reason(
    page: Page, login_as: Callable[..., Any], live: LiveServer
) -> None:
    nom = _nomination(live, NominationState.PROPOSED)
    login_as("appraiser")
    page.goto("/inbox")
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    # a refused action: the appraiser may not decide; the reason in vi and en, nothing changed
    refused = page.request.post(
        f"/nominations/{nom.id}/actions/decide",
        form={
            "csrf_token": token or "",
            "version": str(nom.version),
            "next": "/inbox",
            "comment": "<script>alert(1)</script>",
        },
        max_redirects=0,
    )
    assert refused.status == 409
    assert "Không thể" in refused.text() and "Cannot" in refused.text()
    # the typed comment is kept, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in refused.text()
    assert "<script>alert(1)" not in refused.text()
    # a stale version is a 409 with the current version named
    stale = page.request.post(
        f"/nominations/{nom.id}/actions/claim",
        form={"csrf_token": token or "", "version": str(nom.version + 7), "next": "/inbox"},
        max_redirects=0,
    )
    assert stale.status == 409 and "phiên bản hiện tại" in stale.text()
    # for htmx: the reason box alone, with the same status
    htmx = page.request.post(
        f"/nominations/{nom.id}/actions/decide",
        form={"version": str(nom.version), "next": "/inbox"},
        headers={"HX-Request": "true", "X-CSRF-Token": token or ""},
        max_redirects=0,
    )
    assert htmx.status == 409
    assert 'id="refused"' in htmx.text() and "<html" not in htmx.text()
    with live.db.read() as s:
        assert s.get(Nomination, nom.id).state is NominationState.PROPOSED  # type: ignore[union-attr]
    # the claim itself: 303 back with a flash
    done = page.request.post(
        f"/nominations/{nom.id}/actions/claim",
        form={"csrf_token": token or "", "version": str(nom.version), "next": "/inbox"},
        max_redirects=0,
    )
    assert done.status == 303 and done.headers["location"] == "/inbox"
    page.goto("/inbox")
    expect(page.locator(".flash-success")).to_contain_text("Nhận hồ sơ")
    with live.db.read() as s:
        after = s.get(Nomination, nom.id)
        assert after is not None and after.state is NominationState.IN_APPRAISAL


def test_unexpected_errors_and_missing_roles_are_pages_not_traces(
    page: Page, login_as: Callable[..., Any], live: LiveServer
) -> None:
    router = page_router()

    @router.get("/test-only/boom")
    def boom(p: PageCtx) -> Response:
        raise RuntimeError("secret internals")

    @router.get("/test-only/admin")
    def admin_only(p: PageCtx) -> Response:
        p.require(Role.ADMIN)
        return p.render("errors/plain500.html")

    live.app.include_router(router)
    login_as("appraiser")
    response = page.goto("/test-only/boom")
    assert response is not None and response.status == 500
    expect(page.locator("h1")).to_have_text("Lỗi hệ thống")
    assert "secret internals" not in page.content() and "Traceback" not in page.content()
    response = page.goto("/test-only/admin")
    assert response is not None and response.status == 403
    expect(page.locator("#refused")).to_contain_text("Trang này dành cho: Quản trị hệ thống.")
    expect(page.locator("#refused")).to_contain_text("This page is for: Administrator.")
