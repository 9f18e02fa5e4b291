"""The appraiser's page in real Chromium: her tasks due first, coloured by urgency with the
escalation level; the office's unassigned queue with claim buttons only where the rules allow;
filters by round, unit and award that work without JavaScript and with htmx; pagination.

The module adds, through the real services, a few Hà Nội nominations proposed on days chosen
so that at the page's clock one is overdue, one due today, one due soon and one not yet, and
runs the deadline sweep so the ladder's levels are recorded."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from tests.web.support import LiveServer

from awardflow.campaigns.calendar import local_date
from awardflow.db.models import AppraiserConflict, Award, Campaign, Nomination, Person, Round, Unit
from awardflow.demo.paths import at
from awardflow.errors import TransitionRefused
from awardflow.services import nominations, sweep
from awardflow.services.actors import actor_for_user
from awardflow.services.transitions import transition
from awardflow.states import NominationState
from awardflow.web import appraiser_views

#: 1 December 2026, 10:00 in Hanoi (a Tuesday).
CLOCK = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
CAMPAIGN = "ha-noi-gddt-dmst-cds-2025"


@dataclass
class Setup:
    tasks: dict[str, int] = field(default_factory=dict)  # urgency -> nomination id
    queued: list[int] = field(default_factory=list)
    conflicted: int = 0
    units: dict[int, int] = field(default_factory=dict)  # nomination -> proposing unit


def _propose_day(live: LiveServer, rnd: Round, due: date) -> date:
    """A working day on which a proposal gets its appraisal deadline on ``due``."""
    cal = live.app.state.services.ctx.calendar
    limit = rnd.limit_appraise if rnd.limit_appraise is not None else 20
    day = due
    while cal.add_working_days(day, limit) != due or not cal.is_working_day(day):
        day -= timedelta(days=1)
    return day


@pytest.fixture(scope="module")
def setup(live: LiveServer) -> Iterator[Setup]:
    svc = live.app.state.services
    before = svc.clock
    svc.clock = lambda: CLOCK
    ctx, cal, out = svc.ctx, svc.ctx.calendar, Setup()
    today = local_date(CLOCK)
    dues = {
        "overdue": cal.add_working_days(today, 0) - timedelta(days=6),
        "today": today,
        "soon": cal.add_working_days(today, 2),
        "later": cal.add_working_days(today, 8),
    }
    appraiser = live.users("appraiser", "hanoi")
    with live.db.write() as s:
        campaign = s.execute(select(Campaign).where(Campaign.code == CAMPAIGN)).scalar_one()
        rnd = s.execute(
            select(Round).where(Round.campaign_id == campaign.id, Round.code == "annual-2026")
        ).scalar_one()
        award = s.execute(
            select(Award).where(Award.campaign_id == campaign.id, Award.code == "giay_khen")
        ).scalar_one()
        schools = s.execute(
            select(Unit)
            .where(Unit.parent_id == campaign.organiser_unit_id, Unit.kind == "school")
            .order_by(Unit.code)
        ).scalars()
        units = list(schools)[:2]
        candidates = {u.id: _persons(s, u.id) for u in units}
        me = actor_for_user(s, _user_id(s, appraiser.username))
        plans = [("overdue", 0), ("today", 0), ("soon", 1), ("later", 1)]
        plans += [("queue", 0), ("queue", 1), ("queue", 1), ("conflict", 0)]
        for n, (what, u) in enumerate(plans):
            unit = units[u]
            slug = unit.code.split("/")[-1]
            clerk = actor_for_user(s, _user_id(s, f"hanoi.clerk.{slug}"))
            head = actor_for_user(s, _user_id(s, f"hanoi.head.{slug}"))
            day = _propose_day(live, rnd, dues.get(what, dues["later"]))
            while True:  # the next person of the unit whom the rules let through
                person = candidates[unit.id].pop(0)
                try:
                    with s.begin_nested():
                        nom = nominations.create_draft(
                            s,
                            ctx,
                            clerk,
                            round_id=rnd.id,
                            award_id=award.id,
                            unit_id=unit.id,
                            nominee_kind="individual",
                            person_id=person,
                            achievement="Đổi mới phương pháp dạy học số.",
                            fields={"achievement_key": f"web-queue-{n}"},
                            now=at(day, 8),
                        )
                        transition(s, ctx, nom.id, "propose", head, now=at(day, 9))
                    break
                except TransitionRefused:
                    continue
            out.units[nom.id] = unit.id
            if what in dues:
                transition(s, ctx, nom.id, "claim", me, now=at(day, 10))
                out.tasks[what] = nom.id
            elif what == "conflict":
                s.add(
                    AppraiserConflict(
                        user_id=me.user_id, person_id=person, reason="là người thân của chuyên viên"
                    )
                )
                out.conflicted = nom.id
            else:
                out.queued.append(nom.id)
        sweep.escalate(s, ctx, CLOCK)
    yield out
    svc.clock = before


def _user_id(s: Any, username: str) -> int:
    from awardflow.db.models import User

    return int(s.execute(select(User.id).where(User.username == username)).scalar_one())


def _persons(s: Any, unit_id: int) -> list[int]:
    """The unit's demo persons after the first (under discipline), in code order."""
    stmt = (
        select(Person.id)
        .where(Person.unit_id == unit_id, Person.code.like("%/cb-%"))
        .order_by(Person.code)
    )
    return list(s.execute(stmt).scalars())[1:]


def test_tasks_come_due_first_coloured_by_urgency_with_the_escalation_level(
    page: Page, setup: Setup, login_as: Callable[..., Any], shot: Callable[..., Any]
) -> None:
    login_as("appraiser", "hanoi")
    page.goto("/appraiser")
    expect(page.locator("h1")).to_have_text("Thẩm định hồ sơ")
    rows = page.locator("#my-tasks tbody tr")
    ids = [int(i) for i in rows.evaluate_all("rs => rs.map(r => r.dataset.nomination)")]
    mine = [setup.tasks[k] for k in ("overdue", "today", "soon", "later")]
    assert [i for i in ids if i in mine] == mine  # due date order
    for urgency, label in (("overdue", "Quá hạn"), ("today", "Đến hạn hôm nay")):
        row = page.locator(f"#my-tasks tr[data-nomination='{setup.tasks[urgency]}']")
        expect(row).to_have_attribute("data-urgency", urgency)
        expect(row).to_have_class(re.compile(f"urgency-row-{urgency}"))
        expect(row.locator(".badge.urgency")).to_have_text(label)
    soon = page.locator(f"#my-tasks tr[data-nomination='{setup.tasks['soon']}']")
    expect(soon.locator(".badge.urgency")).to_have_text("Sắp đến hạn")
    later = page.locator(f"#my-tasks tr[data-nomination='{setup.tasks['later']}']")
    expect(later).to_have_attribute("data-urgency", "")
    expect(later.locator(".escalation")).to_have_text("—")
    # the sweep's ladder: the overdue one is at the last level, the one due today at "due"
    overdue = page.locator(f"#my-tasks tr[data-nomination='{setup.tasks['overdue']}'] .escalation")
    expect(overdue).to_have_text("Mức 3: Đã báo quá hạn lên lãnh đạo")
    due_today = page.locator(f"#my-tasks tr[data-nomination='{setup.tasks['today']}'] .escalation")
    expect(due_today).to_have_text("Mức 2: Đã báo đến hạn")
    summary = page.locator("#urgency-summary")
    expect(summary).to_contain_text("Đến hạn hôm nay: 1")
    expect(summary).to_contain_text("Sắp đến hạn: 1")
    shot(page, "appraiser-queue", full_page=True)
    page.goto("/appraiser?lang=en")
    expect(page.locator("#tasks-title")).to_contain_text("My tasks")
    expect(page.locator(f"#my-tasks tr[data-nomination='{setup.tasks['today']}']")).to_contain_text(
        "Due today"
    )
    page.goto("/appraiser?lang=vi")


def test_filters_work_without_javascript_and_with_htmx_and_pages_follow_them(
    page: Page,
    setup: Setup,
    live: LiveServer,
    login_as: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login_as("appraiser", "hanoi")
    unit_b = setup.units[setup.queued[-1]]
    # a plain GET (what a browser without JavaScript sends)
    page.goto(f"/appraiser?unit={unit_b}")
    queued = page.locator("#office-queue tbody tr")
    shown = {int(i) for i in queued.evaluate_all("rs => rs.map(r => r.dataset.nomination)")}
    assert shown == {n for n in setup.queued if setup.units[n] == unit_b}
    tasks = page.locator("#my-tasks tbody tr")
    mine = {int(i) for i in tasks.evaluate_all("rs => rs.map(r => r.dataset.nomination)")}
    assert mine == {n for n in setup.tasks.values() if setup.units[n] == unit_b}
    expect(page.locator("#f-unit")).to_have_value(str(unit_b))
    # htmx: changing a select swaps the lists and keeps the filters in the address bar
    page.select_option("#f-unit", "")
    expect(page).to_have_url(re.compile(r"/appraiser\?round=&unit=&award="))
    everything = len(setup.queued) + 1  # + the conflicted one
    assert queued.count() >= everything
    # pagination follows the filters (two rows a page)
    monkeypatch.setattr(appraiser_views, "PAGE_SIZE", 2)
    with live.db.read() as s:
        round_id = s.get(Nomination, setup.queued[0]).round_id  # type: ignore[union-attr]
    page.goto(f"/appraiser?round={round_id}")
    expect(queued).to_have_count(2)
    first = queued.evaluate_all("rs => rs.map(r => r.dataset.nomination)")
    pager = page.locator("#appraiser-lists section:nth-of-type(2) .pagination")
    expect(pager.locator(".page-info")).to_have_text(f"1–2 / {everything}")
    pager.locator("a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"qpage=2"))
    expect(page).to_have_url(re.compile(rf"round={round_id}"))
    second = queued.evaluate_all("rs => rs.map(r => r.dataset.nomination)")
    assert second and not set(first) & set(second)
    tasks_pager = page.locator("#appraiser-lists section:nth-of-type(1) .pagination")
    expect(tasks_pager.locator(".page-info")).to_have_text("1–2 / 4")


def test_a_conflicted_dossier_has_no_claim_button_and_forcing_it_gives_the_reason(
    page: Page, setup: Setup, live: LiveServer, login_as: Callable[..., Any]
) -> None:
    login_as("appraiser", "hanoi")
    page.goto("/appraiser")
    row = page.locator(f"#office-queue tr[data-nomination='{setup.conflicted}']")
    expect(row.locator("button")).to_have_count(0)
    expect(row.locator(".claim-blocked")).to_contain_text("là người thân của chuyên viên")
    free = page.locator(f"#office-queue tr[data-nomination='{setup.queued[0]}'] button")
    expect(free).to_have_text(re.compile("Nhận hồ sơ"))
    token = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    with live.db.read() as s:
        version = s.get(Nomination, setup.conflicted).version  # type: ignore[union-attr]
    forced = page.request.post(
        f"/nominations/{setup.conflicted}/actions/claim",
        form={"csrf_token": token, "version": str(version)},
    )
    assert forced.status == 409
    assert "là người thân của chuyên viên" in forced.text()
    with live.db.read() as s:
        nom = s.get(Nomination, setup.conflicted)
        assert nom is not None and nom.state is NominationState.PROPOSED and not nom.assignee_id
