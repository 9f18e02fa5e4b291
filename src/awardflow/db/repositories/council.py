"""Queries over council sessions, agendas and ballot tallies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, and_, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from awardflow.db.models import (
    AgendaItem,
    Attendance,
    BallotTally,
    CouncilMember,
    CouncilSession,
    Nomination,
)

# The ballot's hot path: statements built once at import (building a select costs more than
# running it), one read for everything a ballot checks, one insert, one update.
_BALLOT_CONTEXT = (
    select(
        CouncilSession.status, CouncilMember.id, Attendance.present, AgendaItem.id, Nomination.state
    )
    .select_from(CouncilSession)
    .outerjoin(
        CouncilMember,
        and_(
            CouncilMember.session_id == CouncilSession.id,
            CouncilMember.user_id == bindparam("user_id"),
        ),
    )
    .outerjoin(
        Attendance,
        and_(
            Attendance.session_id == CouncilSession.id, Attendance.user_id == bindparam("user_id")
        ),
    )
    .outerjoin(
        AgendaItem,
        and_(
            AgendaItem.session_id == CouncilSession.id,
            AgendaItem.nomination_id == bindparam("nomination_id"),
        ),
    )
    .outerjoin(Nomination, Nomination.id == AgendaItem.nomination_id)
    .where(CouncilSession.id == bindparam("session_id"))
)
# SQLite and PostgreSQL share the ON CONFLICT form: a second ballot of the same member on the
# same item inserts nothing (rowcount 0), with no savepoint and nothing read first.
_RECEIPT = text(
    "INSERT INTO ballot_receipts (session_id, nomination_id, user_id, written, cast_on) "
    "VALUES (:session_id, :nomination_id, :user_id, :written, :cast_on) "
    "ON CONFLICT (session_id, nomination_id, user_id) DO NOTHING"
)
_TALLY = (
    update(BallotTally)
    .where(
        BallotTally.session_id == bindparam("b_session_id"),
        BallotTally.nomination_id == bindparam("b_nomination_id"),
        BallotTally.choice == bindparam("b_choice"),
    )
    .values(count=BallotTally.count + 1)
    .execution_options(synchronize_session=False)  # nothing loaded to keep in step
)
_AGENDA_ITEM = text(
    "INSERT INTO agenda_items (session_id, nomination_id, position) "
    "VALUES (:session_id, :nomination_id, :position)"
)
_TALLY_ROW = text(
    "INSERT INTO ballot_tallies (session_id, nomination_id, choice, count) "
    "VALUES (:session_id, :nomination_id, :choice, 0)"
)
_ON_AGENDA = select(AgendaItem.id).where(
    AgendaItem.session_id == bindparam("session_id"),
    AgendaItem.nomination_id == bindparam("nomination_id"),
)
_LAST_POSITION = select(func.coalesce(func.max(AgendaItem.position), 0)).where(
    AgendaItem.session_id == bindparam("session_id")
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


def add_to_tally(session: Session, session_id: int, nomination_id: int, choice: str) -> None:
    """Count one vote for ``choice``; the row exists from agenda creation (one per choice)."""
    params = {"b_session_id": session_id, "b_nomination_id": nomination_id, "b_choice": choice}
    session.execute(_TALLY, params)


def ballot_context(
    session: Session, session_id: int, nomination_id: int, user_id: int | None
) -> Row[Any] | None:
    """(session status, member row id, present, agenda item id, nomination state) for one
    ballot of ``user_id`` on ``nomination_id``; None when there is no such session. The ids are
    None when the user is no member / the dossier is not on the agenda."""
    params = {"session_id": session_id, "nomination_id": nomination_id, "user_id": user_id}
    return session.execute(_BALLOT_CONTEXT, params).one_or_none()


def add_receipt(
    session: Session,
    session_id: int,
    nomination_id: int,
    user_id: int,
    *,
    written: bool,
    cast_on: str,
) -> bool:
    """Record that ``user_id`` voted on the item; False if a receipt was already there."""
    result = session.execute(
        _RECEIPT,
        {
            "session_id": session_id,
            "nomination_id": nomination_id,
            "user_id": user_id,
            "written": written,
            "cast_on": cast_on,
        },
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def on_agenda(session: Session, session_id: int, nomination_id: int) -> bool:
    params = {"session_id": session_id, "nomination_id": nomination_id}
    return session.execute(_ON_AGENDA, params).first() is not None


def add_agenda_item(
    session: Session, session_id: int, nomination_id: int, choices: tuple[str, ...]
) -> None:
    """Put the dossier last on the agenda with a zeroed counter per choice."""
    position = int(session.execute(_LAST_POSITION, {"session_id": session_id}).scalar_one()) + 1
    item = {"session_id": session_id, "nomination_id": nomination_id}
    session.execute(_AGENDA_ITEM, {**item, "position": position})
    session.execute(_TALLY_ROW, [{**item, "choice": c} for c in choices])


def agenda_nominations(session: Session, session_id: int) -> list[Nomination]:
    """The agenda's nominations, loaded in one statement (closing reads each of them)."""
    stmt = (
        select(Nomination)
        .join(AgendaItem, AgendaItem.nomination_id == Nomination.id)
        .where(AgendaItem.session_id == session_id)
    )
    return list(session.execute(stmt).scalars())


def tallies(session: Session, session_id: int) -> dict[int, dict[str, int]]:
    """Every item's counters of the session: nomination id -> choice -> count."""
    stmt = select(BallotTally.nomination_id, BallotTally.choice, BallotTally.count).where(
        BallotTally.session_id == session_id
    )
    found: dict[int, dict[str, int]] = {}
    for nid, choice, count in session.execute(stmt):
        found.setdefault(int(nid), {})[str(choice)] = int(count)
    return found


def sessions_for_round(session: Session, round_id: int) -> list[CouncilSession]:
    stmt = select(CouncilSession).where(CouncilSession.round_id == round_id)
    return list(session.execute(stmt.order_by(CouncilSession.id)).scalars())


def lock_session(session: Session, session_id: int) -> CouncilSession | None:
    stmt = select(CouncilSession).where(CouncilSession.id == session_id).with_for_update()
    return session.execute(stmt).scalar_one_or_none()
