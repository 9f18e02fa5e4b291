"""Queries over nominations and their evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from awardflow.db.models import Campaign, Evidence, Nomination, Round, Unit
from awardflow.states.lifecycle import LIVE, NominationState

_LIVE_BEYOND_DRAFT = [s for s in LIVE if s is not NominationState.DRAFT]


def get(session: Session, nomination_id: int) -> Nomination | None:
    return session.get(Nomination, nomination_id)


def get_for_update(session: Session, nomination_id: int) -> Nomination | None:
    """Load and lock the row (``FOR UPDATE`` on PostgreSQL; SQLite already holds the write lock)."""
    stmt = select(Nomination).where(Nomination.id == nomination_id).with_for_update()
    return session.execute(stmt).scalar_one_or_none()


_UNIT, _ORGANISER, _OFFICE = aliased(Unit), aliased(Unit), aliased(Unit)
# Built once at import: constructing this select costs more than running it.
_WITH_CONTEXT = (
    select(
        Nomination,
        Round,
        Campaign,
        _UNIT.id,
        _UNIT.path,
        _ORGANISER.id,
        _ORGANISER.path,
        _OFFICE.id,
        _OFFICE.path,
    )
    .join(Round, Round.id == Nomination.round_id)
    .join(Campaign, Campaign.id == Nomination.campaign_id)
    .join(_UNIT, _UNIT.id == Nomination.unit_id)
    .join(_ORGANISER, _ORGANISER.id == Campaign.organiser_unit_id)
    .join(_OFFICE, _OFFICE.id == Campaign.appraising_office_id)
    .where(Nomination.id == bindparam("nomination_id"))
    .with_for_update(of=Nomination)
)


#: ``_WITH_CONTEXT`` narrowed by a visibility filter, per filter object (the filters are
#: themselves built once per set of grants, so this stays small): id -> (filter, statement).
_SCOPED: dict[int, tuple[ColumnElement[bool], Select[Any]]] = {}


def _scoped(where: ColumnElement[bool]) -> Select[Any]:
    found = _SCOPED.get(id(where))
    if found is not None and found[0] is where:
        return found[1]
    if len(_SCOPED) > 4096:
        _SCOPED.clear()
    stmt = _WITH_CONTEXT.where(where)
    _SCOPED[id(where)] = (where, stmt)
    return stmt


def get_with_context_for_update(
    session: Session, nomination_id: int, where: ColumnElement[bool] | None = None
) -> tuple[Nomination, Round, Campaign, dict[int, str]] | None:
    """The row (locked) with its round, campaign and the paths of the units the guards scope
    roles to (proposing unit, organiser, appraising office): one statement, the hot path.
    With ``where`` (a visibility filter), a row outside it is not found."""
    stmt = _WITH_CONTEXT if where is None else _scoped(where)
    row = session.execute(stmt, {"nomination_id": nomination_id}).one_or_none()
    if row is None:
        return None
    return row[0], row[1], row[2], {row[3]: row[4], row[5]: row[6], row[7]: row[8]}


def add(session: Session, nomination: Nomination) -> Nomination:
    session.add(nomination)
    session.flush()
    return nomination


def count_proposed_for_quota(
    session: Session, round_id: int, award_id: int, unit_id: int, exclude_id: int
) -> int:
    """Nominations of this unit for this award in this round already past draft and alive."""
    stmt = select(func.count()).where(
        Nomination.round_id == round_id,
        Nomination.award_id == award_id,
        Nomination.unit_id == unit_id,
        Nomination.id != exclude_id,
        Nomination.state.in_(_LIVE_BEYOND_DRAFT),
    )
    return int(session.execute(stmt).scalar_one())


def duplicate_live(session: Session, nomination: Nomination) -> int | None:
    """Another live, proposed (not draft) nomination of the same nominee for the same award in
    the same round. Drafts are the unit's working copies and do not block."""
    nominee = (
        Nomination.person_id == nomination.person_id
        if nomination.person_id is not None
        else Nomination.nominee_unit_id == nomination.nominee_unit_id
    )
    stmt = (
        select(Nomination.id)
        .where(
            Nomination.round_id == nomination.round_id,
            Nomination.award_id == nomination.award_id,
            Nomination.id != nomination.id,
            Nomination.state.in_(_LIVE_BEYOND_DRAFT),
            nominee,
        )
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def evidence_kinds(session: Session, nomination_id: int) -> set[str]:
    stmt = select(Evidence.kind).where(
        Evidence.nomination_id == nomination_id, Evidence.removed_at.is_(None)
    )
    return set(session.execute(stmt).scalars())


def evidence_for(session: Session, nomination_id: int) -> Sequence[Evidence]:
    stmt = (
        select(Evidence)
        .where(Evidence.nomination_id == nomination_id)
        .order_by(Evidence.uploaded_at, Evidence.id)
    )
    return session.execute(stmt).scalars().all()


def add_evidence(session: Session, evidence: Evidence) -> Evidence:
    session.add(evidence)
    session.flush()
    return evidence


def states(session: Session, ids: Sequence[int]) -> dict[int, NominationState]:
    stmt = select(Nomination.id, Nomination.state).where(Nomination.id.in_(ids))
    return {row.id: row.state for row in session.execute(stmt)}


def ids_in_state(session: Session, round_id: int, state: NominationState) -> list[int]:
    stmt = (
        select(Nomination.id)
        .where(Nomination.round_id == round_id, Nomination.state == state)
        .order_by(Nomination.id)
    )
    return list(session.execute(stmt).scalars())


def in_state_with_award(
    session: Session, round_id: int, state: NominationState
) -> list[tuple[int, int, int]]:
    """(nomination id, award id, proposing unit id) of a round's nominations in ``state``."""
    stmt = (
        select(Nomination.id, Nomination.award_id, Nomination.unit_id)
        .where(Nomination.round_id == round_id, Nomination.state == state)
        .order_by(Nomination.id)
    )
    return [(r[0], r[1], r[2]) for r in session.execute(stmt)]


def count_past_council(session: Session, round_id: int, award_id: int, unit_id: int) -> int:
    """Nominations of a unit for an award in a round that the council already approved."""
    stmt = select(func.count()).where(
        Nomination.round_id == round_id,
        Nomination.award_id == award_id,
        Nomination.unit_id == unit_id,
        Nomination.state.in_(_PAST_COUNCIL),
    )
    return int(session.execute(stmt).scalar_one())


_PAST_COUNCIL = [
    NominationState.COUNCIL_APPROVED,
    NominationState.SUBMITTED,
    NominationState.AUTHORITY_RETURNED,
    NominationState.AWARDED,
]


def count_past_council_in_round(session: Session, round_id: int, award_id: int) -> int:
    stmt = select(func.count()).where(
        Nomination.round_id == round_id,
        Nomination.award_id == award_id,
        Nomination.state.in_(_PAST_COUNCIL),
    )
    return int(session.execute(stmt).scalar_one())
