"""Queries over a nominee's record: awards, ratings, initiatives, exclusions, collective years."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, bindparam, select
from sqlalchemy.orm import Session

from awardflow.db.models import (
    Award,
    AwardHistory,
    CollectiveYearRecord,
    ExclusionRecord,
    InitiativeRecord,
    Nomination,
    YearlyRating,
)
from awardflow.states.lifecycle import LIVE


def _owner(model: _RecordModel, person_id: int | None, unit_id: int | None) -> ColumnElement[bool]:
    if person_id is not None:
        return model.person_id == person_id
    return model.unit_id == unit_id


_RecordModel = (
    type[AwardHistory] | type[YearlyRating] | type[InitiativeRecord] | type[ExclusionRecord]
)


def _by_owner(model: _RecordModel, *columns: str, order: str | None = None) -> dict[str, Any]:
    """A nominee's records of one kind as plain rows, one Core statement per owner column
    (person or collective unit), built once: the ``propose`` guard reads all four kinds."""
    table = model.__table__
    cols = [table.c[c] for c in columns]
    out = {}
    for owner in ("person_id", "unit_id"):
        stmt = select(*cols).where(table.c[owner] == bindparam("owner"))
        out[owner] = stmt.order_by(table.c[order]) if order else stmt
    return out


_AWARDS = _by_owner(
    AwardHistory,
    "award_code",
    "year",
    "award_type",
    "decision_number",
    "decision_date",
    "achievement_key",
    order="year",
)
_RATINGS = _by_owner(YearlyRating, "year", "rating")
_INITIATIVES = _by_owner(InitiativeRecord, "code", "title", "scope", "year", "used_by")
_EXCLUSIONS = _by_owner(ExclusionRecord, "kind", "start", "end", "level")


def _rows(
    session: Session, stmts: dict[str, Any], person_id: int | None, unit_id: int | None
) -> Sequence[Row[Any]]:
    owner = "person_id" if person_id is not None else "unit_id"
    value = person_id if person_id is not None else unit_id
    return session.connection().execute(stmts[owner], {"owner": value}).all()


def awards(session: Session, person_id: int | None, unit_id: int | None) -> Sequence[Row[Any]]:
    """(award_code, year, award_type, decision_number, decision_date, achievement_key) by year."""
    return _rows(session, _AWARDS, person_id, unit_id)


def ratings(session: Session, person_id: int | None, unit_id: int | None) -> Sequence[Row[Any]]:
    """(year, rating)"""
    return _rows(session, _RATINGS, person_id, unit_id)


def initiatives(session: Session, person_id: int | None, unit_id: int | None) -> Sequence[Row[Any]]:
    """(code, title, scope, year, used_by)"""
    return _rows(session, _INITIATIVES, person_id, unit_id)


def exclusions(session: Session, person_id: int | None, unit_id: int | None) -> Sequence[Row[Any]]:
    """(kind, start, end, level)"""
    return _rows(session, _EXCLUSIONS, person_id, unit_id)


def collective_years(session: Session, unit_id: int) -> Sequence[CollectiveYearRecord]:
    stmt = select(CollectiveYearRecord).where(CollectiveYearRecord.unit_id == unit_id)
    return session.execute(stmt).scalars().all()


def other_awards_for_achievement(session: Session, nomination: Nomination, key: str) -> list[str]:
    """Award codes of the nominee's other live nominations that cite the same achievement."""
    nominee = (
        Nomination.person_id == nomination.person_id
        if nomination.person_id is not None
        else Nomination.nominee_unit_id == nomination.nominee_unit_id
    )
    stmt = (
        select(Award.code, Nomination.fields)
        .join(Award, Award.id == Nomination.award_id)
        .where(nominee, Nomination.id != nomination.id, Nomination.state.in_(list(LIVE)))
    )
    return [
        code
        for code, fields in session.execute(stmt)
        if (fields or {}).get("achievement_key") == key
    ]


def add(session: Session, obj: object) -> None:
    session.add(obj)


# --- history import: nominees by code, and the stored twin of a fact (its natural key) --------


def person_id_by_code(session: Session, code: str) -> int | None:
    from awardflow.db.models import Person

    found = session.execute(select(Person.id).where(Person.code == code)).scalar_one_or_none()
    return int(found) if found is not None else None


def unit_id_by_code(session: Session, code: str) -> int | None:
    from awardflow.db.models import Unit

    found = session.execute(select(Unit.id).where(Unit.code == code)).scalar_one_or_none()
    return int(found) if found is not None else None


def rating_like(session: Session, row: YearlyRating) -> YearlyRating | None:
    """The stored rating of the same nominee and year."""
    stmt = select(YearlyRating).where(
        _owner(YearlyRating, row.person_id, row.unit_id), YearlyRating.year == row.year
    )
    return session.execute(stmt).scalars().first()


def award_like(session: Session, row: AwardHistory) -> AwardHistory | None:
    """The stored award of the same nominee, award code and year."""
    stmt = select(AwardHistory).where(
        _owner(AwardHistory, row.person_id, row.unit_id),
        AwardHistory.award_code == row.award_code,
        AwardHistory.year == row.year,
    )
    return session.execute(stmt.order_by(AwardHistory.id)).scalars().first()


def initiative_by_code(session: Session, code: str) -> InitiativeRecord | None:
    stmt = select(InitiativeRecord).where(InitiativeRecord.code == code)
    return session.execute(stmt).scalar_one_or_none()


def exclusion_like(session: Session, row: ExclusionRecord) -> ExclusionRecord | None:
    """The stored exclusion of the same nominee, kind and start day."""
    stmt = select(ExclusionRecord).where(
        _owner(ExclusionRecord, row.person_id, row.unit_id),
        ExclusionRecord.kind == row.kind,
        ExclusionRecord.start == row.start,
    )
    return session.execute(stmt.order_by(ExclusionRecord.id)).scalars().first()
