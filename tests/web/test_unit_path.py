"""A nomination's way through the unit and the appraiser's pages, in real Chromium on demo data:
the clerk drafts it (criteria and eligibility shown live) and uploads a PDF, the head proposes,
an appraiser claims it from the office queue and returns it with reasons, the clerk sees the
reasons and what changed after editing, the head answers the return, the appraiser ticks the
checklist and recommends. Every step is checked as the user sees it, in Vietnamese."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from tests.web.support import LiveServer

from awardflow.db.models import AuditEvent, Nomination, Person, RoleGrant, Round, User
from awardflow.states import NominationState, Role

#: 1 December 2026, 10:00 in Hanoi: Hà Nội's "annual-2026" round takes proposals until 14/12.
CLOCK = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)

#: A tiny but well-formed one-page PDF.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(scope="module")
def live(live: LiveServer) -> Iterator[LiveServer]:
    services = live.app.state.services
    before = services.clock
    services.clock = lambda: CLOCK
    yield live
    services.clock = before


def _unit_of(live: LiveServer, username: str) -> int:
    with live.db.read() as s:
        stmt = select(RoleGrant.unit_id).join(User).where(User.username == username)
        return int(s.execute(stmt).scalars().first() or 0)


def _chain_person(live: LiveServer, unit_id: int) -> Person:
    """The unit's third demo person: a 'chain' profile, eligible for every award."""
    with live.db.read() as s:
        stmt = select(Person).where(Person.unit_id == unit_id, Person.code.like("%/cb-003"))
        return s.execute(stmt).scalar_one()


def _switch(page: Page, login_as: Callable[..., Any], who: str, *args: Any) -> Any:
    """Log out (the header's button), then in as someone else."""
    page.click("form.logout-form button")
    return login_as(who, *args)


def _badge(page: Page) -> Any:
    return page.locator(".dossier-state .badge[data-state]")


def test_clerk_head_and_appraiser_take_a_nomination_to_appraised(
    page: Page, live: LiveServer, login_as: Callable[..., Any], shot: Callable[..., Any]
) -> None:
    clerk, head = live.users("clerk", "hanoi"), live.users("head", "hanoi")
    unit_id = _unit_of(live, clerk.username)
    assert unit_id == _unit_of(live, head.username)
    person = _chain_person(live, unit_id)

    # --- the clerk: the unit's list, then a new draft with the live checklist and eligibility
    login_as(clerk.username)
    assert page.url.endswith("/unit")
    expect(page.locator("h1")).to_have_text("Hồ sơ đề nghị khen thưởng của đơn vị")
    expect(page.locator("#state-counts a[data-state='']")).to_contain_text("Tất cả")
    shot(page, "unit-list")
    page.click("#new-draft")
    expect(page.locator("h1")).to_have_text("Lập hồ sơ đề nghị khen thưởng")
    preview = page.locator("#draft-preview")
    expect(preview).to_contain_text("Tiêu chí thi đua của phong trào")
    expect(preview.locator("#preview-criteria li").first).to_contain_text("Hoàn thành tốt nhiệm vụ")
    expect(preview).to_contain_text("Chọn đối tượng được đề nghị")
    page.select_option("#f-person_id", str(person.id))  # htmx: the preview follows the form
    expect(preview.locator("#preview-summary")).to_contain_text("Đủ điều kiện")
    rules = preview.locator("#eligibility-rules tbody tr")
    expect(rules.first).to_contain_text("Đối tượng được xét tặng")
    page.fill("#f-achievement", "Chủ trì chuyển đổi số công tác thi đua của nhà trường.")
    shot(page, "unit-new", full_page=True)
    page.click("#create-button")
    expect(page.locator(".flash-success")).to_contain_text("Đã lập hồ sơ #")
    nid = int(page.url.rstrip("/").split("/")[-1])
    expect(_badge(page)).to_have_text("Dự thảo")
    expect(page.locator("#fact-unit")).not_to_be_empty()
    # the clerk may not propose: no button at all, and the eligibility reads "eligible"
    expect(page.locator("#act-propose-button")).to_have_count(0)
    expect(page.locator("#eligibility-summary")).to_contain_text("Đủ điều kiện")

    # --- evidence: a real PDF, listed, shown inline and downloadable
    page.select_option("#f-evidence-kind", "achievement_report")
    page.set_input_files(
        "#f-evidence-file",
        files=[{"name": "Báo cáo thành tích.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.click("#upload-button")
    expect(page.locator(".flash-success")).to_contain_text("Đã tải lên minh chứng")
    row = page.locator("#evidence-list tbody tr").first
    expect(row).to_contain_text("Báo cáo thành tích.pdf")
    row.locator("a.view-link").click()
    frame = page.locator("#viewer iframe.evidence-frame")
    expect(frame).to_have_count(1)
    src = frame.get_attribute("src") or ""
    inline = page.request.get(src)
    assert inline.status == 200 and inline.body() == PDF
    assert inline.headers["content-type"] == "application/pdf"
    assert inline.headers["content-disposition"].startswith("inline;")
    assert "frame-ancestors 'self'" in inline.headers["content-security-policy"]
    download = page.request.get(src.split("?")[0])
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o" in download.headers["content-disposition"]

    # --- the head proposes
    _switch(page, login_as, head.username)
    page.goto(f"/nominations/{nid}")
    expect(page.locator("#act-propose-button")).to_have_text("Đề nghị khen thưởng")
    page.click("#act-propose-button")
    expect(page.locator(".flash-success")).to_contain_text("Đề nghị khen thưởng")
    expect(_badge(page)).to_have_text("Đã đề nghị")

    # --- an appraiser finds it in the office queue (filtered by round) and claims it
    appraiser = _switch(page, login_as, "appraiser", "hanoi")
    assert page.url.endswith("/appraiser")
    with live.db.read() as s:
        round_id = s.execute(select(Nomination.round_id).where(Nomination.id == nid)).scalar_one()
        round_name = s.execute(select(Round.name).where(Round.id == round_id)).scalar_one()
    page.select_option("#f-round", str(round_id))  # htmx swaps the lists and the URL
    expect(page).to_have_url(re.compile(rf"/appraiser\?round={round_id}(&|$)"))
    queue = page.locator("#office-queue tbody tr")
    expect(queue).to_have_count(1)
    expect(queue.first).to_contain_text(round_name)
    shot(page, "appraiser-queue-filtered")
    page.click(f"#claim-{nid}")
    expect(_badge(page)).to_have_text("Đang thẩm định")
    expect(page.locator("#fact-assignee")).to_have_text(appraiser.full_name)
    # recommending needs the checklist first: no button, the reason instead
    expect(page.locator("#act-recommend-button")).to_have_count(0)
    expect(page.locator("#blocked-actions li[data-trigger='recommend']")).to_contain_text(
        "Chưa đánh giá hết tiêu chí"
    )
    reason = "Thiếu xác nhận của Công đoàn trường trong báo cáo thành tích."
    page.fill("#act-return_to_unit-comment", reason)
    page.click("#act-return_to_unit-button")
    expect(_badge(page)).to_have_text("Trả lại đơn vị")

    # --- the clerk sees the reasons, edits, and sees what changed since the return
    _switch(page, login_as, clerk.username)
    page.goto(f"/nominations/{nid}")
    expect(page.locator("#return-reason")).to_have_text(reason)
    expect(page.locator("#no-changes")).to_be_visible()
    old_text = page.locator("#achievement-text").inner_text().strip()
    page.click("#edit-link")
    new_text = "Chủ trì chuyển đổi số; có xác nhận của Công đoàn trường."
    page.fill("#f-achievement", new_text)
    page.click("#save-button")
    expect(page.locator(".flash-success")).to_have_text("Đã lưu thay đổi của hồ sơ.")
    diff = page.locator("#return-diff tr[data-field='achievement']")
    expect(diff).to_contain_text("Tóm tắt thành tích")
    expect(diff.locator("ins.diff-new")).to_have_text(new_text)
    expect(diff.locator("del.diff-old")).to_have_text(old_text)  # old → new
    expect(page.locator("#achievement-text")).to_have_text(new_text)
    shot(page, "dossier-returned", full_page=True)

    # --- the head answers the return
    _switch(page, login_as, head.username)
    page.goto(f"/nominations/{nid}")
    page.click("#act-repropose-button")
    expect(_badge(page)).to_have_text("Đang thẩm định")

    # --- the appraiser ticks every criterion and recommends
    _switch(page, login_as, appraiser.username)
    page.goto(f"/nominations/{nid}")
    criteria = page.locator("#checklist-form fieldset.criterion")
    count = criteria.count()
    assert count >= 2
    for i in range(count):
        criteria.nth(i).locator("input[type=radio][value='1']").check()
    criteria.first.locator("textarea").fill("Đạt: có báo cáo và xác nhận.")
    page.click("#checklist-save")
    expect(page.locator(".flash-success")).to_have_text(f"Đã lưu đánh giá {count} tiêu chí.")
    expect(page.locator("#blocked-actions li[data-trigger='recommend']")).to_have_count(0)
    page.fill("#act-recommend-comment", "Đủ điều kiện, đề nghị trình Hội đồng xét tặng Giấy khen.")
    page.click("#act-recommend-button")
    expect(_badge(page)).to_have_text("Đã thẩm định")
    expect(page.locator("#opinion-text")).to_contain_text("đề nghị trình Hội đồng")

    # the history tells the whole story, newest first, in Vietnamese
    labels = page.locator("#timeline .timeline-label").all_inner_texts()
    assert labels[::-1][:7] == [
        "Lập hồ sơ",
        "Thêm minh chứng",
        "Đề nghị khen thưởng",
        "Nhận hồ sơ",
        "Trả lại đơn vị",
        "Sửa nội dung hồ sơ",
        "Đề nghị lại",
    ]
    assert labels[0] == "Đề xuất trình Hội đồng"
    assert labels[1 : 1 + count] == ["Đánh giá tiêu chí"] * count
    expect(page.locator("#timeline li[data-trigger='return_to_unit']")).to_contain_text(reason)
    shot(page, "dossier-page", full_page=True)
    with live.db.read() as s:
        nom = s.get(Nomination, nid)
        assert nom is not None and nom.state is NominationState.APPRAISED
        triggers = s.execute(
            select(AuditEvent.trigger).where(AuditEvent.nomination_id == nid)
        ).scalars()
        assert list(triggers)[-1] == "recommend"
    assert Role.APPRAISER in appraiser.roles
