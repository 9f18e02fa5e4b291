"""Campaigns with their versioned definitions, phases, rounds and award forms.

The YAML definition is the source; these rows are its queryable projection. Each load of a
changed file adds a :class:`CampaignVersion`; nominations keep the version they started on.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from awardflow.campaigns.catalogue import AwardLevel
from awardflow.db.base import Base, str_enum, utcnow


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(Text)
    organiser_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    appraising_office_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    authority_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    central_authority_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    organiser_level: Mapped[str] = mapped_column(String(20), default="department")
    current_version: Mapped[int] = mapped_column(default=1)
    stuck_after_days: Mapped[int] = mapped_column(default=10)

    phases: Mapped[list[CampaignPhase]] = relationship(
        back_populates="campaign", order_by="CampaignPhase.start"
    )
    rounds: Mapped[list[Round]] = relationship(back_populates="campaign", order_by="Round.opens")
    awards: Mapped[list[Award]] = relationship(back_populates="campaign")


class CampaignVersion(Base):
    __tablename__ = "campaign_versions"
    __table_args__ = (UniqueConstraint("campaign_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    version: Mapped[int]
    fingerprint: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str] = mapped_column(String(300), default="")
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CampaignPhase(Base):
    __tablename__ = "campaign_phases"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(300))
    start: Mapped[date]
    end: Mapped[date]
    review_kind: Mapped[str | None] = mapped_column(String(20))
    review_date: Mapped[date | None]
    closed_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship(back_populates="phases")


class Round(Base):
    """Đợt xét khen thưởng: dates per lifecycle phase and working-day limits per step."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    phase_id: Mapped[int | None] = mapped_column(ForeignKey("campaign_phases.id"))
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int | None]
    opens: Mapped[date]
    proposals_close: Mapped[date | None]
    appraisal_due: Mapped[date | None]
    council_by: Mapped[date | None]
    submission_by: Mapped[date | None]
    limit_appraise: Mapped[int | None]
    limit_return_answer: Mapped[int | None]
    limit_authority_answer: Mapped[int | None]
    limit_decide: Mapped[int | None]
    closed_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship(back_populates="rounds")


class Award(Base):
    """An award form as a campaign offers it: who decides, for whom, threshold and quota."""

    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[AwardLevel] = mapped_column(str_enum(AwardLevel, 20))
    deciding_authority: Mapped[str] = mapped_column(String(20))  # organiser | province | centre
    nominee_kinds: Mapped[list[Any]] = mapped_column(JSON)
    round_kinds: Mapped[list[Any]] = mapped_column(JSON)
    threshold: Mapped[float]
    quota_per_unit: Mapped[int | None]
    quota_percent: Mapped[float | None]
    required_evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)

    campaign: Mapped[Campaign] = relationship(back_populates="awards")


class Summary(Base):
    """A frozen round or phase summary (sơ kết / tổng kết figures). Closing again returns the
    stored version; an explicit recompute adds version n+1, never overwrites."""

    __tablename__ = "summaries"
    __table_args__ = (UniqueConstraint("scope", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(60))  # round:<id> | phase:<id>
    kind: Mapped[str] = mapped_column(String(20))  # round | midterm | final | phase
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"))
    phase_id: Mapped[int | None] = mapped_column(ForeignKey("campaign_phases.id"))
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    html: Mapped[str] = mapped_column(Text)
    narrative: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
