"""Queries over council sessions, agendas and ballot tallies."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from awardflow.db.models import (
    AgendaItem,
    Attendance,
    BallotReceipt,
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


def add(session: Session, obj: object) -> None:
    session.add(obj)


def members(session: Session, session_id: int) -> list[CouncilMember]:
    stmt = select(CouncilMember).where(CouncilMember.session_id == session_id)
    return list(session.execute(stmt.order_by(CouncilMember.id)).scalars())


def member(session: Session, session_id: int, user_id: int) -> CouncilMember | None:
    stmt = select(CouncilMember).where(
        CouncilMember.session_id == session_id, CouncilMember.user_id == user_id
    )
    return session.execute(stmt).scalar_one_or_none()


def attendance(session: Session, session_id: int, user_id: int) -> Attendance | None:
    stmt = select(Attendance).where(
        Attendance.session_id == session_id, Attendance.user_id == user_id
    )
    return session.execute(stmt).scalar_one_or_none()


def attendance_list(session: Session, session_id: int) -> list[Attendance]:
    stmt = select(Attendance).where(Attendance.session_id == session_id)
    return list(session.execute(stmt.order_by(Attendance.user_id)).scalars())


def agenda(session: Session, session_id: int) -> list[AgendaItem]:
    stmt = select(AgendaItem).where(AgendaItem.session_id == session_id)
    return list(session.execute(stmt.order_by(AgendaItem.position, AgendaItem.id)).scalars())


def agenda_item(session: Session, session_id: int, nomination_id: int) -> AgendaItem | None:
    stmt = select(AgendaItem).where(
        AgendaItem.session_id == session_id, AgendaItem.nomination_id == nomination_id
    )
    return session.execute(stmt).scalar_one_or_none()


def has_receipt(session: Session, session_id: int, nomination_id: int, user_id: int) -> bool:
    stmt = select(BallotReceipt.id).where(
        BallotReceipt.session_id == session_id,
        BallotReceipt.nomination_id == nomination_id,
        BallotReceipt.user_id == user_id,
    )
    return session.execute(stmt).first() is not None


def add_to_tally(session: Session, session_id: int, nomination_id: int, choice: str) -> None:
    """Count one vote for ``choice``; the row exists from agenda creation (one per choice)."""
    stmt = (
        update(BallotTally)
        .where(
            BallotTally.session_id == session_id,
            BallotTally.nomination_id == nomination_id,
            BallotTally.choice == choice,
        )
        .values(count=BallotTally.count + 1)
    )
    session.execute(stmt)


def sessions_for_round(session: Session, round_id: int) -> list[CouncilSession]:
    stmt = select(CouncilSession).where(CouncilSession.round_id == round_id)
    return list(session.execute(stmt.order_by(CouncilSession.id)).scalars())


def lock_session(session: Session, session_id: int) -> CouncilSession | None:
    stmt = select(CouncilSession).where(CouncilSession.id == session_id).with_for_update()
    return session.execute(stmt).scalar_one_or_none()
