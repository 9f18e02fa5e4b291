"""Detached snapshots: ORM instances built from a Core row, outside any session."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from awardflow.db.models import Nomination

T = TypeVar("T")


def detached(model: type[T], fields: Sequence[tuple[str, str]], m: Mapping[Any, Any]) -> T:
    """An instance of ``model`` holding a row's values (``fields``: result label → attribute),
    outside any session, built the way the ORM's loader builds one (the mapped constructor
    would fire an event per attribute). Nothing may change it expecting a write."""
    obj: T = model.__mapper__.class_manager.new_instance()  # type: ignore[attr-defined]
    obj.__dict__.update({attr: m[label] for label, attr in fields})
    return obj


_NOMS: Table = Nomination.__table__  # type: ignore[assignment]
_NOM_FIELDS = [(c.key, Nomination.__mapper__.get_property_by_column(c).key) for c in _NOMS.c]
_NOMINATION_FOR_UPDATE = (
    select(_NOMS).where(_NOMS.c.id == bindparam("nomination_id")).with_for_update()
)


def nomination_for_update(session: Session, nomination_id: int) -> Nomination | None:
    """The row, locked, as a detached snapshot: for services that change a few columns and
    write them back with ``repositories.nominations.write_back`` (one Core UPDATE that checks
    the version) instead of a unit-of-work flush. Pending changes are flushed first, as an ORM
    query would."""
    session.flush()
    row = session.connection().execute(_NOMINATION_FOR_UPDATE, {"nomination_id": nomination_id})
    found = row.first()
    return None if found is None else detached(Nomination, _NOM_FIELDS, found._mapping)
