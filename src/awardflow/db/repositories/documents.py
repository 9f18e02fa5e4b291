"""Queries behind the official documents: nominees with their person, unit and award; council
sessions with members' names; decisions and their sổ vàng items; who signs for a unit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from awardflow.db.models import (
    AgendaItem,
    Attendance,
    Award,
    AwardHistory,
    Campaign,
    CampaignVersion,
    CouncilMember,
    CouncilSession,
    Decision,
    DecisionItem,
    Nomination,
    Person,
    RoleGrant,
    Round,
    Submission,
    Unit,
    User,
)
from awardflow.db.models.campaign import Summary
from awardflow.states.lifecycle import NominationState, Role


def summary(session: Session, summary_id: int) -> Summary | None:
    return session.get(Summary, summary_id)


def submission(session: Session, submission_id: int) -> Submission | None:
    return session.get(Submission, submission_id)


def council_session(session: Session, session_id: int) -> CouncilSession | None:
    return session.get(CouncilSession, session_id)


def decision(session: Session, decision_id: int) -> Decision | None:
    return session.get(Decision, decision_id)


def unit(session: Session, unit_id: int) -> Unit | None:
    return session.get(Unit, unit_id)


def round_(session: Session, round_id: int) -> Round | None:
    return session.get(Round, round_id)


def campaign(session: Session, campaign_id: int) -> Campaign | None:
    return session.get(Campaign, campaign_id)


def add(session: Session, obj: object) -> None:
    session.add(obj)


def definition(session: Session, campaign_id: int) -> dict[str, Any]:
    """The campaign's current YAML definition as loaded (empty when none was stored)."""
    stmt = (
        select(CampaignVersion.definition)
        .join(Campaign, Campaign.id == CampaignVersion.campaign_id)
        .where(Campaign.id == campaign_id, CampaignVersion.version == Campaign.current_version)
    )
    found = session.execute(stmt).scalar_one_or_none()
    return dict(found) if found else {}


def signer_name(session: Session, unit_path: str, role: Role = Role.DIRECTOR) -> str:
    """The full name of the first user holding ``role`` on the unit at ``unit_path`` itself."""
    stmt = (
        select(User.full_name)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .join(Unit, Unit.id == RoleGrant.unit_id)
        .where(RoleGrant.role == role, Unit.path == unit_path, User.active.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none() or ""


def nominees(session: Session, nomination_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Everything a document says about each nomination, keyed by id."""
    nominee_unit = aliased(Unit)
    stmt = (
        select(
            Nomination,
            Award.code,
            Award.name,
            Unit.name,
            Person.full_name,
            Person.birth_year,
            Person.gender,
            Person.position,
            nominee_unit.name,
        )
        .join(Award, Award.id == Nomination.award_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .outerjoin(Person, Person.id == Nomination.person_id)
        .outerjoin(nominee_unit, nominee_unit.id == Nomination.nominee_unit_id)
        .where(Nomination.id.in_(list(nomination_ids)))
    )
    out: dict[int, dict[str, Any]] = {}
    for nom, code, award, unit_name, full, birth, gender, position, own in session.execute(stmt):
        out[nom.id] = {
            "nomination_id": nom.id,
            "person_id": nom.person_id,
            "nominee_unit_id": nom.nominee_unit_id,
            "nominee": nom.nominee_name or full or own or "",
            "kind": nom.nominee_kind.value,
            "unit": unit_name,
            "position": position or str(nom.fields.get("position") or ""),
            "birth_year": birth or nom.fields.get("birth_year"),
            "gender": gender or nom.fields.get("gender"),
            "award_code": code,
            "award": award,
            "achievement": nom.achievement,
            "fields": dict(nom.fields),
            "opinion": nom.opinion or "",
            "state": nom.state.value,
            "decision_number": nom.decision_number,
            "decision_date": nom.decision_date,
        }
    return out


def closed_sessions_with(session: Session, nomination_ids: Sequence[int]) -> list[CouncilSession]:
    """Closed council sessions that voted on any of these nominations, oldest first."""
    voted = select(AgendaItem.session_id).where(AgendaItem.nomination_id.in_(list(nomination_ids)))
    stmt = select(CouncilSession).where(
        CouncilSession.id.in_(voted), CouncilSession.status == "closed"
    )
    return list(session.execute(stmt.order_by(CouncilSession.id)).scalars())


def member_rows(session: Session, session_id: int) -> list[dict[str, Any]]:
    """Members of a council session with name, seat and attendance, chair first."""
    stmt = (
        select(User.id, User.full_name, CouncilMember.role, Attendance.present)
        .join(User, User.id == CouncilMember.user_id)
        .outerjoin(
            Attendance,
            (Attendance.session_id == CouncilMember.session_id)
            & (Attendance.user_id == CouncilMember.user_id),
        )
        .where(CouncilMember.session_id == session_id)
        .order_by(CouncilMember.id)
    )
    return [
        {"user_id": uid, "name": name, "seat": seat, "present": bool(present)}
        for uid, name, seat, present in session.execute(stmt)
    ]


def user_name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    user = session.get(User, user_id)
    return user.full_name if user else ""


def decision_by_number(session: Session, issuer_unit_id: int, number: str) -> Decision | None:
    stmt = select(Decision).where(
        Decision.issuer_unit_id == issuer_unit_id, Decision.number == number
    )
    return session.execute(stmt).scalar_one_or_none()


def decision_items(session: Session, decision_id: int) -> list[tuple[int, int]]:
    """(order number, nomination id) of a decision, by order number."""
    stmt = (
        select(DecisionItem.order_no, DecisionItem.nomination_id)
        .where(DecisionItem.decision_id == decision_id)
        .order_by(DecisionItem.order_no)
    )
    return [(o, n) for o, n in session.execute(stmt)]


def awarded_states(session: Session, nomination_ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """(state, decision number, decision date) of each nomination."""
    stmt = select(
        Nomination.id, Nomination.state, Nomination.decision_number, Nomination.decision_date
    ).where(Nomination.id.in_(list(nomination_ids)))
    return {i: (s, n, d) for i, s, n, d in session.execute(stmt)}


def awarded_with_number(session: Session, number: str) -> list[int]:
    """Awarded nominations recorded with this decision number, in a stable order."""
    stmt = (
        select(Nomination.id)
        .join(Award, Award.id == Nomination.award_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .where(Nomination.state == NominationState.AWARDED, Nomination.decision_number == number)
        .order_by(Award.name, Unit.name, Nomination.nominee_name, Nomination.id)
    )
    return list(session.execute(stmt).scalars())


def already_in_decision(session: Session, nomination_ids: Sequence[int]) -> list[int]:
    stmt = select(DecisionItem.nomination_id).where(
        DecisionItem.nomination_id.in_(list(nomination_ids))
    )
    return list(session.execute(stmt).scalars())


def next_order_no(session: Session, decision_id: int) -> int:
    stmt = select(func.coalesce(func.max(DecisionItem.order_no), 0)).where(
        DecisionItem.decision_id == decision_id
    )
    return int(session.execute(stmt).scalar_one()) + 1


def past_awards(
    session: Session,
    person_id: int | None,
    unit_id: int | None,
    before_year: int | None,
    nomination_id: int | None = None,
) -> list[dict[str, Any]]:
    """The nominee's earlier awards (year, award, decision), oldest first; the award this
    nomination itself brought is left out."""
    if person_id is None and unit_id is None:
        return []
    who = (
        AwardHistory.person_id == person_id
        if person_id is not None
        else AwardHistory.unit_id == unit_id
    )
    stmt = select(AwardHistory).where(who)
    if before_year is not None:
        stmt = stmt.where(AwardHistory.year <= before_year)
    if nomination_id is not None:
        stmt = stmt.where(
            AwardHistory.nomination_id.is_(None) | (AwardHistory.nomination_id != nomination_id)
        )
    rows = session.execute(stmt.order_by(AwardHistory.year, AwardHistory.id)).scalars()
    return [
        {
            "year": h.year,
            "award_code": h.award_code,
            "decision_number": h.decision_number or "",
            "decision_date": h.decision_date,
            "issuer": h.issuer or "",
        }
        for h in rows
    ]


def campaign_of(session: Session, nomination_ids: Sequence[int]) -> int | None:
    """The campaign of the first of these nominations (a decision stays within one campaign)."""
    if not nomination_ids:
        return None
    nom = session.get(Nomination, nomination_ids[0])
    return nom.campaign_id if nom else None
