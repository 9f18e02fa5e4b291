"""What a new draft stands on, read in one statement (the hot path of a unit's day)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, literal, select, true
from sqlalchemy.orm import Session

from awardflow.db.models import Award, Campaign, Person, Round, Unit
from awardflow.db.repositories.snapshots import detached

_ROUNDS: Table = Round.__table__  # type: ignore[assignment]
_CAMPAIGNS: Table = Campaign.__table__  # type: ignore[assignment]
_AWARDS: Table = Award.__table__  # type: ignore[assignment]
_PERSONS: Table = Person.__table__  # type: ignore[assignment]
_UNIT, _PERSON_UNIT, _NOMINEE_UNIT = (
    Unit.__table__.alias(n) for n in ("d_unit", "d_person_unit", "d_nominee_unit")
)
_ONE = select(literal(1).label("one")).subquery("one")

# Built once at import. Each look-up is an outer join on its own id, so a missing round, award,
# unit or nominee gives NULLs (the service says which field is wrong) instead of no row.
_CONTEXT = (
    select(
        *(c.label(f"rounds__{c.key}") for c in _ROUNDS.c),
        _CAMPAIGNS.c.current_version.label("campaign_version"),
        _AWARDS.c.id.label("award_id"),
        _AWARDS.c.code.label("award_code"),
        _AWARDS.c.campaign_id.label("award_campaign_id"),
        _UNIT.c.id.label("unit_id"),
        _UNIT.c.path.label("unit_path"),
        _PERSONS.c.id.label("person_id"),
        _PERSONS.c.full_name.label("person_name"),
        _PERSON_UNIT.c.path.label("person_unit_path"),
        _NOMINEE_UNIT.c.id.label("nominee_unit_id"),
        _NOMINEE_UNIT.c.name.label("nominee_unit_name"),
        _NOMINEE_UNIT.c.path.label("nominee_unit_path"),
    )
    .select_from(_ONE)
    .outerjoin(_ROUNDS, _ROUNDS.c.id == bindparam("round_id"))
    .outerjoin(_CAMPAIGNS, _CAMPAIGNS.c.id == _ROUNDS.c.campaign_id)
    .outerjoin(_AWARDS, _AWARDS.c.id == bindparam("award_id"))
    .outerjoin(_UNIT, _UNIT.c.id == bindparam("unit_id"))
    .outerjoin(_PERSONS, _PERSONS.c.id == bindparam("person_id"))
    .outerjoin(_PERSON_UNIT, _PERSON_UNIT.c.id == _PERSONS.c.unit_id)
    .outerjoin(_NOMINEE_UNIT, _NOMINEE_UNIT.c.id == bindparam("nominee_unit_id"))
    .where(true())
)
_ROUND_FIELDS = [
    (f"rounds__{c.key}", Round.__mapper__.get_property_by_column(c).key) for c in _ROUNDS.c
]


@dataclass(frozen=True, slots=True)
class DraftContext:
    """``round`` is a detached snapshot (None if there is no such round); the rest are the few
    values a draft needs, None where the id named nothing."""

    round: Round | None
    campaign_version: int | None
    award_id: int | None
    award_code: str | None
    award_campaign_id: int | None
    unit_id: int | None
    unit_path: str | None
    person_id: int | None
    person_name: str | None
    person_unit_path: str | None
    nominee_unit_id: int | None
    nominee_unit_name: str | None
    nominee_unit_path: str | None


def context(
    session: Session,
    *,
    round_id: int,
    award_id: int,
    unit_id: int,
    person_id: int | None,
    nominee_unit_id: int | None,
) -> DraftContext:
    params: dict[str, Any] = {
        "round_id": round_id,
        "award_id": award_id,
        "unit_id": unit_id,
        "person_id": person_id,
        "nominee_unit_id": nominee_unit_id,
    }
    m = session.connection().execute(_CONTEXT, params).one()._mapping
    rnd = detached(Round, _ROUND_FIELDS, m) if m["rounds__id"] is not None else None
    return DraftContext(
        rnd,
        *(
            m[k]
            for k in (
                "campaign_version",
                "award_id",
                "award_code",
                "award_campaign_id",
                "unit_id",
                "unit_path",
                "person_id",
                "person_name",
                "person_unit_path",
                "nominee_unit_id",
                "nominee_unit_name",
                "nominee_unit_path",
            )
        ),
    )
