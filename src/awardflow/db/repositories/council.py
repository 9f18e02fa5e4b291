"""Queries over council sessions, agendas and ballot tallies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Table, and_, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from awardflow.db.models import (
    AgendaItem,
    Attendance,
    BallotTally,
    CouncilMember,
    CouncilSession,
    Nomination,
)
from awardflow.db.repositories.driver_sql import in_driver_style
from awardflow.states.lifecycle import NominationState

# The ballot's statements, built once at import (building a select costs more than running it).
# Hot path: the receipt inserted only when every check holds (``_CAST_RECEIPT``) and the
# counter's update, both run on the session's connection. When the receipt is not inserted:
# one read for everything a ballot checks (to say why), the plain receipt, the update.
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


_IN_COUNCIL = NominationState.IN_COUNCIL.value
# A ballot in one statement when everything holds (the common case): the receipt is inserted
# only if the session is open, the voter a member recorded present, and the dossier on its
# agenda and in council; 0 rows means "find out why" (``_BALLOT_CONTEXT``) or a second
# ballot. SQLite needs the WHERE before ON CONFLICT (else ON reads as a join's ON).
_CAST_RECEIPT = in_driver_style(
    "INSERT INTO ballot_receipts (session_id, nomination_id, user_id, written, cast_on) "
    "SELECT s.id, i.nomination_id, m.user_id, :written, :cast_on "
    "FROM council_sessions s "
    "JOIN council_members m ON m.session_id = s.id AND m.user_id = :user_id "
    "JOIN attendance a ON a.session_id = s.id AND a.user_id = :user_id AND a.present "
    "JOIN agenda_items i ON i.session_id = s.id AND i.nomination_id = :nomination_id "
    f"JOIN nominations n ON n.id = i.nomination_id AND n.state = '{_IN_COUNCIL}' "
    "WHERE s.id = :session_id AND s.status = 'open' "
    "ON CONFLICT (session_id, nomination_id, user_id) DO NOTHING"
)
_COUNT_VOTE = in_driver_style(
    "UPDATE ballot_tallies SET count = count + 1 "
    "WHERE session_id = :session_id AND nomination_id = :nomination_id AND choice = :choice"
)
# PostgreSQL: the counter moves in the same statement only if the receipt went in (the tally
# rows exist from agenda creation, so 1 row updated <=> the ballot was taken)
_CAST_AND_COUNT = {
    "postgresql": (
        f"WITH receipt AS ({_CAST_RECEIPT['postgresql']} RETURNING 1) "
        + _COUNT_VOTE["postgresql"]
        + " AND EXISTS (SELECT 1 FROM receipt)"
    )
}
_AGENDA_ITEM = text(
    "INSERT INTO agenda_items (session_id, nomination_id, position) "
    "VALUES (:session_id, :nomination_id, :position)"
)
_TALLY_ROW = text(
    "INSERT INTO ballot_tallies (session_id, nomination_id, choice, count) "
    "VALUES (:session_id, :nomination_id, :choice, 0)"
)
_LAST_POSITION = select(func.coalesce(func.max(AgendaItem.position), 0)).where(
    AgendaItem.session_id == bindparam("session_id")
)


def cast_ballot(
    session: Session,
    session_id: int,
    nomination_id: int,
    user_id: int | None,
    choice: str,
    *,
    cast_on: str,
) -> bool:
    """A present member's own ballot when every condition of a ballot holds: the receipt (see
    ``_CAST_RECEIPT``) and, only if it went in, the vote counted. False (nothing written) when
    a condition does not hold or the member already voted on the item. On PostgreSQL both in
    one statement (the insert as a data-modifying WITH), one round trip; SQLite has no such
    WITH, so there it is two."""
    conn = session.connection()
    params = {
        "session_id": session_id,
        "nomination_id": nomination_id,
        "user_id": user_id,
        "written": False,
        "cast_on": cast_on,
        "choice": choice,
    }
    dialect = conn.dialect.name
    if dialect in _CAST_AND_COUNT:
        return int(conn.exec_driver_sql(_CAST_AND_COUNT[dialect], params).rowcount) == 1
    if int(conn.exec_driver_sql(_CAST_RECEIPT[dialect], params).rowcount) != 1:
        return False
    conn.exec_driver_sql(_COUNT_VOTE[dialect], params)
    return True


def count_vote(session: Session, session_id: int, nomination_id: int, choice: str) -> None:
    """Count one vote for ``choice`` (the row exists from agenda creation, one per choice), on
    the session's connection: through ``Session.execute`` an UPDATE of a mapped class goes
    through the ORM's bulk-update machinery, for nothing, since no tally is ever loaded."""
    conn = session.connection()
    params = {"session_id": session_id, "nomination_id": nomination_id, "choice": choice}
    conn.exec_driver_sql(_COUNT_VOTE[conn.dialect.name], params)


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


def tallies(session: Session, session_id: int) -> dict[int, dict[str, int]]:
    """Every item's counters of the session: nomination id -> choice -> count."""
    stmt = select(BallotTally.nomination_id, BallotTally.choice, BallotTally.count).where(
        BallotTally.session_id == session_id
    )
    found: dict[int, dict[str, int]] = {}
    for nid, choice, count in session.execute(stmt):
        found.setdefault(int(nid), {})[str(choice)] = int(count)
    return found


def lock_session(session: Session, session_id: int) -> CouncilSession | None:
    stmt = select(CouncilSession).where(CouncilSession.id == session_id).with_for_update()
    return session.execute(stmt).scalar_one_or_none()


# --- the transition batches: what their guards and writes need, read once per batch ---------

_AGENDA: Table = AgendaItem.__table__  # type: ignore[assignment]
_SESSIONS: Table = CouncilSession.__table__  # type: ignore[assignment]
_MEMBERS: Table = CouncilMember.__table__  # type: ignore[assignment]
_ATTENDANCE: Table = Attendance.__table__  # type: ignore[assignment]
_TALLIES: Table = BallotTally.__table__  # type: ignore[assignment]
_VOTES = (
    select(_AGENDA.c.nomination_id, _AGENDA.c.session_id, _AGENDA.c.outcome, _TALLIES.c.count)
    .select_from(_AGENDA)
    .outerjoin(
        _TALLIES,
        and_(
            _TALLIES.c.session_id == _AGENDA.c.session_id,
            _TALLIES.c.nomination_id == _AGENDA.c.nomination_id,
            _TALLIES.c.choice == "agree",
        ),
    )
    .where(_AGENDA.c.nomination_id.in_(bindparam("ids", expanding=True)))
    .order_by(_AGENDA.c.nomination_id, _AGENDA.c.session_id)
)
_SESSION_COUNTS = select(
    _SESSIONS.c.quorum,
    select(func.count()).where(_MEMBERS.c.session_id == _SESSIONS.c.id).scalar_subquery(),
    select(func.count())
    .where(_ATTENDANCE.c.session_id == _SESSIONS.c.id, _ATTENDANCE.c.present.is_(True))
    .scalar_subquery(),
).where(_SESSIONS.c.id == bindparam("session_id"))
_OPEN_SESSION = (
    select(_SESSIONS.c.id)
    .where(_SESSIONS.c.round_id == bindparam("round_id"), _SESSIONS.c.status == "open")
    .order_by(_SESSIONS.c.id)
    .limit(1)
)
_ALREADY_ON_AGENDA = select(_AGENDA.c.nomination_id).where(
    _AGENDA.c.session_id == bindparam("session_id"),
    _AGENDA.c.nomination_id.in_(bindparam("ids", expanding=True)),
)


def latest_votes(
    session: Session, nomination_ids: Sequence[int]
) -> dict[int, tuple[int, str | None, int]]:
    """Per nomination, its agenda item in its most recent session (as :func:`latest_item`) as
    (session id, outcome, agree-count); nominations never on an agenda are left out."""
    found: dict[int, tuple[int, str | None, int]] = {}
    conn = session.connection()
    for nid, sid, outcome, agree in conn.execute(_VOTES, {"ids": list(nomination_ids)}):
        found[int(nid)] = (int(sid), outcome, int(agree or 0))  # later sessions overwrite
    return found


def session_counts(session: Session, session_id: int) -> tuple[float, int, int] | None:
    """(quorum, members, present) of a session, in one statement; None if there is none."""
    row = session.connection().execute(_SESSION_COUNTS, {"session_id": session_id}).first()
    return None if row is None else (float(row[0]), int(row[1]), int(row[2]))


def open_session_id(session: Session, round_id: int) -> int | None:
    """:func:`open_session_for_round`'s id, without loading the row through the ORM."""
    found = session.connection().execute(_OPEN_SESSION, {"round_id": round_id}).scalar()
    return None if found is None else int(found)


def add_agenda_items(
    session: Session, session_id: int, nomination_ids: Sequence[int], choices: tuple[str, ...]
) -> None:
    """Put dossiers last on the agenda, in their order, each with a zeroed counter per choice,
    skipping those already on it (one statement per kind of row, however many dossiers)."""
    conn = session.connection()
    params = {"session_id": session_id, "ids": list(nomination_ids)}
    present = set(conn.execute(_ALREADY_ON_AGENDA, params).scalars())
    new = [n for n in dict.fromkeys(nomination_ids) if n not in present]
    if not new:
        return
    last = int(conn.execute(_LAST_POSITION, {"session_id": session_id}).scalar_one())
    items = [
        {"session_id": session_id, "nomination_id": n, "position": last + i}
        for i, n in enumerate(new, start=1)
    ]
    conn.execute(_AGENDA_ITEM, items)
    conn.execute(
        _TALLY_ROW,
        [{"session_id": session_id, "nomination_id": n, "choice": c} for n in new for c in choices],
    )


_NOMINATIONS: Table = Nomination.__table__  # type: ignore[assignment]
_TO_DECIDE = (
    select(
        _AGENDA.c.id,
        _NOMINATIONS.c.id,
        _NOMINATIONS.c.nominee_name,
        _NOMINATIONS.c.award_id,
        _NOMINATIONS.c.round_id,
    )
    .join(_NOMINATIONS, _NOMINATIONS.c.id == _AGENDA.c.nomination_id)
    .where(
        _AGENDA.c.session_id == bindparam("session_id"),
        _NOMINATIONS.c.state == NominationState.IN_COUNCIL,
    )
    .order_by(_AGENDA.c.position, _AGENDA.c.id)
)
_SET_OUTCOME = (
    update(_AGENDA)
    .where(_AGENDA.c.id == bindparam("b_id"))
    .values(outcome=bindparam("b_outcome"), rank=bindparam("b_rank"))
)


def items_to_decide(session: Session, session_id: int) -> list[tuple[int, int, str, int, int]]:
    """(agenda item id, nomination id, nominee, award id, round id) of the agenda's dossiers
    still in council, in agenda order: what closing decides, in one statement (no ORM rows)."""
    session.flush()
    rows = session.connection().execute(_TO_DECIDE, {"session_id": session_id})
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def set_outcomes(session: Session, outcomes: Sequence[tuple[int, str, int | None]]) -> None:
    """Store (agenda item id, outcome, rank) for each item, in one executemany."""
    if outcomes:
        params = [{"b_id": i, "b_outcome": o, "b_rank": r} for i, o, r in outcomes]
        session.connection().execute(_SET_OUTCOME, params)
