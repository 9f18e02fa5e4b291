"""Read-only queries of the pages' header and inbox (issue 7): unread count, one page of items."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from awardflow.db.models.inbox import InboxItem


def unread_count(session: Session, user_id: int) -> int:
    stmt = select(func.count(InboxItem.id)).where(
        InboxItem.user_id == user_id, InboxItem.read_at.is_(None)
    )
    return int(session.execute(stmt).scalar_one())


def total_count(session: Session, user_id: int, *, unread_only: bool = False) -> int:
    stmt = select(func.count(InboxItem.id)).where(InboxItem.user_id == user_id)
    if unread_only:
        stmt = stmt.where(InboxItem.read_at.is_(None))
    return int(session.execute(stmt).scalar_one())


def page(
    session: Session, user_id: int, *, unread_only: bool, limit: int, offset: int
) -> Sequence[InboxItem]:
    stmt = select(InboxItem).where(InboxItem.user_id == user_id)
    if unread_only:
        stmt = stmt.where(InboxItem.read_at.is_(None))
    stmt = stmt.order_by(InboxItem.created_at.desc(), InboxItem.id.desc())
    return session.execute(stmt.limit(limit).offset(offset)).scalars().all()


def item(session: Session, user_id: int, item_id: int) -> InboxItem | None:
    return session.execute(
        select(InboxItem).where(InboxItem.id == item_id, InboxItem.user_id == user_id)
    ).scalar_one_or_none()
