"""Per-user notification records: the in-app inbox, and per-recipient mail deliveries.

An outbox row addressed to a role at a unit fans out to several users at send time; each gets
one :class:`NotificationDelivery` (so a crash never resends to those already done) and one
:class:`InboxItem` (read/unread in the web pages), both unique per (outbox row, user).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from awardflow.db.base import Base, utcnow


class NotificationDelivery(Base):
    """One recipient of one outbox row: ``pending`` → ``sent`` | ``failed`` | ``skipped``
    (no address: inbox only) | ``digested`` (folded into the user's daily digest)."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (UniqueConstraint("outbox_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("notification_outbox.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    address: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    message_id: Mapped[str] = mapped_column(String(200))
    response: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class InboxItem(Base):
    """A notification as the user sees it in the app, in both languages' titles."""

    __tablename__ = "inbox_items"
    __table_args__ = (
        UniqueConstraint("user_id", "outbox_id"),
        Index("ix_inbox_items_user_read", "user_id", "read_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("notification_outbox.id"))
    kind: Mapped[str] = mapped_column(String(40))
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("nominations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
