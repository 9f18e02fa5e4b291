"""Queries over council sessions, agendas and ballot tallies."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from awardflow.db.models import (
    AgendaItem,
    Attendance,
    BallotTally,
    CouncilMember,
    CouncilSession,
)


def open_session_for_round(session: Session, round_id: int) -> CouncilSession | None:
    stmt = (
        select(CouncilSession)
        .where(CouncilSession.round_id == round_id, CouncilSession.status == "open")
        .order_by(CouncilSession.id)
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def latest_item(session: Session, nomination_id: int) -> AgendaItem | None:
    """The nomination's agenda item in its most recent session."""
    stmt = (
        select(AgendaItem)
        .where(AgendaItem.nomination_id == nomination_id)
        .order_by(AgendaItem.session_id.desc())
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def tally(session: Session, session_id: int, nomination_id: int) -> dict[str, int]:
    stmt = select(BallotTally.choice, BallotTally.count).where(
        BallotTally.session_id == session_id, BallotTally.nomination_id == nomination_id
    )
    return {str(choice): int(count) for choice, count in session.execute(stmt)}


def member_count(session: Session, session_id: int) -> int:
    stmt = select(func.count()).where(CouncilMember.session_id == session_id)
    return int(session.execute(stmt).scalar_one())


def present_count(session: Session, session_id: int) -> int:
    stmt = select(func.count()).where(
        Attendance.session_id == session_id, Attendance.present.is_(True)
    )
    return int(session.execute(stmt).scalar_one())


def get_session(session: Session, session_id: int) -> CouncilSession | None:
    return session.get(CouncilSession, session_id)
