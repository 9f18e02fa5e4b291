"""Nominations, their evidence, the hash-chained audit log, and idempotency keys."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from awardflow.campaigns.catalogue import NomineeKind
from awardflow.db.base import Base, str_enum, utcnow
from awardflow.states.lifecycle import NominationState


class Nomination(Base):
    """Hồ sơ đề nghị khen thưởng: one nominee for one award in one round.

    ``version`` is the optimistic lock (the ORM adds ``WHERE version = :old`` to every UPDATE).
    ``escalation_level`` counts the ladder levels already fired in the current stay in a state.
    ``dept_days_used`` keeps the department's working days spent before a return, so its clock
    resumes (not restarts) when the unit re-proposes.
    """

    __tablename__ = "nominations"
    __table_args__ = (
        # The queue pages (migration 0004): "my tasks" reads its page in index order
        # (state, assignee, due_at, id) and counts its total from the index alone (campaign_id
        # is what the visibility filter joins on); the office queue (proposed, unassigned) has
        # its own small partial index. Measured at 1,000,000 rows in bench/queue.py.
        Index("ix_nominations_queue", "state", "assignee_id", "due_at", "id", "campaign_id"),
        Index(
            "ix_nominations_unassigned",
            "state",
            "due_at",
            "id",
            "campaign_id",
            sqlite_where=text("assignee_id IS NULL"),
            postgresql_where=text("assignee_id IS NULL"),
        ),
        Index("ix_nominations_sweep", "state", "due_at"),
        Index("ix_nominations_round_state", "round_id", "state"),
        Index("ix_nominations_unit_state", "unit_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    campaign_version: Mapped[int]
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    nominee_kind: Mapped[NomineeKind] = mapped_column(str_enum(NomineeKind, 20))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    nominee_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    nominee_name: Mapped[str] = mapped_column(String(300))
    achievement: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    opinion: Mapped[str | None] = mapped_column(Text)

    state: Mapped[NominationState] = mapped_column(
        str_enum(NominationState, 30), default=NominationState.DRAFT
    )
    version: Mapped[int] = mapped_column(default=1)
    content_version: Mapped[int] = mapped_column(default=1)
    content_version_at_return: Mapped[int | None]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    escalation_level: Mapped[int] = mapped_column(default=0)
    stuck: Mapped[bool] = mapped_column(default=False)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    dept_clock_started_at: Mapped[datetime | None]
    dept_days_used: Mapped[int] = mapped_column(default=0)
    eligibility_override: Mapped[str | None] = mapped_column(Text)
    decision_number: Mapped[str | None] = mapped_column(String(80))
    decision_date: Mapped[date | None]
    audit_seq: Mapped[int] = mapped_column(default=0)
    audit_head: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __mapper_args__ = {"version_id_col": version}


class Evidence(Base):
    """Minh chứng: a file in the content-addressed store. Rows are never deleted, only marked
    removed, so nothing a user submitted is lost."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    kind: Mapped[str] = mapped_column(String(60), default="other")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]


class AuditEvent(Base):
    """One link of a nomination's chain: ``hash`` is an HMAC over this event's content and
    ``prev_hash``; the nomination row keeps the head, so a deleted tail shows too."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("nomination_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"))
    seq: Mapped[int]
    trigger: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime]
    comment: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class IdempotencyKey(Base):
    """The first response to a keyed request; a repeat returns it and writes nothing."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    actor_user_id: Mapped[int | None]
    nomination_id: Mapped[int]
    trigger: Mapped[str] = mapped_column(String(40))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppraiserConflict(Base):
    """A declared conflict of interest between an appraiser and a nominee."""

    __tablename__ = "appraiser_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    reason: Mapped[str] = mapped_column(String(300))
