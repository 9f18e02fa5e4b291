"""The director's decision (quyết định khen thưởng) for many nominations at once: ``decide`` for
each through one transition batch, the decision recorded with its sổ vàng numbers, all or
none (services.decisions.decide; the director's desk and POST /api/decisions use it)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.conftest import AUDIT_KEY
from tests.integration.test_council import MEMBERS, appraised, person, session_with, state
from tests.support.world import NOW, World

from awardflow.db.models import AuditEvent, Decision, Nomination
from awardflow.errors import (
    Forbidden,
    InvalidInput,
    ItemRefused,
    NotFound,
    TransitionRefused,
    VersionConflict,
)
from awardflow.services import council as council_svc
from awardflow.services import decisions
from awardflow.services.audit import verify
from awardflow.services.context import ServiceContext

NUMBER, DAY = "45/QĐ-SGDĐT", NOW.date()


def approved(w: World, ctx: ServiceContext, people: list[str]) -> list[int]:
    """Nominations of ``people`` through appraisal and a council that approves them all."""
    ids = [appraised(w, ctx, person(w, p)) for p in people]
    sid, _ = session_with(w, ctx, present=MEMBERS)
    for m in MEMBERS:
        with w.db.write() as s:
            council_svc.cast_ballot_paper(
                s, ctx, w.actor(m), sid, dict.fromkeys(ids, "agree"), now=NOW
            )
    with w.db.write() as s:
        council_svc.close_session(s, ctx, w.actor("secretary"), sid, now=NOW)
    assert {state(w, n) for n in ids} == {"council_approved"}
    return ids


def snapshot(w: World) -> tuple[list[tuple[int, str, int]], int, int]:
    with w.db.read() as s:
        noms = [
            (n.id, n.state.value, n.version)
            for n in s.execute(select(Nomination).order_by(Nomination.id)).scalars()
        ]
        events = s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        made = s.execute(select(func.count()).select_from(Decision)).scalar_one()
    return noms, int(events), int(made)


def test_one_decision_awards_every_listed_nomination(world: World, ctx: ServiceContext) -> None:
    ids = approved(world, ctx, ["d-an", "d-binh", "d-chi"])
    listed = [ids[2], ids[0], ids[1]]  # the sổ vàng order is the order listed
    with world.db.write() as s:
        made = decisions.decide(
            s,
            ctx,
            world.actor("director"),
            round_id=world["round"],
            nomination_ids=listed,
            number=NUMBER,
            day=DAY,
            now=NOW,
        )
        decision_id = made.id
    with world.db.read() as s:
        context = decisions.decision_context(s, decision_id)
        noms = [s.get(Nomination, n) for n in ids]
        events = s.execute(
            select(AuditEvent.nomination_id, AuditEvent.trigger).where(
                AuditEvent.trigger == "decide"
            )
        ).all()
        assert [(n.decision_number, n.decision_date) for n in noms if n] == [(NUMBER, DAY)] * 3
        assert list(verify(s, AUDIT_KEY)) == []
    assert [state(world, n) for n in ids] == ["awarded"] * 3
    assert [r["order"] for r in context["rows"]] == [1, 2, 3]
    assert [r["nomination_id"] for r in context["rows"]] == listed
    assert sorted(n for n, _ in events) == sorted(ids)  # one audit event each


def test_a_decision_is_taken_all_or_none(world: World, ctx: ServiceContext) -> None:
    ids = approved(world, ctx, ["d-an", "d-binh"])
    waiting = appraised(world, ctx, person(world, "d-chi"))  # not through the council
    before = snapshot(world)
    with world.db.read() as s:
        version = s.get(Nomination, ids[1]).version  # type: ignore[union-attr]

    def decide(
        listed: list[int],
        who: str = "director",
        day: date = DAY,
        versions: dict[int, int] | None = None,
    ) -> None:
        with world.db.write() as s:
            decisions.decide(
                s,
                ctx,
                world.actor(who),
                round_id=world["round"],
                nomination_ids=listed,
                number=NUMBER,
                day=day,
                versions=versions,
                now=NOW,
            )

    def refused(listed: list[int], **kw: Any) -> ItemRefused:
        with pytest.raises(ItemRefused) as err:
            decide(listed, **kw)
        assert snapshot(world) == before, listed  # nothing of the decision was kept
        return err.value

    err = refused([ids[0], waiting, ids[1]])
    assert err.nomination_id == waiting and isinstance(err.error, TransitionRefused)
    err = refused(ids, versions={ids[1]: version - 1})
    assert err.nomination_id == ids[1] and isinstance(err.error, VersionConflict)
    err = refused([ids[0], 10**6])
    assert err.nomination_id == 10**6 and isinstance(err.error, NotFound)
    err = refused(ids, who="appraiser1")
    assert isinstance(err.error, (NotFound, Forbidden, TransitionRefused))
    with pytest.raises(InvalidInput) as future:
        decide(ids, day=date(2027, 1, 1))
    assert future.value.field == "decision_date"
    with pytest.raises(InvalidInput) as empty:
        decide([])
    assert empty.value.field == "nomination_ids"
    assert snapshot(world) == before
    decide(ids, versions={ids[1]: version})  # the corrected list goes through
    assert [state(world, n) for n in (*ids, waiting)] == ["awarded", "awarded", "appraised"]
