"""Queries of notification delivery: claiming outbox rows, recipients, per-user deliveries and
the in-app inbox, the facts a mail names, and the supervisors' failed list.

Claiming: a row is due when it is ``pending`` and ``next_attempt_at <= now``, or ``sending``
with an expired claim. Claiming sets ``status='sending'``, bumps ``attempts`` and moves
``next_attempt_at`` to the end of the claim's lease, so ``next_attempt_at`` doubles as the
claim's expiry and ``attempts`` as its fencing token: a worker whose lease expired and was
reclaimed cannot finish the row (:func:`finish` matches both). On PostgreSQL the due rows are
selected ``FOR UPDATE SKIP LOCKED``; SQLite write transactions are already serial
(``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from awardflow.db.models import (
    AgendaItem,
    AuditEvent,
    Award,
    Campaign,
    CouncilSession,
    Nomination,
    OutboxMessage,
    RoleGrant,
    Round,
    Unit,
    User,
)
from awardflow.db.models.inbox import InboxItem, NotificationDelivery
from awardflow.states.lifecycle import NominationState, Role

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


def claim(
    session: Session, *, now: datetime, lease_until: datetime, limit: int, skip_locked: bool
) -> list[OutboxMessage]:
    """Claim up to ``limit`` due rows for this worker (see the module's docstring)."""
    due = or_(
        and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == SENDING, OutboxMessage.next_attempt_at <= now),
    )
    stmt = (
        select(OutboxMessage)
        .where(due)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if skip_locked:
        stmt = stmt.with_for_update(skip_locked=True)
    rows = list(session.execute(stmt).scalars())
    for row in rows:
        row.status = SENDING
        row.attempts += 1
        row.next_attempt_at = lease_until
    session.flush()
    return rows


def finish(session: Session, outbox_id: int, attempts: int, **values: Any) -> bool:
    """Close this worker's claim; False when the claim was lost (reclaimed meanwhile)."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == outbox_id,
            OutboxMessage.status == SENDING,
            OutboxMessage.attempts == attempts,
        )
        .values(**values)
    )
    return bool(getattr(result, "rowcount", 0))


def outbox_row(session: Session, outbox_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, outbox_id)


def role_holders(session: Session, role: str, unit_id: int) -> list[User]:
    """Active users holding ``role`` on the unit itself or, if nobody does, on its nearest
    ancestor that has holders: a school's return goes to the school's clerks, not to every
    clerk granted higher up the tree."""
    path = session.execute(select(Unit.path).where(Unit.id == unit_id)).scalar_one()
    chain = [int(x) for x in str(path).strip("/").split("/") if x]
    stmt = (
        select(RoleGrant.unit_id, User)
        .join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.role == Role(role), RoleGrant.unit_id.in_(chain), User.active)
    )
    rows = session.execute(stmt).all()
    if not rows:
        return []
    depth = {uid: i for i, uid in enumerate(chain)}
    deepest = max(depth[u] for u, _ in rows)
    users = {user.id: user for u, user in rows if depth[u] == deepest}
    return [users[k] for k in sorted(users)]


def recipients(session: Session, row: OutboxMessage) -> list[User]:
    if row.recipient_user_id is not None:
        user = session.get(User, row.recipient_user_id)
        return [user] if user is not None and user.active else []
    if row.recipient_role and row.recipient_unit_id is not None:
        return role_holders(session, row.recipient_role, row.recipient_unit_id)
    return []


def deliveries(session: Session, outbox_id: int) -> dict[int, NotificationDelivery]:
    stmt = select(NotificationDelivery).where(NotificationDelivery.outbox_id == outbox_id)
    return {d.user_id: d for d in session.execute(stmt).scalars()}


def add_delivery(session: Session, delivery: NotificationDelivery, item: InboxItem) -> None:
    """A new recipient: the delivery and the user's inbox item, in one transaction."""
    session.add_all([delivery, item])
    session.flush()


def mark_delivery(session: Session, delivery_id: int, **values: Any) -> None:
    session.execute(
        update(NotificationDelivery).where(NotificationDelivery.id == delivery_id).values(**values)
    )


def nomination_row(session: Session, nomination_id: int) -> tuple[Nomination, str, str, str, str]:
    """The nomination with its award, unit, round and campaign names."""
    stmt = (
        select(Nomination, Award.name, Unit.name, Round.name, Campaign.title)
        .join(Award, Award.id == Nomination.award_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .join(Round, Round.id == Nomination.round_id)
        .join(Campaign, Campaign.id == Nomination.campaign_id)
        .where(Nomination.id == nomination_id)
    )
    nom, award, unit, rnd, campaign = session.execute(stmt).one()
    return nom, award, unit, rnd, campaign


def audit_event(session: Session, event_id: int | None) -> AuditEvent | None:
    return session.get(AuditEvent, event_id) if event_id is not None else None


def council_session_of(session: Session, nomination_id: int) -> CouncilSession | None:
    """The latest council session whose agenda holds the nomination."""
    stmt = (
        select(CouncilSession)
        .join(AgendaItem, AgendaItem.session_id == CouncilSession.id)
        .where(AgendaItem.nomination_id == nomination_id)
        .order_by(CouncilSession.id.desc())
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def by_status(session: Session, status: str, limit: int = 100) -> Sequence[OutboxMessage]:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == status)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return session.execute(stmt).scalars().all()


def requeue(session: Session, ids: Iterable[int] | None, now: datetime) -> list[int]:
    """Failed rows back to pending with a fresh attempt budget; their failed deliveries too
    (deliveries already sent stay sent). ``ids=None``: every failed row."""
    stmt = select(OutboxMessage.id).where(OutboxMessage.status == FAILED)
    if ids is not None:
        stmt = stmt.where(OutboxMessage.id.in_(list(ids)))
    found = list(session.execute(stmt).scalars())
    if found:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(found))
            .values(status=PENDING, attempts=0, next_attempt_at=now)
        )
        session.execute(
            update(NotificationDelivery)
            .where(NotificationDelivery.outbox_id.in_(found), NotificationDelivery.status == FAILED)
            .values(status=PENDING, error=None)
        )
    return found


def inbox(
    session: Session, user_id: int, *, unread_only: bool = False, limit: int = 50
) -> Sequence[InboxItem]:
    stmt = select(InboxItem).where(InboxItem.user_id == user_id)
    if unread_only:
        stmt = stmt.where(InboxItem.read_at.is_(None))
    stmt = stmt.order_by(InboxItem.created_at.desc(), InboxItem.id.desc()).limit(limit)
    return session.execute(stmt).scalars().all()


def mark_read(session: Session, user_id: int, item_ids: Iterable[int] | None, now: datetime) -> int:
    """Mark the user's items read (all unread ones when ``item_ids`` is None)."""
    stmt = update(InboxItem).where(InboxItem.user_id == user_id, InboxItem.read_at.is_(None))
    if item_ids is not None:
        stmt = stmt.where(InboxItem.id.in_(list(item_ids)))
    return int(getattr(session.execute(stmt.values(read_at=now)), "rowcount", 0))


def digest_users(session: Session) -> Sequence[User]:
    stmt = select(User).where(User.digest, User.active).order_by(User.id)
    return session.execute(stmt).scalars().all()


def digested_since(session: Session, user_id: int, since: datetime) -> Sequence[OutboxMessage]:
    """Deadline notices folded into the user's digest since ``since``."""
    stmt = (
        select(OutboxMessage)
        .join(NotificationDelivery, NotificationDelivery.outbox_id == OutboxMessage.id)
        .where(
            NotificationDelivery.user_id == user_id,
            NotificationDelivery.status == "digested",
            OutboxMessage.created_at >= since,
        )
    )
    return session.execute(stmt).scalars().all()


def assigned_open(session: Session, user_id: int) -> Sequence[Nomination]:
    stmt = select(Nomination).where(
        Nomination.assignee_id == user_id, Nomination.state == NominationState.IN_APPRAISAL
    )
    return session.execute(stmt).scalars().all()
