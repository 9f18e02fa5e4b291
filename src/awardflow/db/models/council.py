"""Council sessions: members, attendance, agenda, and secret ballots.

Secrecy by construction: :class:`BallotReceipt` records *that* a member voted on an item (to stop
double votes) and :class:`BallotTally` counts *what* was chosen per item; no row links the two.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from awardflow.db.base import Base, utcnow


class CouncilSession(Base):
    __tablename__ = "council_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned|open|closed
    scheduled_for: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    quorum: Mapped[float] = mapped_column(default=2 / 3)
    chair_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    secretary_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    minutes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class CouncilMember(Base):
    __tablename__ = "council_members"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("council_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(
        String(20), default="member"
    )  # chair|vice_chair|member|secretary


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("council_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    present: Mapped[bool]
    written_vote: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgendaItem(Base):
    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("session_id", "nomination_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("council_sessions.id"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str | None] = mapped_column(String(20))  # passed|failed|postponed
    rank: Mapped[int | None]


class BallotReceipt(Base):
    __tablename__ = "ballot_receipts"
    __table_args__ = (UniqueConstraint("session_id", "nomination_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("council_sessions.id"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    written: Mapped[bool] = mapped_column(default=False)
    # No timestamp finer than the day: exact times could be matched against tally updates.
    cast_on: Mapped[str] = mapped_column(String(10))


class BallotTally(Base):
    __tablename__ = "ballot_tallies"
    __table_args__ = (UniqueConstraint("session_id", "nomination_id", "choice"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("council_sessions.id"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"))
    choice: Mapped[str] = mapped_column(String(10))  # agree|disagree|abstain
    count: Mapped[int] = mapped_column(default=0)
