"""Read-only queries behind the council pages (web/pages/council.py).

Nothing here reads ``ballot_tallies`` of an open session: while a session sits the pages only
learn *that* a member voted (receipts), never *what* anyone chose. Tallies are read from the
minutes once the session has closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from awardflow.db.models import (
    AgendaItem,
    Attendance,
    Award,
    BallotReceipt,
    Campaign,
    CouncilMember,
    CouncilSession,
    Nomination,
    RoleGrant,
    Round,
    Unit,
    User,
)
from awardflow.states.lifecycle import NominationState, Role


@dataclass(frozen=True, slots=True)
class SessionRow:
    session: CouncilSession
    round_name: str
    campaign_title: str
    campaign_id: int
    organiser_unit_id: int
    members: int
    agenda: int


@dataclass(frozen=True, slots=True)
class DossierSummary:
    """What a member reads about one dossier before voting."""

    id: int
    nominee: str
    nominee_kind: str
    unit: str
    award: str
    award_id: int
    threshold: float
    quota_percent: float | None
    achievement: str
    opinion: str | None
    state: NominationState


def sessions(
    session: Session, campaigns: ColumnElement[bool], session_id: int | None = None
) -> list[SessionRow]:
    """Council sessions of the campaigns in ``campaigns`` (a campaign filter), open first,
    then planned, then closed, newest first within each (or just ``session_id``)."""
    members = (
        select(func.count())
        .where(CouncilMember.session_id == CouncilSession.id)
        .correlate(CouncilSession)
        .scalar_subquery()
    )
    agenda = (
        select(func.count())
        .where(AgendaItem.session_id == CouncilSession.id)
        .correlate(CouncilSession)
        .scalar_subquery()
    )
    stmt = (
        select(
            CouncilSession,
            Round.name,
            Campaign.title,
            Campaign.id,
            Campaign.organiser_unit_id,
            members,
            agenda,
        )
        .join(Round, Round.id == CouncilSession.round_id)
        .join(Campaign, Campaign.id == Round.campaign_id)
        .where(campaigns)
        .order_by(CouncilSession.id.desc())
    )
    if session_id is not None:
        stmt = stmt.where(CouncilSession.id == session_id)
    rows = [
        SessionRow(c, str(rn), str(ct), int(cid), int(org), int(m), int(a))
        for c, rn, ct, cid, org, m, a in session.execute(stmt)
    ]
    order = {"open": 0, "planned": 1, "closed": 2}
    return sorted(rows, key=lambda r: order.get(r.session.status, 3))


def session_row(
    session: Session, campaigns: ColumnElement[bool], session_id: int
) -> SessionRow | None:
    found = sessions(session, campaigns, session_id)
    return found[0] if found else None


def members(session: Session, session_id: int) -> list[tuple[int, str, str]]:
    """(user id, name, seat: chair | member) in the order the session lists them."""
    stmt = (
        select(CouncilMember.user_id, User.full_name, CouncilMember.role)
        .join(User, User.id == CouncilMember.user_id)
        .where(CouncilMember.session_id == session_id)
        .order_by(CouncilMember.id)
    )
    return [(int(u), str(n), str(r)) for u, n, r in session.execute(stmt)]


def attendance(session: Session, session_id: int) -> dict[int, tuple[bool, bool]]:
    """user id -> (present, written vote)."""
    stmt = select(Attendance.user_id, Attendance.present, Attendance.written_vote).where(
        Attendance.session_id == session_id
    )
    return {int(u): (bool(p), bool(w)) for u, p, w in session.execute(stmt)}


def agenda(session: Session, session_id: int) -> list[tuple[AgendaItem, DossierSummary]]:
    stmt = (
        select(AgendaItem, Nomination, Unit.name, Award)
        .join(Nomination, Nomination.id == AgendaItem.nomination_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .join(Award, Award.id == Nomination.award_id)
        .where(AgendaItem.session_id == session_id)
        .order_by(AgendaItem.position, AgendaItem.id)
    )
    return [(item, _summary(n, str(u), a)) for item, n, u, a in session.execute(stmt)]


def _summary(n: Nomination, unit: str, award: Award) -> DossierSummary:
    return DossierSummary(
        id=n.id,
        nominee=n.nominee_name,
        nominee_kind=n.nominee_kind.value,
        unit=unit,
        award=award.name,
        award_id=award.id,
        threshold=award.threshold,
        quota_percent=award.quota_percent,
        achievement=n.achievement,
        opinion=n.opinion,
        state=n.state,
    )


def awaiting(
    session: Session, where: ColumnElement[bool], round_id: int, exclude: Iterable[int] = ()
) -> list[DossierSummary]:
    """The round's appraised dossiers (awaiting the council) the actor sees."""
    stmt = (
        select(Nomination, Unit.name, Award)
        .join(Unit, Unit.id == Nomination.unit_id)
        .join(Award, Award.id == Nomination.award_id)
        .where(
            where,
            Nomination.round_id == round_id,
            Nomination.state == NominationState.APPRAISED,
        )
        .order_by(Nomination.id)
    )
    skip = set(exclude)
    return [_summary(n, str(u), a) for n, u, a in session.execute(stmt) if n.id not in skip]


def voted_items(session: Session, session_id: int, user_id: int) -> set[int]:
    """Items this member has a receipt for (that she voted, never how)."""
    stmt = select(BallotReceipt.nomination_id).where(
        BallotReceipt.session_id == session_id, BallotReceipt.user_id == user_id
    )
    return {int(n) for n in session.execute(stmt).scalars()}


def ballots_per_item(session: Session, session_id: int) -> dict[int, int]:
    stmt = (
        select(BallotReceipt.nomination_id, func.count())
        .where(BallotReceipt.session_id == session_id)
        .group_by(BallotReceipt.nomination_id)
    )
    return {int(n): int(c) for n, c in session.execute(stmt)}


def written_voters(session: Session, session_id: int) -> dict[int, set[int]]:
    """member -> items a written vote was entered for (receipts marked written)."""
    stmt = select(BallotReceipt.user_id, BallotReceipt.nomination_id).where(
        BallotReceipt.session_id == session_id, BallotReceipt.written.is_(True)
    )
    out: dict[int, set[int]] = {}
    for uid, nid in session.execute(stmt):
        out.setdefault(int(uid), set()).add(int(nid))
    return out


def open_rounds(session: Session, campaigns: ColumnElement[bool]) -> list[tuple[Round, str]]:
    """Rounds not yet closed of the campaigns in ``campaigns``, with the campaign's title."""
    stmt = (
        select(Round, Campaign.title)
        .join(Campaign, Campaign.id == Round.campaign_id)
        .where(campaigns, Round.closed_at.is_(None))
        .order_by(Campaign.title, Round.opens, Round.id)
    )
    return [(r, str(t)) for r, t in session.execute(stmt)]


def appraised_per_round(session: Session, round_ids: Sequence[int]) -> dict[int, int]:
    if not round_ids:
        return {}
    stmt = (
        select(Nomination.round_id, func.count())
        .where(
            Nomination.round_id.in_(list(round_ids)),
            Nomination.state == NominationState.APPRAISED,
        )
        .group_by(Nomination.round_id)
    )
    return {int(r): int(c) for r, c in session.execute(stmt)}


def eligible_members(session: Session, campaigns: ColumnElement[bool]) -> list[tuple[int, str]]:
    """Council members and directors (who chair) granted on an organiser of the campaigns."""
    stmt = (
        select(User.id, User.full_name)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .join(Campaign, Campaign.organiser_unit_id == RoleGrant.unit_id)
        .where(
            RoleGrant.role.in_([Role.COUNCIL_MEMBER, Role.DIRECTOR]),
            User.active.is_(True),
            campaigns,
        )
        .distinct()
        .order_by(User.full_name, User.id)
    )
    return [(int(i), str(n)) for i, n in session.execute(stmt)]


def user_name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    found = session.get(User, user_id)
    return found.full_name if found else None


def nominee_names(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
    """nomination id -> (nominee, unit, award name)."""
    wanted = list(ids)
    if not wanted:
        return {}
    stmt = (
        select(Nomination.id, Nomination.nominee_name, Unit.name, Award.name)
        .join(Unit, Unit.id == Nomination.unit_id)
        .join(Award, Award.id == Nomination.award_id)
        .where(Nomination.id.in_(wanted))
    )
    return {int(i): (str(n), str(u), str(a)) for i, n, u, a in session.execute(stmt)}


def awards_by_code(session: Session, campaign_id: int) -> dict[str, Award]:
    stmt = select(Award).where(Award.campaign_id == campaign_id)
    return {a.code: a for a in session.execute(stmt).scalars()}
