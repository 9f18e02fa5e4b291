"""Queries of the balanced auto-assignment: waiting dossiers, appraisers and their workload."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from awardflow.db.models import (
    AppraiserConflict,
    Campaign,
    Nomination,
    Person,
    RoleGrant,
    Unit,
    User,
)
from awardflow.states.lifecycle import NominationState, Role


def proposed_batch(session: Session, batch: int) -> list[tuple[int, int]]:
    """(nomination id, appraising office id) of proposed dossiers, oldest first, locked."""
    stmt = (
        select(Nomination.id, Campaign.appraising_office_id)
        .join(Campaign, Campaign.id == Nomination.campaign_id)
        .where(Nomination.state == NominationState.PROPOSED)
        .order_by(Nomination.state_entered_at, Nomination.id)
        .limit(batch)
        .with_for_update(skip_locked=True, of=Nomination)
    )
    return [(r[0], r[1]) for r in session.execute(stmt)]


def appraisers_of(session: Session, office_id: int) -> list[int]:
    """Users granted the appraiser role on the office itself."""
    stmt = (
        select(RoleGrant.user_id)
        .join(Unit, Unit.id == RoleGrant.unit_id)
        .where(RoleGrant.role == Role.APPRAISER, Unit.id == office_id)
        .order_by(RoleGrant.user_id)
    )
    return list(dict.fromkeys(session.execute(stmt).scalars()))


def open_workload(session: Session, user_ids: list[int]) -> dict[int, tuple[int, datetime | None]]:
    """Per appraiser: dossiers in appraisal now, and when they last took one."""
    stmt = (
        select(Nomination.assignee_id, func.count(), func.max(Nomination.state_entered_at))
        .where(
            Nomination.assignee_id.in_(user_ids),
            Nomination.state == NominationState.IN_APPRAISAL,
        )
        .group_by(Nomination.assignee_id)
    )
    found = {r[0]: (int(r[1]), r[2]) for r in session.execute(stmt)}
    return {uid: found.get(uid, (0, None)) for uid in user_ids}


_PROFILE = (
    select(
        User.person_id,
        Person.unit_id,
        AppraiserConflict.person_id,
        AppraiserConflict.unit_id,
        AppraiserConflict.reason,
    )
    .outerjoin(Person, Person.id == User.person_id)
    .outerjoin(AppraiserConflict, AppraiserConflict.user_id == User.id)
    .where(User.id == bindparam("user_id"))
    .order_by(AppraiserConflict.id)
)


def appraiser_profile(
    session: Session, user_id: int
) -> tuple[int | None, set[int], list[tuple[int | None, int | None, str]]]:
    """What the conflict guard needs of one appraiser for any nominee (the batches read it once
    per appraiser, not once per dossier): her own person id, that person's units, and every
    conflict she declared as (person id, unit id, reason)."""
    rows = session.connection().execute(_PROFILE, {"user_id": user_id}).all()
    person_id = rows[0][0] if rows else None
    units = {r[1] for r in rows if r[1] is not None}
    declared = [(r[2], r[3], str(r[4])) for r in rows if r[4] is not None]
    return person_id, units, declared
