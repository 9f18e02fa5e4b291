"""Queries behind round and phase summaries: aggregates, phase timings, the awarded list."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from awardflow.db.models import AuditEvent, Award, Nomination, Round, Unit
from awardflow.db.models.campaign import Summary
from awardflow.states.lifecycle import WAITING


def latest(session: Session, scope: str) -> Summary | None:
    stmt = select(Summary).where(Summary.scope == scope).order_by(Summary.version.desc()).limit(1)
    return session.execute(stmt).scalar_one_or_none()


def add(session: Session, obj: object) -> None:
    session.add(obj)


def rounds_in_phase(session: Session, phase_id: int) -> list[int]:
    return list(session.execute(select(Round.id).where(Round.phase_id == phase_id)).scalars())


def _counts(session: Session, where: ColumnElement[bool], *cols: Any) -> list[tuple[Any, ...]]:
    stmt = select(*cols, func.count()).select_from(Nomination).where(where).group_by(*cols)
    return [tuple(r) for r in session.execute(stmt)]


def breakdowns(session: Session, round_ids: Sequence[int]) -> dict[str, Any]:
    where = Nomination.round_id.in_(list(round_ids))
    by_unit = (
        select(Unit.name, func.count())
        .join(Nomination, Nomination.unit_id == Unit.id)
        .where(where)
        .group_by(Unit.name)
        .order_by(Unit.name)
    )
    by_award = (
        select(Award.code, Award.name, Nomination.state, func.count())
        .join(Nomination, Nomination.award_id == Award.id)
        .where(where)
        .group_by(Award.code, Award.name, Nomination.state)
    )
    return {
        "by_state": {s.value: n for s, n in _counts(session, where, Nomination.state)},
        "by_kind": {k.value: n for k, n in _counts(session, where, Nomination.nominee_kind)},
        "by_unit": [{"unit": u, "count": n} for u, n in session.execute(by_unit)],
        "by_award": [
            {"code": c, "name": name, "state": s.value, "count": n}
            for c, name, s, n in session.execute(by_award)
        ],
    }


def overdue_and_stuck(session: Session, round_ids: Sequence[int], now: datetime) -> tuple[int, int]:
    waiting = (Nomination.round_id.in_(list(round_ids)), Nomination.state.in_(list(WAITING)))
    overdue = select(func.count()).where(*waiting, Nomination.due_at < now)
    stuck = select(func.count()).where(*waiting, Nomination.stuck.is_(True))
    return int(session.execute(overdue).scalar_one()), int(session.execute(stuck).scalar_one())


def awarded(session: Session, round_ids: Sequence[int]) -> list[dict[str, Any]]:
    stmt = (
        select(
            Nomination.id,
            Nomination.nominee_name,
            Nomination.nominee_kind,
            Unit.name,
            Award.name,
            Nomination.decision_number,
            Nomination.decision_date,
        )
        .join(Unit, Unit.id == Nomination.unit_id)
        .join(Award, Award.id == Nomination.award_id)
        .where(Nomination.round_id.in_(list(round_ids)), Nomination.state == "awarded")
        .order_by(Award.name, Unit.name, Nomination.nominee_name)
    )
    return [
        {
            "nomination_id": i,
            "nominee": n,
            "kind": k.value,
            "unit": u,
            "award": a,
            "decision_number": dn,
            "decision_date": dd.isoformat() if dd else None,
        }
        for i, n, k, u, a, dn, dd in session.execute(stmt)
    ]


def transitions(
    session: Session, round_ids: Sequence[int]
) -> Iterator[tuple[int, str, str | None, datetime]]:
    """(nomination, trigger, from state, time) of every state change, per nomination in order."""
    stmt = (
        select(AuditEvent.nomination_id, AuditEvent.to_state, AuditEvent.from_state, AuditEvent.at)
        .join(Nomination, Nomination.id == AuditEvent.nomination_id)
        .where(
            Nomination.round_id.in_(list(round_ids)),
            (AuditEvent.from_state.is_(None)) | (AuditEvent.from_state != AuditEvent.to_state),
        )
        .order_by(AuditEvent.nomination_id, AuditEvent.seq)
    )
    for row in session.execute(stmt.execution_options(yield_per=5000)):
        yield row[0], row[1], row[2], row[3]
