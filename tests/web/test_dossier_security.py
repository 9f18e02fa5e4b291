"""The unit and dossier forms under misuse, in real Chromium on demo data: markup typed into
every text field is shown as text and never runs; a file that only claims to be a PDF is
refused with the reason; a refused form keeps what was typed; two people editing the same
draft get a conflict, not a silent overwrite; a user sees no button for what they may not do,
and forcing the request gives the reason; other units' dossiers and files are not found."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select
from tests.web.support import DESKTOP, LiveServer

from awardflow.db.models import Campaign, Evidence, Nomination, Person, RoleGrant, User
from awardflow.states import NominationState

CLOCK = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Hà Nội's annual-2026 round is open
XSS = "<script>alert(1)</script>"
IMG_NAME = "<img src=x onerror=alert(1)>.pdf"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
FAKE_PDF = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(scope="module")
def live(live: LiveServer) -> Iterator[LiveServer]:
    services = live.app.state.services
    before = services.clock
    services.clock = lambda: CLOCK
    yield live
    services.clock = before


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    """Every alert/confirm the page opens (none may come from typed markup)."""
    seen: list[str] = []

    def record(dialog: Any) -> None:
        seen.append(dialog.message)
        if dialog.type == "confirm":  # the page's own "are you sure?" (data-confirm)
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", record)
    return seen


def _switch(page: Page, login_as: Callable[..., Any], who: str, *args: Any) -> Any:
    if page.locator("form.logout-form button").count():
        page.click("form.logout-form button")
    return login_as(who, *args)


def _person(live: LiveServer, username: str, code_suffix: str) -> int:
    with live.db.read() as s:
        unit_id = s.execute(
            select(RoleGrant.unit_id).join(User).where(User.username == username)
        ).scalar_one()
        stmt = select(Person.id).where(
            Person.unit_id == unit_id, Person.code.like(f"%{code_suffix}")
        )
        return int(s.execute(stmt).scalar_one())


def _new_draft(page: Page, person_id: int, text: str = XSS) -> int:
    page.goto("/unit/new")
    page.select_option("#f-person_id", str(person_id))
    for field in ("nominee_name", "achievement", "achievement_key", "initiative_ids"):
        page.fill(f"#f-{field}", text)
    page.click("#create-button")
    expect(page.locator(".flash-success")).to_contain_text("Đã lập hồ sơ #")
    return int(page.url.split("/")[-1].split("#")[0])


def _csrf(page: Page) -> str:
    return page.locator("meta[name=csrf-token]").get_attribute("content") or ""


def _demo_nomination(live: LiveServer, state: NominationState, campaign: str) -> Nomination:
    with live.db.read() as s:
        stmt = (
            select(Nomination)
            .join(Campaign, Campaign.id == Nomination.campaign_id)
            .where(Nomination.state == state, Campaign.code.like(f"{campaign}%"))
            .order_by(Nomination.id)
        )
        return s.execute(stmt).scalars().first()  # type: ignore[return-value]


def test_markup_in_every_text_field_is_shown_as_text(
    page: Page, live: LiveServer, login_as: Callable[..., Any], dialogs: list[str]
) -> None:
    clerk = live.users("clerk", "hanoi")
    login_as(clerk.username)
    nid = _new_draft(page, _person(live, clerk.username, "/cb-004"))
    expect(page.locator("#dossier-title")).to_contain_text(XSS)
    expect(page.locator("#achievement-text")).to_have_text(XSS)
    facts = page.locator("#content dl.facts")
    expect(facts).to_contain_text(XSS)
    assert page.locator("script:has-text('alert(1)')").count() == 0
    # the edit form shows the values back in its fields, as values
    page.click("#edit-link")
    expect(page.locator("#f-achievement")).to_have_value(XSS)
    expect(page.locator("#f-initiative_ids")).to_have_value(XSS)
    page.fill("#f-achievement", XSS + " (sửa)")
    page.click("#save-button")
    expect(page.locator("#achievement-text")).to_have_text(XSS + " (sửa)")
    # a file name with markup
    page.set_input_files(
        "#f-evidence-file",
        files=[
            {
                "name": "<img src=x onerror=alert(1)>.pdf",
                "mimeType": "application/pdf",
                "buffer": PDF,
            }
        ],
    )
    page.click("#upload-button")
    expect(page.locator("#evidence-list")).to_contain_text(IMG_NAME)
    assert page.locator("#evidence-list img").count() == 0
    # an action's reason: the head withdraws the draft with markup as the reason
    _switch(page, login_as, live.users("head", "hanoi").username)
    page.goto(f"/nominations/{nid}")
    page.fill("#act-withdraw-comment", XSS)
    page.click("#act-withdraw-button")
    expect(page.locator(".dossier-state .badge[data-state]")).to_have_text("Đã rút")
    expect(page.locator("#timeline li[data-trigger='withdraw'] .timeline-comment")).to_have_text(
        XSS
    )
    # the checklist's notes and the return reason, by the appraiser of a demo dossier
    nom = _demo_nomination(live, NominationState.IN_APPRAISAL, "ha-noi")
    with live.db.read() as s:
        assignee = s.get(User, nom.assignee_id).username  # type: ignore[union-attr]
    _switch(page, login_as, assignee)
    page.goto(f"/nominations/{nom.id}")
    page.locator("#checklist-form textarea").first.fill(XSS)
    page.locator("#checklist-form input[type=radio][value='0']").first.check()
    page.click("#checklist-save")
    expect(page.locator("#checklist-form textarea").first).to_have_value(XSS)
    expect(page.locator("#timeline li[data-trigger='checklist']").first).to_contain_text(XSS)
    page.fill("#act-return_to_unit-comment", XSS)
    page.click("#act-return_to_unit-button")
    expect(page.locator("#return-reason")).to_have_text(XSS)
    # the decision number, by the director on a council-approved demo dossier
    approved = _demo_nomination(live, NominationState.COUNCIL_APPROVED, "dien-bien")
    _switch(page, login_as, "director", "dienbien")
    page.goto(f"/nominations/{approved.id}")
    page.fill("#act-decide-number", XSS)
    page.click("#act-decide-button")
    expect(page.locator(".dossier-state .badge[data-state]")).to_have_text("Được khen thưởng")
    expect(page.locator("#dossier-facts")).to_contain_text(f"Số {XSS}")
    assert page.locator("script:has-text('alert(1)')").count() == 0
    assert dialogs == ["Rút hồ sơ này? Không thể hoàn tác."]


def test_a_fake_pdf_is_refused_with_the_reason_and_nothing_is_stored(
    page: Page, live: LiveServer, login_as: Callable[..., Any], shot: Callable[..., Any]
) -> None:
    clerk = live.users("clerk", "hanoi", 1)
    login_as(clerk.username)
    nid = _new_draft(page, _person(live, clerk.username, "/cb-004"), "Nguyễn Văn Thử")
    page.select_option("#f-evidence-kind", "rating_record")
    page.set_input_files(
        "#f-evidence-file",
        files=[{"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": FAKE_PDF}],
    )
    with page.expect_response(f"**/unit/nominations/{nid}/evidence") as answer:
        page.click("#upload-button")
    assert answer.value.status == 415
    refused = page.locator("#refused")
    expect(refused).to_contain_text(
        "Chỉ nhận tệp PDF, DOCX, XLSX, JPEG hoặc PNG (kiểm tra theo nội dung tệp)."
    )
    expect(refused).to_contain_text("Only PDF, DOCX, XLSX, JPEG or PNG files are accepted")
    expect(page.locator("#f-evidence-kind")).to_have_value("rating_record")
    shot(page, "unit-upload-refused")
    with live.db.read() as s:
        count = s.execute(select(func.count()).where(Evidence.nomination_id == nid)).scalar_one()
    assert count == 0


def test_refused_forms_keep_what_was_typed_and_concurrent_edits_conflict(
    page: Page,
    browser: Browser,
    live: LiveServer,
    login_as: Callable[..., Any],
    shot: Callable[..., Any],
) -> None:
    clerk = live.users("clerk", "hanoi", 2)
    login_as(clerk.username)
    # no nominee chosen: refused, everything typed is still there
    page.goto("/unit/new")
    page.fill("#f-achievement", "Thành tích đã gõ, chưa chọn người.")
    page.fill("#f-achievement_key", "tt-2026-01")
    with page.expect_response("**/unit/new") as answer:
        page.click("#create-button")
    assert answer.value.status == 422
    expect(page.locator("#f-person_id-error")).to_have_text("Hãy chọn cá nhân được đề nghị.")
    expect(page.locator("#f-achievement")).to_have_value("Thành tích đã gõ, chưa chọn người.")
    expect(page.locator("#f-achievement_key")).to_have_value("tt-2026-01")
    nid = _new_draft(page, _person(live, clerk.username, "/cb-005"), "Bản gốc")
    # an empty name (spaces pass the browser's check, not the service's)
    page.goto(f"/unit/nominations/{nid}/edit")
    page.fill("#f-nominee_name", "   ")
    page.fill("#f-achievement", "Thành tích mới, chưa lưu.")
    page.click("#save-button")
    expect(page.locator("#f-nominee_name-error")).to_contain_text("không rỗng")
    expect(page.locator("#f-achievement")).to_have_value("Thành tích mới, chưa lưu.")
    # two people edit the same draft: the second save is a conflict, nothing is lost
    other = browser.new_context(base_url=live.url, viewport=DESKTOP, locale="vi-VN")
    try:
        second = other.new_page()
        second.goto("/login")
        head = live.users.by_username(clerk.username.replace(".clerk.", ".head."))
        second.fill("#f-username", head.username)
        second.fill("#f-password", head.password)
        second.click("form[action='/login'] button[type=submit]")
        second.goto(f"/unit/nominations/{nid}/edit")
        page.goto(f"/unit/nominations/{nid}/edit")
        second.fill("#f-achievement", "Thủ trưởng sửa trước.")
        second.click("#save-button")
        expect(second.locator(".flash-success")).to_have_text("Đã lưu thay đổi của hồ sơ.")
    finally:
        other.close()
    page.fill("#f-achievement", "Cán bộ sửa sau, trên bản cũ.")
    with page.expect_response(f"**/unit/nominations/{nid}/edit") as answer:
        page.click("#save-button")
    assert answer.value.status == 409
    expect(page.locator("#refused")).to_contain_text("Hồ sơ đã được người khác thay đổi")
    expect(page.locator("#current-achievement")).to_have_text("Thủ trưởng sửa trước.")
    expect(page.locator("#f-achievement")).to_have_value("Cán bộ sửa sau, trên bản cũ.")
    shot(page, "unit-edit-conflict", full_page=True)
    page.click("#save-button")  # a second, deliberate save replaces the other's text
    expect(page.locator("#achievement-text")).to_have_text("Cán bộ sửa sau, trên bản cũ.")
    # without JavaScript the draft form still checks eligibility (a button, no htmx)
    plain = browser.new_context(base_url=live.url, viewport=DESKTOP, java_script_enabled=False)
    try:
        nojs = plain.new_page()
        nojs.goto("/login")
        nojs.fill("#f-username", clerk.username)
        nojs.fill("#f-password", clerk.password)
        nojs.click("form[action='/login'] button[type=submit]")
        nojs.goto("/unit/new")
        nojs.select_option("#f-person_id", str(_person(live, clerk.username, "/cb-006")))
        nojs.fill("#f-achievement", "Kiểm tra trước khi lưu.")
        expect(nojs.locator("#preview-summary")).to_have_count(0)
        with live.db.read() as s:
            before = s.execute(select(func.count()).select_from(Nomination)).scalar_one()
        nojs.click("#preview-button")
        expect(nojs.locator("#preview-summary")).to_contain_text("Đủ điều kiện")
        expect(nojs.locator("#f-achievement")).to_have_value("Kiểm tra trước khi lưu.")
        with live.db.read() as s:
            assert s.execute(select(func.count()).select_from(Nomination)).scalar_one() == before
    finally:
        plain.close()


def test_no_button_for_what_a_user_may_not_do_and_forcing_it_gives_the_reason(
    page: Page, live: LiveServer, login_as: Callable[..., Any]
) -> None:
    clerk = live.users("clerk", "hanoi", 3)
    login_as(clerk.username)
    nid = _new_draft(page, _person(live, clerk.username, "/cb-004"), "Trần Thị Thử")
    expect(page.locator("#actions form")).to_have_count(0)  # propose and withdraw: the head's
    with live.db.read() as s:
        version = s.get(Nomination, nid).version  # type: ignore[union-attr]
    forced = page.request.post(
        f"/nominations/{nid}/actions/propose",
        form={"csrf_token": _csrf(page), "version": str(version)},
    )
    assert forced.status == 403
    assert "Bạn không có quyền thực hiện thao tác này" in forced.text()
    assert "You may not do this to this dossier" in forced.text()
    # withdrawing needs a reason: the head's form asks for it; without one it is refused
    _switch(page, login_as, clerk.username.replace(".clerk.", ".head."))
    page.goto(f"/nominations/{nid}")
    expect(page.locator("#act-withdraw-comment")).to_have_attribute("required", "")
    forced = page.request.post(
        f"/nominations/{nid}/actions/withdraw",
        form={"csrf_token": _csrf(page), "version": str(version)},
    )
    assert forced.status == 409
    assert "Hãy ghi rõ lý do" in forced.text()
    # another unit's clerk: neither the dossier nor its files exist for them
    outsider = live.users("clerk", "hanoi", 0)
    _switch(page, login_as, outsider.username)
    assert page.goto(f"/nominations/{nid}").status == 404  # type: ignore[union-attr]
    expect(page.locator("h1")).to_contain_text("Không tìm thấy")
    with live.db.read() as s:
        demo_file = s.execute(
            select(Evidence.id, Evidence.nomination_id)
            .join(Nomination, Nomination.id == Evidence.nomination_id)
            .where(Nomination.unit_id != _unit(s, outsider.username))
        ).first()
    assert demo_file is not None
    eid, owner = demo_file
    assert page.request.get(f"/nominations/{owner}/evidence/{eid}").status == 404
    # an appraiser who is not the assignee cannot tick criteria: the reason, not a crash
    nom = _demo_nomination(live, NominationState.IN_APPRAISAL, "lao-cai")
    with live.db.read() as s:
        appraisers = s.execute(
            select(User.username).where(
                User.username.like("laocai.appraiser%"), User.id != nom.assignee_id
            )
        ).scalars()
        stranger = next(iter(appraisers))
    _switch(page, login_as, stranger)
    page.goto(f"/nominations/{nom.id}")
    expect(page.locator("#checklist-form")).to_have_count(0)
    expect(page.locator("#act-recommend-button")).to_have_count(0)
    forced = page.request.post(
        f"/nominations/{nom.id}/checklist",
        form={"csrf_token": _csrf(page), "met.tt-1": "1", "note.tt-1": "ép"},
    )
    assert forced.status == 403
    assert "Chỉ chuyên viên được giao mới đánh giá tiêu chí" in forced.text()


def _unit(s: Any, username: str) -> int:
    stmt = select(RoleGrant.unit_id).join(User).where(User.username == username)
    return int(s.execute(stmt).scalar_one())
