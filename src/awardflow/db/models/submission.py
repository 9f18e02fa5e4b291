"""Submissions upward, decisions (with their sổ vàng order numbers), and the notification outbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from awardflow.db.base import Base, utcnow


class Submission(Base):
    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    authority_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    batch_key: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="prepared")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    gateway_ref: Mapped[str | None] = mapped_column(String(200))
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SubmissionItem(Base):
    __tablename__ = "submission_items"
    __table_args__ = (UniqueConstraint("submission_id", "nomination_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), index=True)


class Decision(Base):
    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("issuer_unit_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(80))
    date: Mapped[date]
    issuer_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    title: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DecisionItem(Base):
    __tablename__ = "decision_items"
    __table_args__ = (
        UniqueConstraint("decision_id", "nomination_id"),
        UniqueConstraint("decision_id", "order_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"))
    order_no: Mapped[int]  # số sổ vàng: the recipient's order number in the decision


class OutboxMessage(Base):
    """A notification to send, written in the same transaction as the event that causes it.

    ``dedupe_key`` is unique: no event produces two messages. Recipients are a user, or a role in
    a unit resolved at send time.
    """

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("nominations.id"), index=True)
    audit_event_id: Mapped[int | None] = mapped_column(ForeignKey("audit_events.id"))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recipient_role: Mapped[str | None] = mapped_column(String(30))
    recipient_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200))
