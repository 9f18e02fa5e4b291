"""The admin pages in real Chromium on the demo: a bad campaign file shows its line and field
and stores nothing, a good one shows its phases and rounds; a make-up working day; a user with a
role (and revoked); a unit; only an admin gets in. Typed values survive a refusal, and script
typed into text fields is shown as text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select
from tests.web.support import ROOT, LiveServer

from awardflow.db.models import CalendarOverride, Campaign, RoleGrant, Unit, User

XSS = "<script>alert(1)</script>"
SEED = ROOT / "campaigns" / "tuyen-quang-sngv-dmst-2026.yaml"


def _send(page: Page, form: Locator) -> int:
    """Submit without the browser's own checks (the server's are tested); the status."""
    form.evaluate("f => { f.noValidate = true; }")
    with page.expect_navigation() as nav:
        form.locator("button[type=submit]").click()
    response = nav.value
    assert response is not None
    return response.status


def _count(live: LiveServer, model: Any) -> int:
    with live.db.read() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def _upload(page: Page, name: str, text: str) -> int:
    form = page.locator("form.upload-form")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "application/yaml", "buffer": text.encode()}]
    )
    return _send(page, form)


def _watch_dialogs(page: Page) -> list[str]:
    seen: list[str] = []
    page.on("dialog", lambda d: (seen.append(d.message), d.dismiss()))
    return seen


def test_campaign_upload_bad_file_then_good_file(
    page: Page, login_as: Callable[..., Any], live: LiveServer, shot: Callable[..., Any]
) -> None:
    dialogs = _watch_dialogs(page)
    seed = SEED.read_text(encoding="utf-8")
    good = seed.replace("code: tuyen-quang-sngv-dmst-2026", "code: w4-upload-test", 1)
    good = good.replace("title: >-\n", f"title: >-\n  {XSS}\n", 1)
    bad = good.replace("council_by: 2026-12-05}", "council_by: 2026-02-30}", 1)
    before = _count(live, Campaign)
    login_as("admin")
    page.goto("/admin")
    expect(page.locator("h1")).to_have_text("Quản trị: phong trào thi đua")
    expect(page.locator("#campaigns tbody tr")).to_have_count(before)
    shot(page, "admin-campaigns")

    assert _upload(page, "bad.yaml", bad) == 422
    problem = page.locator("#problems tbody tr").first
    line = next(n for n, text in enumerate(bad.splitlines(), 1) if "2026-02-30" in text)
    expect(problem.locator(".problem-line")).to_have_text(str(line))
    expect(problem.locator(".problem-field")).to_have_text("rounds[0].dates.council_by")
    expect(problem).to_contain_text("cần một ngày dạng 2026-12-15")
    expect(problem).to_contain_text("expected a date like 2026-12-15")
    shot(page, "admin-campaign-upload-error")
    assert _count(live, Campaign) == before

    assert _upload(page, "good.yaml", good) == 200
    expect(page.locator(".flash-success")).to_have_text("Đã nạp good.yaml: phiên bản 1.")
    expect(page.locator("h1")).to_contain_text(XSS)  # the title, as text
    expect(page.locator("#phases tbody tr").first).to_contain_text("Giai đoạn 1")
    expect(page.locator("#rounds tbody")).to_contain_text("Khen thưởng hàng năm 2026")
    expect(page.locator("#rounds tbody")).to_contain_text("10/11/2026")
    expect(page.locator("#awards tbody")).to_contain_text("Giấy khen")
    shot(page, "admin-campaign", full_page=True)
    assert _count(live, Campaign) == before + 1
    assert dialogs == []


def test_calendar_make_up_day_unit_and_user_with_a_role(
    page: Page, login_as: Callable[..., Any], live: LiveServer, shot: Callable[..., Any]
) -> None:
    dialogs = _watch_dialogs(page)
    login_as("admin")
    page.goto("/admin/calendar")
    form = page.locator("form.calendar-form")
    form.locator("input[name=day]").fill("2027-01-11")  # a Monday: already a working day
    form.locator("select[name=kind]").select_option("workday")
    form.locator("input[name=note]").fill(XSS)
    assert _send(page, form) == 422
    form = page.locator("form.calendar-form")
    expect(form.locator(".error-text")).to_have_text("Ngày này vốn đã là ngày làm việc.")
    expect(form.locator("input[name=note]")).to_have_value(XSS)
    form.locator("input[name=day]").fill("2027-01-09")  # a Saturday, worked
    assert _send(page, form) == 200
    expect(page.locator(".flash-success")).to_have_text("Đã thêm: 09/01/2027 — Ngày làm việc bù.")
    expect(page.locator("#day-2027-01-09 td")).to_have_text(["09/01/2027", "Ngày làm việc bù", XSS])
    assert live.app.state.services.ctx.calendar.is_working_day(date(2027, 1, 9))
    assert _count(live, CalendarOverride) == 1
    shot(page, "admin-calendar")

    page.goto("/admin/units")
    form = page.locator("form.unit-form")
    form.locator("input[name=name]").fill(XSS)
    form.locator("input[name=code]").fill(XSS)
    assert _send(page, form) == 422
    form = page.locator("form.unit-form")
    expect(form.locator("#f-code-error")).to_contain_text("Mã đơn vị: 1–80 ký tự thường")
    expect(form.locator("input[name=name]")).to_have_value(XSS)
    expect(form.locator("input[name=code]")).to_have_value(XSS)
    form.locator("input[name=code]").fill("w4-xss-unit")
    assert _send(page, form) == 200
    expect(page.locator("#unit-tree")).to_contain_text(XSS)
    with live.db.read() as s:
        assert s.execute(select(Unit.name).where(Unit.code == "w4-xss-unit")).scalar_one() == XSS
    shot(page, "admin-units")

    page.goto("/admin/users")
    form = page.locator("form.user-form")
    form.locator("input[name=username]").fill("w4.new-appraiser")
    form.locator("input[name=full_name]").fill(XSS)
    form.locator("input[name=email]").fill(XSS)
    form.locator("input[name=password]").fill("short")
    assert _send(page, form) == 422
    form = page.locator("form.user-form")
    expect(form.locator("#f-password-error")).to_have_text("Mật khẩu cần ít nhất 8 ký tự.")
    expect(form.locator("#f-email-error")).to_have_text("Địa chỉ email không hợp lệ.")
    expect(form.locator("input[name=full_name]")).to_have_value(XSS)
    expect(form.locator("input[name=email]")).to_have_value(XSS)
    expect(form.locator("input[name=password]")).to_have_value("")
    shot(page, "admin-users")
    form.locator("input[name=email]").fill("w4@example.test")
    form.locator("input[name=password]").fill("mat-khau-du-dai")
    assert _send(page, form) == 200
    expect(page.locator("h1")).to_have_text(XSS)
    expect(page.locator(".flash-success")).to_contain_text("Đã tạo người dùng w4.new-appraiser.")
    grant = page.locator("form.grant-form")
    grant.locator("select[name=role]").select_option("appraiser")
    office = "Văn phòng Sở"
    value = grant.locator("select[name=unit_id] option", has_text=office).first.get_attribute(
        "value"
    )
    grant.locator("select[name=unit_id]").select_option(value)
    assert _send(page, grant) == 200
    expect(page.locator(".flash-success")).to_have_text("Đã cấp vai trò.")
    expect(page.locator("#grants tbody tr")).to_have_count(1)
    expect(page.locator("#grants tbody tr")).to_contain_text("Chuyên viên thẩm định")
    shot(page, "admin-user")
    with live.db.read() as s:
        user_id = s.execute(select(User.id).where(User.username == "w4.new-appraiser")).scalar_one()
        assert s.execute(select(RoleGrant.role).where(RoleGrant.user_id == user_id)).all()
    with page.expect_navigation():
        page.locator("#grants form button").click()
    expect(page.locator(".flash-success")).to_have_text("Đã thu hồi vai trò.")
    expect(page.locator("#grants")).to_have_count(0)
    assert dialogs == []


def test_only_an_admin_gets_in(
    page: Page, login_as: Callable[..., Any], live: LiveServer, tmp_path: Path
) -> None:
    login_as("director")
    expect(page.locator("nav.main-nav")).not_to_contain_text("Quản trị")
    page.goto("/admin/calendar")
    expect(page.locator("h1")).to_have_text("Không được phép")
    token = page.get_attribute("meta[name=csrf-token]", "content") or ""
    forced = page.request.post(
        "/admin/calendar",
        form={"csrf_token": token, "day": "2027-03-06", "kind": "workday", "note": "x"},
    )
    assert forced.status == 403
    page.set_content(forced.text())
    expect(page.locator("main")).to_contain_text("Trang này dành cho: Quản trị hệ thống.")
    with live.db.read() as s:
        assert s.get(CalendarOverride, date(2027, 3, 6)) is None
