"""Read-only queries behind the unit, appraiser and dossier pages (issue 7, W2).

Every list is narrowed by a visibility condition built in ``services/visibility.py`` and passed
in as ``where``, so the pages see exactly what the API shows the same user.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from awardflow.db.models import (
    Award,
    Campaign,
    CampaignVersion,
    Evidence,
    Nomination,
    Person,
    Round,
    Unit,
    User,
)
from awardflow.states.lifecycle import NominationState


def state_counts(
    session: Session, where: ColumnElement[bool], round_id: int | None = None
) -> dict[NominationState, int]:
    """How many visible nominations sit in each state (of one round, if given)."""
    stmt = select(Nomination.state, func.count()).where(where).group_by(Nomination.state)
    if round_id is not None:
        stmt = stmt.where(Nomination.round_id == round_id)
    return {state: int(n) for state, n in session.execute(stmt)}


def campaigns_over(session: Session, unit_paths: Iterable[str]) -> Sequence[Campaign]:
    """Campaigns whose organiser is one of these units or an ancestor of one (a unit takes part
    in the campaigns organised above it)."""
    paths = sorted(set(unit_paths))
    if not paths:
        return []
    stmt = select(Campaign, Unit.path).join(Unit, Unit.id == Campaign.organiser_unit_id)
    return [
        c
        for c, organiser in session.execute(stmt.order_by(Campaign.id))
        if any(p.startswith(organiser) for p in paths)
    ]


def rounds_open_on(session: Session, campaign_ids: Sequence[int], day: date) -> Sequence[Round]:
    """Rounds of these campaigns that take proposals on ``day``."""
    if not campaign_ids:
        return []
    stmt = select(Round).where(
        Round.campaign_id.in_(campaign_ids),
        Round.closed_at.is_(None),
        Round.opens <= day,
        or_(Round.proposals_close.is_(None), Round.proposals_close >= day),
    )
    return session.execute(stmt.order_by(Round.campaign_id, Round.opens, Round.id)).scalars().all()


def awards_of(session: Session, campaign_ids: Sequence[int]) -> Sequence[Award]:
    if not campaign_ids:
        return []
    stmt = select(Award).where(Award.campaign_id.in_(campaign_ids))
    return session.execute(stmt.order_by(Award.campaign_id, Award.id)).scalars().all()


def units_under(session: Session, paths: Iterable[str]) -> Sequence[Unit]:
    clauses = [Unit.path.startswith(p, autoescape=True) for p in sorted(set(paths))]
    if not clauses:
        return []
    return session.execute(select(Unit).where(or_(*clauses)).order_by(Unit.path)).scalars().all()


def persons_under(session: Session, paths: Iterable[str], limit: int = 1000) -> Sequence[Person]:
    clauses = [Unit.path.startswith(p, autoescape=True) for p in sorted(set(paths))]
    if not clauses:
        return []
    stmt = (
        select(Person)
        .join(Unit, Unit.id == Person.unit_id)
        .where(or_(*clauses))
        .order_by(Unit.path, Person.full_name, Person.id)
        .limit(limit)
    )
    return session.execute(stmt).scalars().all()


def unit_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    stmt = select(Unit.id, Unit.name).where(Unit.id.in_(wanted))
    return {int(k): str(v) for k, v in session.execute(stmt)}


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    stmt = select(User.id, User.full_name).where(User.id.in_(wanted))
    return {int(k): str(v) for k, v in session.execute(stmt)}


def awards_by_id(session: Session, ids: Iterable[int]) -> dict[int, Award]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {a.id: a for a in session.execute(select(Award).where(Award.id.in_(wanted))).scalars()}


def rounds_by_id(session: Session, ids: Iterable[int]) -> dict[int, Round]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {r.id: r for r in session.execute(select(Round).where(Round.id.in_(wanted))).scalars()}


def campaign_definition(session: Session, campaign_id: int, version: int) -> dict[str, object]:
    """The stored definition of one campaign version (criteria live there)."""
    stmt = select(CampaignVersion.definition).where(
        CampaignVersion.campaign_id == campaign_id, CampaignVersion.version == version
    )
    found = session.execute(stmt).scalar_one_or_none()
    return dict(found) if found else {}


def evidence_item(session: Session, nomination_id: int, evidence_id: int) -> Evidence | None:
    stmt = select(Evidence).where(
        Evidence.id == evidence_id, Evidence.nomination_id == nomination_id
    )
    return session.execute(stmt).scalar_one_or_none()


def unit_nominations(
    session: Session,
    where: ColumnElement[bool],
    *,
    round_id: int | None,
    states: Sequence[NominationState],
    limit: int,
    offset: int,
) -> tuple[Sequence[Nomination], int]:
    """Visible nominations, newest round first, then by state and deadline (the unit's list)."""
    stmt = select(Nomination).join(Round, Round.id == Nomination.round_id).where(where)
    if round_id is not None:
        stmt = stmt.where(Nomination.round_id == round_id)
    if states:
        stmt = stmt.where(Nomination.state.in_(list(states)))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    order = (Round.opens.desc(), Round.id, Nomination.due_at.asc().nulls_last(), Nomination.id)
    rows = session.execute(stmt.order_by(*order).limit(limit).offset(offset)).scalars().all()
    return rows, int(total)


def round_counts(session: Session, where: ColumnElement[bool]) -> dict[int, int]:
    """Visible nominations per round."""
    stmt = select(Nomination.round_id, func.count()).where(where).group_by(Nomination.round_id)
    return {int(r): int(n) for r, n in session.execute(stmt)}
