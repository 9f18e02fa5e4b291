"""Read-only queries behind the director's and the receiving authority's desks (issue 7, W4).

Nomination lists take a visibility condition built in ``services/visibility.py`` (``where``),
so the pages show exactly what the API shows the same user.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from awardflow.db.models import (
    AuditEvent,
    Award,
    Campaign,
    Decision,
    DecisionItem,
    Nomination,
    Round,
    Submission,
    SubmissionItem,
    Unit,
)
from awardflow.states.lifecycle import NominationState


def desk_rows(
    session: Session, where: ColumnElement[bool], states: Sequence[NominationState]
) -> list[dict[str, Any]]:
    """Visible nominations in ``states`` with their round, campaign, unit and award."""
    stmt = (
        select(
            Nomination.id,
            Nomination.version,
            Nomination.state,
            Nomination.nominee_name,
            Nomination.nominee_kind,
            Nomination.state_entered_at,
            Nomination.due_at,
            Round.id,
            Round.name,
            Campaign.id,
            Campaign.title,
            Campaign.organiser_unit_id,
            Campaign.authority_unit_id,
            Campaign.central_authority_unit_id,
            Unit.name,
            Award.name,
            Award.deciding_authority,
        )
        .join(Round, Round.id == Nomination.round_id)
        .join(Campaign, Campaign.id == Nomination.campaign_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .join(Award, Award.id == Nomination.award_id)
        .where(where, Nomination.state.in_(list(states)))
        .order_by(Round.opens, Round.id, Award.name, Nomination.id)
    )
    keys = [
        "id",
        "version",
        "state",
        "nominee",
        "kind",
        "entered_at",
        "due_at",
        "round_id",
        "round",
        "campaign_id",
        "campaign",
        "organiser_unit_id",
        "authority_unit_id",
        "central_authority_unit_id",
        "unit",
        "award",
        "deciding",
    ]
    return [dict(zip(keys, row, strict=True)) for row in session.execute(stmt)]


def unit_names(session: Session, unit_ids: Sequence[int]) -> dict[int, str]:
    stmt = select(Unit.id, Unit.name).where(Unit.id.in_(list(unit_ids)))
    return {int(i): str(n) for i, n in session.execute(stmt)}


def _under_any(column: Any, paths: Sequence[str]) -> ColumnElement[bool]:
    return or_(*(column.startswith(p, autoescape=True) for p in paths))


def decisions_under(session: Session, paths: Sequence[str], limit: int) -> list[dict[str, Any]]:
    """Decisions issued by a unit in one of the subtrees at ``paths``, newest first, with the
    number of recipients."""
    if not paths:
        return []
    count = (
        select(func.count())
        .where(DecisionItem.decision_id == Decision.id)
        .correlate(Decision)
        .scalar_subquery()
    )
    stmt = (
        select(Decision.id, Decision.number, Decision.date, Unit.name, count)
        .join(Unit, Unit.id == Decision.issuer_unit_id)
        .where(_under_any(Unit.path, paths))
        .order_by(Decision.date.desc(), Decision.id.desc())
        .limit(limit)
    )
    keys = ("id", "number", "date", "issuer", "recipients")
    return [dict(zip(keys, row, strict=True)) for row in session.execute(stmt)]


def decision_under(session: Session, decision_id: int, paths: Sequence[str]) -> bool:
    if not paths:
        return False
    stmt = (
        select(Decision.id)
        .join(Unit, Unit.id == Decision.issuer_unit_id)
        .where(Decision.id == decision_id, _under_any(Unit.path, paths))
    )
    return session.execute(stmt).first() is not None


def submission_headers(
    session: Session, submission_ids: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """Round, campaign and receiving authority of each submission."""
    stmt = (
        select(Submission.id, Round.name, Campaign.title, Unit.name)
        .join(Round, Round.id == Submission.round_id)
        .join(Campaign, Campaign.id == Round.campaign_id)
        .join(Unit, Unit.id == Submission.authority_unit_id)
        .where(Submission.id.in_(list(submission_ids)))
    )
    return {
        int(i): {"round": r, "campaign": c, "authority": a} for i, r, c, a in session.execute(stmt)
    }


def submission_items(
    session: Session, submission_ids: Sequence[int]
) -> dict[int, list[dict[str, Any]]]:
    """The nominations of each submission, in package order, with their current state."""
    stmt = (
        select(
            SubmissionItem.submission_id,
            Nomination.id,
            Nomination.version,
            Nomination.state,
            Nomination.nominee_name,
            Nomination.nominee_kind,
            Nomination.decision_number,
            Nomination.decision_date,
            Unit.name,
            Award.name,
        )
        .join(Nomination, Nomination.id == SubmissionItem.nomination_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .join(Award, Award.id == Nomination.award_id)
        .where(SubmissionItem.submission_id.in_(list(submission_ids)))
        .order_by(SubmissionItem.submission_id, SubmissionItem.id)
    )
    keys = [
        "id",
        "version",
        "state",
        "nominee",
        "kind",
        "decision_number",
        "decision_date",
        "unit",
        "award",
    ]
    out: dict[int, list[dict[str, Any]]] = {int(i): [] for i in submission_ids}
    for sub_id, *row in session.execute(stmt):
        out[int(sub_id)].append(dict(zip(keys, row, strict=True)))
    return out


def last_comments(
    session: Session, nomination_ids: Sequence[int], triggers: Sequence[str]
) -> dict[int, str]:
    """The comment of each nomination's latest event among ``triggers`` (a return's reason)."""
    if not nomination_ids:
        return {}
    latest = (
        select(AuditEvent.nomination_id, func.max(AuditEvent.seq).label("seq"))
        .where(
            AuditEvent.nomination_id.in_(list(nomination_ids)),
            AuditEvent.trigger.in_(list(triggers)),
        )
        .group_by(AuditEvent.nomination_id)
        .subquery()
    )
    stmt = select(AuditEvent.nomination_id, AuditEvent.comment).join(
        latest,
        (latest.c.nomination_id == AuditEvent.nomination_id) & (latest.c.seq == AuditEvent.seq),
    )
    return {int(n): str(c or "") for n, c in session.execute(stmt)}
