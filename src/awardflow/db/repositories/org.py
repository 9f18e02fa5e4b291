"""Queries over units, persons, users, grants, conflicts and the calendar overrides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from awardflow.db.models import (
    AppraiserConflict,
    CalendarOverride,
    Person,
    RoleGrant,
    Unit,
    User,
)
from awardflow.states.lifecycle import Role


def unit(session: Session, unit_id: int) -> Unit | None:
    return session.get(Unit, unit_id)


def unit_by_code(session: Session, code: str) -> Unit | None:
    return session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()


def unit_path(session: Session, unit_id: int) -> str:
    path = session.execute(select(Unit.path).where(Unit.id == unit_id)).scalar_one()
    return str(path)


def add_unit(session: Session, unit: Unit, parent: Unit | None) -> Unit:
    """Insert a unit and set its materialised path from its parent's."""
    unit.parent_id = parent.id if parent else None
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def person(session: Session, person_id: int) -> Person | None:
    return session.get(Person, person_id)


def user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def user_by_username(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def grants_for(session: Session, user_id: int) -> Sequence[RoleGrant]:
    return session.execute(select(RoleGrant).where(RoleGrant.user_id == user_id)).scalars().all()


def _core(session: Session, stmt: Any, params: dict[str, Any]) -> Any:
    """Run a column-only select on the session's connection: the transition guards' hot path
    (the ORM's execution pipeline cost more than the query). Pending changes are flushed
    first, as the ORM's autoflush would."""
    session.flush()
    return session.connection().execute(stmt, params)


def grant(session: Session, grant_id: int) -> RoleGrant | None:
    return session.get(RoleGrant, grant_id)


def holds_role_over(session: Session, user_id: int, role: Role, path: str) -> bool:
    """Does the user hold ``role`` on a unit whose subtree contains ``path``?"""
    stmt = (
        select(Unit.path)
        .join(RoleGrant, RoleGrant.unit_id == Unit.id)
        .where(RoleGrant.user_id == user_id, RoleGrant.role == role)
    )
    return any(path.startswith(p) for p in _core(session, stmt, {}).scalars())


def users_with_role_under(session: Session, role: Role, path: str) -> Sequence[int]:
    """Users holding ``role`` on exactly the unit at ``path`` or one of its ancestors."""
    stmt = (
        select(RoleGrant.user_id, Unit.path)
        .join(Unit, RoleGrant.unit_id == Unit.id)
        .where(RoleGrant.role == role)
    )
    return sorted({uid for uid, p in session.execute(stmt) if path.startswith(p)})


def calendar_overrides(session: Session) -> Sequence[CalendarOverride]:
    return session.execute(select(CalendarOverride).order_by(CalendarOverride.day)).scalars().all()


def upsert_calendar_override(session: Session, override: CalendarOverride) -> None:
    session.merge(override)


def participants_under(session: Session, path: str) -> int:
    """Participants of every unit in the subtree at ``path`` (for percentage quotas)."""
    stmt = select(func.sum(Unit.participants)).where(Unit.path.startswith(path))
    return int(session.execute(stmt).scalar_one() or 0)


_IDENTITY = (
    select(User.person_id, Person.unit_id, AppraiserConflict.reason)
    .outerjoin(Person, Person.id == User.person_id)
    .outerjoin(
        AppraiserConflict,
        (AppraiserConflict.user_id == User.id)
        & (
            (AppraiserConflict.person_id == bindparam("nominee_person"))
            | (AppraiserConflict.unit_id == bindparam("nominee_unit"))
        ),
    )
    .where(User.id == bindparam("user_id"))
)


def appraiser_identity(
    session: Session, user_id: int, nominee_person: int | None, nominee_unit: int | None
) -> tuple[int | None, set[int], str | None]:
    """The user's own person id, that person's units, and a conflict the user declared with
    this nominee, in one query (the assignment guards' hot path)."""
    rows = _core(
        session,
        _IDENTITY,
        {"user_id": user_id, "nominee_person": nominee_person, "nominee_unit": nominee_unit},
    ).all()
    person_id = rows[0][0] if rows else None
    declared = next((r[2] for r in rows if r[2] is not None), None)
    return person_id, {r[1] for r in rows if r[1] is not None}, declared
