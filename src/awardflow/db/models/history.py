"""A nominee's record: past awards, yearly ratings, initiatives, exclusions, collective figures.

Each row belongs to a person (individual) or a unit (collective): exactly one of the two ids.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from awardflow.db.base import Base

_ONE_NOMINEE = "(person_id IS NULL) <> (unit_id IS NULL)"


class AwardHistory(Base):
    __tablename__ = "award_history"
    __table_args__ = (CheckConstraint(_ONE_NOMINEE, name="one_nominee"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    award_code: Mapped[str] = mapped_column(String(60))
    award_type: Mapped[str] = mapped_column(String(20), default="merit")
    year: Mapped[int]
    decision_number: Mapped[str | None] = mapped_column(String(80))
    decision_date: Mapped[date | None]
    issuer: Mapped[str | None] = mapped_column(String(200))
    achievement_key: Mapped[str | None] = mapped_column(String(120))
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("nominations.id"))


class YearlyRating(Base):
    __tablename__ = "yearly_ratings"
    __table_args__ = (
        CheckConstraint(_ONE_NOMINEE, name="one_nominee"),
        UniqueConstraint("person_id", "unit_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    year: Mapped[int]
    rating: Mapped[str] = mapped_column(String(10))


class InitiativeRecord(Base):
    __tablename__ = "initiatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    title: Mapped[str] = mapped_column(String(400))
    scope: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    used_by: Mapped[str | None] = mapped_column(String(120))


class ExclusionRecord(Base):
    __tablename__ = "exclusions"
    __table_args__ = (CheckConstraint(_ONE_NOMINEE, name="one_nominee"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    start: Mapped[date]
    end: Mapped[date | None]
    level: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(String(400), default="")


class CollectiveYearRecord(Base):
    __tablename__ = "collective_years"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    year: Mapped[int]
    members: Mapped[int]
    ldtt_members: Mapped[int]
    cstd_members: Mapped[int]
    all_completed: Mapped[bool]
    disciplined_warning_or_above: Mapped[int] = mapped_column(default=0)
