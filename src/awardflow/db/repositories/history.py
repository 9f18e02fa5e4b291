"""Queries over a nominee's record: awards, ratings, initiatives, exclusions, collective years."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    bindparam,
    cast,
    literal,
    null,
    select,
    union_all,
)
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


@dataclass(frozen=True, slots=True)
class Record:
    """A nominee's record as named tuples, one list per kind."""

    awards: list[Any] = field(default_factory=list)
    """(award_code, year, award_type, decision_number, decision_date, achievement_key), by
    year"""
    ratings: list[Any] = field(default_factory=list)
    """(year, rating)"""
    initiatives: list[Any] = field(default_factory=list)
    """(code, title, scope, year, used_by)"""
    exclusions: list[Any] = field(default_factory=list)
    """(kind, start, end, level)"""


class _Kind(NamedTuple):
    name: str  # the Record field
    model: _RecordModel
    #: the record's columns in the slots of the common row (see ``_SLOTS``)
    columns: dict[str, str]


#: Common columns of the four kinds in one UNION ALL: texts, a year, two dates.
_SLOTS: tuple[tuple[str, Any], ...] = (
    ("t1", String()),
    ("t2", String()),
    ("t3", String()),
    ("t4", String()),
    ("year", Integer()),
    ("d1", Date()),
    ("d2", Date()),
)
_KINDS = (
    _Kind(
        "awards",
        AwardHistory,
        {
            "award_code": "t1",
            "year": "year",
            "award_type": "t2",
            "decision_number": "t3",
            "decision_date": "d1",
            "achievement_key": "t4",
        },
    ),
    _Kind("ratings", YearlyRating, {"year": "year", "rating": "t1"}),
    _Kind(
        "initiatives",
        InitiativeRecord,
        {"code": "t1", "title": "t2", "scope": "t3", "year": "year", "used_by": "t4"},
    ),
    _Kind(
        "exclusions",
        ExclusionRecord,
        {"kind": "t1", "start": "d1", "end": "d2", "level": "t2"},
    ),
)
_ROWS = {k.name: namedtuple(f"{k.name.title()}Row", list(k.columns)) for k in _KINDS}


def _union(owner: str) -> Any:
    parts = []
    for number, kind in enumerate(_KINDS):
        table = kind.model.__table__
        slot_of = {slot: column for column, slot in kind.columns.items()}
        parts.append(
            select(
                literal(number, Integer()).label("k"),
                *(
                    table.c[slot_of[slot]].label(slot)
                    if slot in slot_of
                    else cast(null(), type_).label(slot)
                    for slot, type_ in _SLOTS
                ),
            ).where(table.c[owner] == bindparam("owner"))
        )
    every = union_all(*parts).subquery("record")
    return select(every).order_by(every.c.k, every.c.year)


#: The whole record in one statement per owner column (person or collective unit), built once:
#: the ``propose`` guard reads all four kinds, one round trip instead of four.
_RECORD = {owner: _union(owner) for owner in ("person_id", "unit_id")}


def record(session: Session, person_id: int | None, unit_id: int | None) -> Record:
    """The nominee's (a person's, else a collective's) awards, ratings, initiatives and
    exclusions, in one statement."""
    owner = "person_id" if person_id is not None else "unit_id"
    value = person_id if person_id is not None else unit_id
    out = Record()
    for row in session.connection().execute(_RECORD[owner], {"owner": value}):
        kind = _KINDS[row.k]
        getattr(out, kind.name).append(
            _ROWS[kind.name](*(getattr(row, slot) for slot in kind.columns.values()))
        )
    return out


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
