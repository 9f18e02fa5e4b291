"""Read-only queries behind the supervisor's dashboard page (web/pages/supervisor.py).

Every query takes ``where``, the actor's visibility filter from ``services/visibility.py``, so
the page shows exactly what the API's dashboard counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from awardflow.db.models import (
    AuditEvent,
    Award,
    Campaign,
    Nomination,
    OutboxMessage,
    RoleGrant,
    Round,
    Unit,
    User,
)
from awardflow.states.lifecycle import TERMINAL, NominationState, Role


@dataclass(frozen=True, slots=True)
class WorkRow:
    """One open dossier as the dashboard lists it."""

    id: int
    nominee: str
    state: NominationState
    round_id: int
    round_name: str
    award: str
    unit: str
    assignee_id: int | None
    assignee: str | None
    due_at: datetime | None
    state_entered_at: datetime
    last_activity_at: datetime
    escalation_level: int
    stuck: bool
    version: int


def counts_by_round_state(
    session: Session, where: ColumnElement[bool]
) -> list[tuple[int, NominationState, int]]:
    stmt = (
        select(Nomination.round_id, Nomination.state, func.count())
        .where(where)
        .group_by(Nomination.round_id, Nomination.state)
    )
    return [(int(r), s, int(n)) for r, s, n in session.execute(stmt)]


def rounds(session: Session, round_ids: Iterable[int]) -> list[tuple[Round, str]]:
    """The rounds with their campaign's title, newest first."""
    ids = list(round_ids)
    if not ids:
        return []
    stmt = (
        select(Round, Campaign.title)
        .join(Campaign, Campaign.id == Round.campaign_id)
        .where(Round.id.in_(ids))
        .order_by(Round.opens.desc(), Round.id)
    )
    return [(r, str(title)) for r, title in session.execute(stmt)]


def work_rows(
    session: Session,
    where: ColumnElement[bool],
    now: datetime,
    *,
    attention_only: bool,
    limit: int,
    ids: Sequence[int] = (),
) -> tuple[list[WorkRow], int]:
    """Open dossiers, stuck first, then overdue, then by escalation level and due date.
    ``attention_only`` keeps only the stuck and overdue ones; ``ids`` picks given dossiers."""
    assignee = aliased(User)
    overdue = Nomination.due_at < now
    cond = [where, Nomination.state.not_in(list(TERMINAL))]
    if attention_only:
        cond.append(or_(Nomination.stuck.is_(True), overdue))
    if ids:
        cond.append(Nomination.id.in_(list(ids)))
    total = session.execute(select(func.count()).select_from(Nomination).where(*cond)).scalar_one()
    stmt = (
        select(
            Nomination,
            Round.name,
            Award.name,
            Unit.name,
            assignee.full_name,
        )
        .join(Round, Round.id == Nomination.round_id)
        .join(Award, Award.id == Nomination.award_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .outerjoin(assignee, assignee.id == Nomination.assignee_id)
        .where(*cond)
        .order_by(
            Nomination.stuck.desc(),
            case((overdue, 0), else_=1),
            Nomination.escalation_level.desc(),
            Nomination.due_at.asc().nulls_last(),
            Nomination.id,
        )
        .limit(limit)
    )
    rows = [
        WorkRow(
            id=n.id,
            nominee=n.nominee_name,
            state=n.state,
            round_id=n.round_id,
            round_name=str(rname),
            award=str(aname),
            unit=str(uname),
            assignee_id=n.assignee_id,
            assignee=str(who) if who else None,
            due_at=n.due_at,
            state_entered_at=n.state_entered_at,
            last_activity_at=n.last_activity_at,
            escalation_level=n.escalation_level,
            stuck=n.stuck,
            version=n.version,
        )
        for n, rname, aname, uname, who in session.execute(stmt)
    ]
    return rows, int(total)


def user_names(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    stmt = select(User.id, User.full_name).where(User.id.in_(ids))
    return {int(i): str(n) for i, n in session.execute(stmt)}


def unit_names(session: Session, unit_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(unit_ids))
    if not ids:
        return {}
    stmt = select(Unit.id, Unit.name).where(Unit.id.in_(ids))
    return {int(i): str(n) for i, n in session.execute(stmt)}


def appraisers(session: Session, campaigns: ColumnElement[bool]) -> list[tuple[int, str]]:
    """Appraisers of the appraising offices of the campaigns in ``campaigns`` (a campaign
    filter), by name: whom a supervisor may (re)assign to."""
    stmt = (
        select(User.id, User.full_name)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .join(Campaign, Campaign.appraising_office_id == RoleGrant.unit_id)
        .where(RoleGrant.role == Role.APPRAISER, User.active.is_(True), campaigns)
        .distinct()
        .order_by(User.full_name, User.id)
    )
    return [(int(i), str(n)) for i, n in session.execute(stmt)]


def exits_since(
    session: Session, where: ColumnElement[bool], round_ids: Iterable[int], since: datetime
) -> list[tuple[int, str, str, int]]:
    """(round, from state, to state, count) of transitions since ``since``: the pace."""
    ids = list(round_ids)
    if not ids:
        return []
    stmt = (
        select(Nomination.round_id, AuditEvent.from_state, AuditEvent.to_state, func.count())
        .join(Nomination, Nomination.id == AuditEvent.nomination_id)
        .where(
            where,
            Nomination.round_id.in_(ids),
            AuditEvent.at >= since,
            AuditEvent.from_state.is_not(None),
            AuditEvent.from_state != AuditEvent.to_state,
        )
        .group_by(Nomination.round_id, AuditEvent.from_state, AuditEvent.to_state)
    )
    return [(int(r), str(f), str(t), int(n)) for r, f, t, n in session.execute(stmt)]


def stage_queue(
    session: Session, where: ColumnElement[bool], round_id: int, states: Sequence[NominationState]
) -> list[tuple[int, str]]:
    """(id, nominee) of a round's dossiers in ``states``, soonest due first."""
    stmt = (
        select(Nomination.id, Nomination.nominee_name)
        .where(where, Nomination.round_id == round_id, Nomination.state.in_(list(states)))
        .order_by(Nomination.due_at.asc().nulls_last(), Nomination.state_entered_at, Nomination.id)
    )
    return [(int(i), str(n)) for i, n in session.execute(stmt)]


def _failed_scope(where: ColumnElement[bool], include_unlinked: bool) -> ColumnElement[bool]:
    scope: ColumnElement[bool] = OutboxMessage.nomination_id.in_(select(Nomination.id).where(where))
    if include_unlinked:
        scope = or_(scope, OutboxMessage.nomination_id.is_(None))
    return and_(OutboxMessage.status == "failed", scope)


@dataclass(frozen=True, slots=True)
class FailedRow:
    row: OutboxMessage
    nominee: str | None
    user: str | None  # the recipient user's name, or
    unit: str | None  # the unit whose role holders were to receive it


def failed_notifications(
    session: Session, where: ColumnElement[bool], *, include_unlinked: bool, limit: int = 50
) -> list[FailedRow]:
    """Failed outbox rows about dossiers the actor sees (and, for an administrator, those
    about no dossier, e.g. digests), newest first, with names for the page."""
    to_unit = aliased(Unit)
    stmt = (
        select(OutboxMessage, Nomination.nominee_name, User.full_name, to_unit.name)
        .outerjoin(Nomination, Nomination.id == OutboxMessage.nomination_id)
        .outerjoin(User, User.id == OutboxMessage.recipient_user_id)
        .outerjoin(to_unit, to_unit.id == OutboxMessage.recipient_unit_id)
        .where(_failed_scope(where, include_unlinked))
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return [
        FailedRow(row, _str(nominee), _str(user), _str(unit))
        for row, nominee, user, unit in session.execute(stmt)
    ]


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def failed_visible_ids(
    session: Session, where: ColumnElement[bool], ids: Iterable[int], *, include_unlinked: bool
) -> list[int]:
    """Which of ``ids`` are failed rows the actor may retry."""
    wanted = list(ids)
    if not wanted:
        return []
    stmt = select(OutboxMessage.id).where(
        OutboxMessage.id.in_(wanted), _failed_scope(where, include_unlinked)
    )
    return sorted(int(i) for i in session.execute(stmt).scalars())
