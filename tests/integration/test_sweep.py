"""The deadline sweep with frozen time across Tết 2027: reminder, due and overdue fire once each
per stay; stuck marking; lapses; concurrent and interrupted sweeps never repeat a notice."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select
from tests.support.world import World, new_draft, new_person

from awardflow.db.models import Nomination, OutboxMessage, Round
from awardflow.services import nominations as noms
from awardflow.services import sweep as svc
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import transition

TET_ROUND = {
    "code": "2027-tet",
    "name": "Đợt xét đầu năm 2027",
    "kind": "annual",
    "year": 2027,
    "opens": date(2027, 1, 4),
    "proposals_close": date(2027, 3, 31),
    "appraisal_due": date(2027, 4, 30),
    "council_by": date(2027, 5, 14),
    "submission_by": date(2027, 5, 28),
    "limit_appraise": 10,
    "limit_return_answer": 5,
    "limit_authority_answer": 20,
    "limit_decide": 10,
}


def hanoi(y: int, m: int, d: int, hour: int = 9) -> datetime:
    return datetime(y, m, d, hour - 7, tzinfo=UTC)


def in_appraisal(
    w: World, ctx: ServiceContext, round_id: int, when: datetime, n: int = 1
) -> list[int]:
    ids = []
    for i in range(n):
        with w.db.write() as s:
            pid = new_person(s, w, f"sw-{round_id}-{i}-{when.isoformat()}")
            nid = new_draft(s, w, ctx, pid, round_id=round_id, now=when)
            transition(s, ctx, nid, "propose", w.actor("head_a"), now=when)
            transition(s, ctx, nid, "claim", w.actor("appraiser1"), now=when)
            ids.append(nid)
    return ids


def tet_round(w: World) -> int:
    with w.db.write() as s:
        rnd = Round(campaign_id=w["campaign"], **TET_ROUND)
        s.add(rnd)
        s.flush()
        return rnd.id


def run_sweep(w: World, ctx: ServiceContext) -> svc.SweepReport:
    with w.db.write() as s:
        return svc.sweep(s, ctx, datetime.now(UTC))


def kinds(w: World, nid: int) -> list[tuple[str, str | None, int | None]]:
    with w.db.read() as s:
        rows = s.execute(
            select(OutboxMessage)
            .where(OutboxMessage.nomination_id == nid, OutboxMessage.kind.like("deadline_%"))
            .order_by(OutboxMessage.id)
        ).scalars()
        return [(r.kind, r.recipient_role, r.recipient_user_id) for r in rows]


def test_ladder_across_tet_fires_each_level_once(world: World, ctx: ServiceContext) -> None:
    rid = tet_round(world)
    # Proposed Mon 1 Feb 2027; 10 working days skip Tết (4–10 Feb) -> due Mon 22 Feb.
    (nid,) = in_appraisal(world, ctx, rid, hanoi(2027, 2, 1))
    with world.db.read() as s:
        nom = s.get(Nomination, nid)
        assert nom is not None
        assert nom.due_at is not None
        assert nom.due_at.date() == date(2027, 2, 22)
    appraiser = world["appraiser1"]
    with time_machine.travel(hanoi(2027, 2, 17), tick=False):
        assert run_sweep(world, ctx).notifications == 0  # reminder is 2 working days before
    with time_machine.travel(hanoi(2027, 2, 18), tick=False):
        assert run_sweep(world, ctx).escalated == {"in_appraisal:reminder": 1}
        assert run_sweep(world, ctx).notifications == 0  # once per level
    assert kinds(world, nid) == [("deadline_reminder", None, appraiser)]
    with time_machine.travel(hanoi(2027, 2, 22), tick=False):
        run_sweep(world, ctx)
    assert kinds(world, nid)[1:] == [
        ("deadline_due", None, appraiser),
        ("deadline_due", "supervisor", None),
    ]
    with time_machine.travel(hanoi(2027, 2, 24), tick=False):
        assert run_sweep(world, ctx).notifications == 0  # overdue is 3 working days after
    with time_machine.travel(hanoi(2027, 2, 25), tick=False):
        run_sweep(world, ctx)
        run_sweep(world, ctx)
    assert kinds(world, nid)[3:] == [("deadline_overdue", "director", None)]
    with world.db.read() as s:
        nom = s.get(Nomination, nid)
        assert nom is not None
        assert (nom.escalation_level, nom.stuck) == (3, True)


def test_a_new_stay_gets_a_new_ladder(world: World, ctx: ServiceContext) -> None:
    rid = tet_round(world)
    (nid,) = in_appraisal(world, ctx, rid, hanoi(2027, 2, 1))
    with time_machine.travel(hanoi(2027, 2, 18), tick=False):
        run_sweep(world, ctx)
    with world.db.write() as s:  # returned: the unit's clock (5 working days) and ladder
        transition(
            s,
            ctx,
            nid,
            "return_to_unit",
            world.actor("appraiser1"),
            comment="Thiếu minh chứng",
            now=hanoi(2027, 2, 18),
        )
    with time_machine.travel(hanoi(2027, 2, 23), tick=False):  # due Thu 25: reminder Tue 23
        run_sweep(world, ctx)
    assert [k for k, *_ in kinds(world, nid)] == [
        "deadline_reminder",
        "deadline_reminder",
        "deadline_reminder",
    ]
    with world.db.read() as s:
        roles = {r for (k, r, _u) in kinds(world, nid)[1:]}
    assert roles == {"unit_clerk", "unit_head"}


def test_drafts_lapse_after_proposals_close_and_inactivity_is_stuck(
    world: World, ctx: ServiceContext
) -> None:
    with world.db.write() as s:
        draft = noms.create_draft(
            s,
            ctx,
            world.actor("clerk_a"),
            round_id=world["round"],
            award_id=world["giay_khen"],
            unit_id=world["thpt-a"],
            nominee_kind="individual",
            person_id=world["p-lan"],
            now=hanoi(2026, 10, 1),
        )
    (quiet,) = in_appraisal(world, ctx, world["round"], hanoi(2026, 10, 1))
    with time_machine.travel(hanoi(2026, 10, 12), tick=False):  # 11 quiet days > 10
        report = run_sweep(world, ctx)
    assert report.stuck == 1
    with time_machine.travel(hanoi(2026, 11, 11), tick=False):
        report = run_sweep(world, ctx)
    assert report.lapsed == 1
    with world.db.read() as s:
        assert s.get(Nomination, draft.id).state.value == "lapsed"  # type: ignore[union-attr]
        assert s.get(Nomination, quiet).stuck is True  # type: ignore[union-attr]


def _count(w: World) -> tuple[int, int]:
    with w.db.read() as s:
        total = (
            s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.kind.like("deadline_%"))
            )
            or 0
        )
        distinct = (
            s.scalar(
                select(func.count(func.distinct(OutboxMessage.dedupe_key))).where(
                    OutboxMessage.kind.like("deadline_%")
                )
            )
            or 0
        )
        return total, distinct


def test_concurrent_and_interrupted_sweeps_never_repeat(world: World, ctx: ServiceContext) -> None:
    rid = tet_round(world)
    ids = in_appraisal(world, ctx, rid, hanoi(2027, 2, 1), n=30)
    now = hanoi(2027, 2, 25)
    # Interrupted: one small batch committed, then a crash before the next commit.
    with world.db.write() as s:
        svc.escalate(s, ctx, now, batch=5, max_batches=1)

    def killed_before_commit() -> None:
        with world.db.write() as s:
            svc.escalate(s, ctx, now, batch=5, max_batches=1)
            raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        killed_before_commit()
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(40):
                with world.db.write() as s:
                    if not svc.escalate(s, ctx, now, batch=4, max_batches=1).escalated:
                        break
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    total, distinct = _count(world)
    # 30 dossiers x (1 reminder + 2 due + 1 overdue) notices, each exactly once
    assert (total, distinct) == (30 * 4, 30 * 4)
    with world.db.read() as s:
        levels = set(
            s.execute(select(Nomination.escalation_level).where(Nomination.id.in_(ids))).scalars()
        )
    assert levels == {3}
