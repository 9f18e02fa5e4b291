"""The supervisor's dashboard in real Chromium on the demo data: a dossier made stuck by the
real sweep is listed first with its age and assignee; counts match the database; a bulk
reassign is previewed per item (nothing written), confirmed, and shows the new assignee; a
failed notification is retried; the bulk form keeps what was typed and shows markup as text;
other roles get no dashboard and a forced POST shows the reason."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from tests.web.support import LiveServer, run_async

from awardflow.db.models import AuditEvent, Campaign, Nomination, OutboxMessage, User
from awardflow.db.repositories import notifications as notify_repo
from awardflow.notifications.mailers import MemoryMailer
from awardflow.services import sweep
from awardflow.services.context import ServiceContext
from awardflow.services.notifications import deliver_batch
from awardflow.states import NominationState
from awardflow.states.lifecycle import TERMINAL

S = NominationState
XSS = "<script>alert(1)</script>"
CAMPAIGN = "dien-bien-gddt-dmst-2026"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def prepared(live: LiveServer) -> dict[str, Any]:
    """Today's run of the real deadline sweep (escalation levels, stuck dossiers, lapses), and
    one failed notification: the first row the worker takes goes to an appraiser whose address
    has a typo, so the real delivery marks it failed."""
    now = datetime.now(UTC)
    ctx = ServiceContext.from_settings(live.settings)
    with live.db.write() as s:
        marked = sweep.sweep(s, ctx, now).stuck
        first = (
            s.execute(
                select(OutboxMessage).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            )
            .scalars()
            .first()
        )
        assert first is not None and first.nomination_id is not None
        recipient = notify_repo.recipients(s, first)[0]
        recipient.email = "dia-chi-sai.demo.awardflow.vn"
        outbox_id = first.id
    assert marked > 0
    report = run_async(lambda: deliver_batch(live.db, live.settings, MemoryMailer(), batch=1))
    assert report.failed == 1
    return {"outbox_id": outbox_id}


def _campaign_noms(live: LiveServer) -> list[Nomination]:
    with live.db.read() as s:
        cid = s.execute(select(Campaign.id).where(Campaign.code == CAMPAIGN)).scalar_one()
        rows = s.execute(select(Nomination).where(Nomination.campaign_id == cid)).scalars()
        return [n for n in rows if n.state is not S.DRAFT]  # drafts are the units' own


def test_stuck_first_counts_match_and_bulk_reassign_with_preview(
    page: Page,
    login_as: Callable[..., Any],
    live: LiveServer,
    shot: Callable[..., Any],
    prepared: dict[str, Any],
) -> None:
    login_as("supervisor")
    assert page.url.endswith("/supervisor")
    expect(page.locator("h1")).to_have_text("Bảng theo dõi giám sát")

    # Counts: the same numbers as the database, computed here independently.
    noms = _campaign_noms(live)
    now = datetime.now(UTC)
    open_ = [n for n in noms if n.state not in TERMINAL]
    overdue = sum(1 for n in open_ if n.due_at is not None and _aware(n.due_at) < now)
    stuck = [n for n in open_ if n.stuck]
    assert stuck, "the sweep marked no dossier of the campaign stuck"
    expect(page.locator("[data-stat=total] dd")).to_have_text(str(len(noms)))
    expect(page.locator("[data-stat=overdue] dd")).to_have_text(str(overdue))
    expect(page.locator("[data-stat=stuck] dd")).to_have_text(str(len(stuck)))
    by_state = Counter(n.state.value for n in noms)
    for state in (S.PROPOSED, S.IN_APPRAISAL, S.APPRAISED, S.AWARDED):
        cell = page.locator(f"#phase-table tr[data-state={state.value}] td.num")
        expect(cell).to_have_text(str(by_state[state.value]))
    expect(page.locator("svg#aging title").first).to_have_text(
        "Số hồ sơ đang xử lý theo số ngày ở trạng thái hiện tại"
    )
    expect(page.locator("svg[id^=funnel-]").first).to_be_visible()

    # The first row is a stuck dossier, with its age in days and its assignee.
    first = page.locator("#work-table tbody tr").first
    expect(first).to_have_attribute("data-urgency", "stuck")
    top = next(n for n in stuck if n.id == int(first.get_attribute("data-id") or 0))
    expect(first.locator("[data-flag=stuck]")).to_have_text("Ách tắc")
    age = (now - _aware(top.state_entered_at)).days
    expect(first.locator("[data-col=age]")).to_have_text(str(age))
    expect(first.locator("[data-col=level]")).to_have_text(str(top.escalation_level))
    with live.db.read() as s:
        names = {u.id: u.full_name for u in s.execute(select(User)).scalars()}
    expect(first.locator("[data-col=assignee]")).to_have_text(
        names[top.assignee_id] if top.assignee_id else "Chưa phân công"
    )
    shot(page, "supervisor-dashboard", full_page=True)

    # Select the top dossier, another one in appraisal, and one past appraisal (which cannot
    # be reassigned: the dry run must say so for that item alone).
    assert top.state in (S.PROPOSED, S.IN_APPRAISAL), top.state
    other = next(n for n in open_ if n.state in (S.PROPOSED, S.IN_APPRAISAL) and n.id != top.id)
    picks = [top, other]
    past = next(n for n in open_ if n.state is S.APPRAISED)
    page.goto("/supervisor?show=all")
    for n in [*picks, past]:
        page.check(f"#pick-{n.id}")
    options = page.locator("#f-assignee_id option").evaluate_all("els => els.map(e => e.value)")
    target = next(int(v) for v in options if v and int(v) not in {p.assignee_id for p in picks})
    page.select_option("#f-action", "reassign")
    page.select_option("#f-assignee_id", str(target))
    page.click("#bulk button[type=submit]")

    expect(page.locator("h1")).to_have_text("Xem trước: Phân công lại")
    rows = page.locator("#preview-table tbody tr")
    expect(rows).to_have_count(3)
    for n in picks:
        expect(page.locator(f"#preview-table tr[data-id='{n.id}']")).to_have_attribute(
            "data-ok", "yes"
        )
    refused = page.locator(f"#preview-table tr[data-id='{past.id}']")
    expect(refused).to_have_attribute("data-ok", "no")
    expect(refused).to_contain_text("Không thực hiện được")
    expect(page.locator("#ok-count")).to_have_text("2")
    shot(page, "supervisor-preview")
    with live.db.read() as s:  # the dry run wrote nothing
        for n in picks:
            assert s.get(Nomination, n.id).assignee_id == n.assignee_id

    page.click("#confirm-form button[type=submit]")
    assert page.url.endswith("/supervisor")
    expect(page.locator(".flash-success")).to_have_text("Phân công lại: đã thực hiện 2/2 hồ sơ.")
    page.goto("/supervisor?show=all")
    for n in picks:
        expect(page.locator(f"#work-table tr[data-id='{n.id}'] [data-col=assignee]")).to_have_text(
            names[target]
        )
    with live.db.read() as s:
        for n in picks:
            assert s.get(Nomination, n.id).assignee_id == target
            last = (
                s.execute(
                    select(AuditEvent)
                    .where(AuditEvent.nomination_id == n.id)
                    .order_by(AuditEvent.seq.desc())
                )
                .scalars()
                .first()
            )
            assert last is not None and last.trigger in ("assign", "reassign")


def test_retry_a_failed_notification(
    page: Page, login_as: Callable[..., Any], live: LiveServer, prepared: dict[str, Any]
) -> None:
    outbox_id = prepared["outbox_id"]
    login_as("supervisor")
    row = page.locator(f"#failed-table tr[data-outbox='{outbox_id}']")
    expect(row).to_contain_text("invalid recipient address")
    row.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_have_text(
        f"Đã đưa thông báo #{outbox_id} trở lại hàng đợi gửi."
    )
    expect(page.locator(f"#failed-table tr[data-outbox='{outbox_id}']")).to_have_count(0)
    with live.db.read() as s:
        again = s.get(OutboxMessage, outbox_id)
        assert again is not None and (again.status, again.attempts) == ("pending", 0)


def test_bulk_form_keeps_typed_values_and_shows_markup_as_text(
    page: Page, login_as: Callable[..., Any], live: LiveServer, prepared: dict[str, Any]
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login_as("supervisor")
    first = page.locator("#work-table tbody tr").first
    nid = first.get_attribute("data-id")
    page.check(f"#pick-{nid}")
    page.select_option("#f-action", "extend")
    page.fill("#f-comment", XSS)
    page.click("#bulk button[type=submit]")  # no new deadline: refused, values kept
    expect(page.locator("#f-due_date-error")).to_have_text("Hãy nhập hạn mới (ngày/tháng/năm).")
    expect(page.locator("#f-comment")).to_have_value(XSS)
    expect(page.locator(f"#pick-{nid}")).to_be_checked()
    expect(page.locator("#f-action")).to_have_value("extend")
    page.fill("#f-due_date", "2030-12-31")
    page.click("#bulk button[type=submit]")
    expect(page.locator("#preview-comment")).to_have_text(XSS)
    expect(page.locator(f"#preview-table tr[data-id='{nid}']")).to_contain_text("31/12/2030")
    assert dialogs == []


def test_no_dashboard_for_other_roles_and_a_forced_post_shows_why(
    page: Page, login_as: Callable[..., Any], live: LiveServer
) -> None:
    login_as("appraiser")
    expect(page.locator("nav.main-nav a", has_text="Giám sát")).to_have_count(0)
    response = page.goto("/supervisor")
    assert response is not None and response.status == 403
    token = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    forced = page.request.post(
        "/supervisor/bulk/apply",
        form={"csrf_token": token, "ids": "1", "action": "remind"},
    )
    assert forced.status == 403
    assert "Trang này dành cho: Trưởng phòng / Thường trực Hội đồng" in forced.text()
