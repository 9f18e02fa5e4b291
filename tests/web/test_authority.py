"""The receiving authority's desk in real Chromium on the demo: it sees only what was submitted
to it, confers one item (decision number and date), returns another with a reason; forms keep
what was typed when refused; forcing an answer it may not give shows the reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select
from tests.web.support import LiveServer

from awardflow.campaigns.calendar import local_date
from awardflow.db.models import Campaign, Nomination, Submission, SubmissionItem
from awardflow.states import NominationState

XSS = "<script>alert(1)</script>"
CAMPAIGN = "dien-bien-gddt-dmst-2026"


def _items(live: LiveServer, state: NominationState, campaign: str = CAMPAIGN) -> list[int]:
    with live.db.read() as s:
        return list(
            s.execute(
                select(Nomination.id)
                .join(Campaign, Campaign.id == Nomination.campaign_id)
                .join(SubmissionItem, SubmissionItem.nomination_id == Nomination.id)
                .where(Campaign.code == campaign, Nomination.state == state)
                .order_by(Nomination.id)
            ).scalars()
        )


def _state(live: LiveServer, nomination_id: int) -> NominationState:
    with live.db.read() as s:
        nom = s.get(Nomination, nomination_id)
        assert nom is not None
        return nom.state


def _send(page: Page, form: Locator) -> None:
    """Submit without the browser's own checks, so the server's are the ones tested."""
    form.evaluate("f => { f.noValidate = true; }")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_authority_confers_one_item_and_returns_another(
    page: Page, login_as: Callable[..., Any], live: LiveServer, shot: Callable[..., Any]
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with live.db.read() as s:
        mine = (
            s.execute(
                select(Submission.id)
                .join(Campaign, Campaign.authority_unit_id == Submission.authority_unit_id)
                .where(Campaign.code == CAMPAIGN)
            )
            .scalars()
            .all()
        )
    first, second = _items(live, NominationState.SUBMITTED)[:2]
    login_as("authority")
    page.goto("/authority")
    expect(page.locator("h1")).to_have_text("Hồ sơ trình đến")
    expect(page.locator("section.submission")).to_have_count(len(mine))
    expect(page.locator("#count-waiting")).to_have_text(
        str(len(_items(live, NominationState.SUBMITTED)))
    )
    item = page.locator(f"#item-{first}")
    expect(item).to_contain_text("Đã trình cấp trên")
    shot(page, "authority-desk", full_page=True)

    item.locator("details[data-trigger=confer] summary").click()
    form = item.locator("details[data-trigger=confer] form")
    form.locator("input[name=decision_number]").fill(XSS)
    form.locator("input[name=decision_date]").fill("")
    _send(page, form)
    form = page.locator(f"#item-{first} details[data-trigger=confer] form")
    expect(form.locator(".error-text")).to_have_text("Hãy nhập ngày quyết định.")
    expect(form.locator("input[name=decision_number]")).to_have_value(XSS)
    today = local_date(datetime.now(UTC))
    form.locator("input[name=decision_number]").fill("88/QĐ-UBND")
    form.locator("input[name=decision_date]").fill(today.isoformat())
    _send(page, form)
    expect(page.locator(".flash-success")).to_contain_text("Được khen thưởng")
    expect(page.locator(f"#item-{first}")).to_contain_text("Quyết định số 88/QĐ-UBND")
    expect(page.locator(f"#item-{first} details")).to_have_count(0)  # answered: no more buttons
    assert _state(live, first) is NominationState.AWARDED

    item = page.locator(f"#item-{second}")
    item.locator("details[data-trigger=authority_return] summary").click()
    form = item.locator("details[data-trigger=authority_return] form")
    _send(page, form)
    form = page.locator(f"#item-{second} details[data-trigger=authority_return] form")
    expect(form.locator(".error-text")).to_contain_text("Hãy ghi rõ lý do")
    form.locator("textarea[name=reason]").fill(f"Bổ sung báo cáo thành tích {XSS}")
    _send(page, form)
    item = page.locator(f"#item-{second}")
    expect(item.locator(".badge")).to_have_text("Cấp trên trả lại")
    expect(item.locator(".item-comment")).to_have_text(f"Lý do: Bổ sung báo cáo thành tích {XSS}")
    assert _state(live, second) is NominationState.AUTHORITY_RETURNED
    assert dialogs == []


def test_answers_the_authority_may_not_give_show_the_reason(
    page: Page, login_as: Callable[..., Any], live: LiveServer
) -> None:
    awarded = _items(live, NominationState.AWARDED)[0]
    elsewhere = _items(live, NominationState.SUBMITTED, "lao-cai-ubnd-dmst-2026")[0]
    login_as("director")
    page.goto("/authority")
    expect(page.locator("h1")).to_have_text("Không được phép")

    page.context.clear_cookies()
    login_as("authority")
    page.goto("/authority")
    expect(page.locator(f"#item-{awarded} details")).to_have_count(0)
    expect(page.locator(f"#item-{elsewhere}")).to_have_count(0)  # another authority's package
    token = page.get_attribute("meta[name=csrf-token]", "content") or ""
    form = {"csrf_token": token, "decision_number": "1/QĐ", "decision_date": "2026-01-05"}
    forced = page.request.post(f"/authority/nominations/{awarded}/confer", form=form)
    assert forced.status == 409
    page.set_content(forced.text())
    expect(page.locator("#refused")).to_contain_text(
        "Không thể 'Khen thưởng (cấp trên)' khi hồ sơ ở trạng thái 'awarded'"
    )
    other = page.request.post(f"/authority/nominations/{elsewhere}/confer", form=form)
    assert other.status == 404
    page.set_content(other.text())
    expect(page.locator("#refused")).to_contain_text(f"Không tìm thấy hồ sơ #{elsewhere}.")
    assert _state(live, elsewhere) is NominationState.SUBMITTED
