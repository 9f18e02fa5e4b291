"""Read-only queries behind the admin pages (issue 7, W4): users with their grants, the option
lists of the forms, a campaign's versions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from awardflow.db.models import Campaign, CampaignVersion, RoleGrant, Unit, User


def users(session: Session, search: str, limit: int, offset: int) -> tuple[Sequence[User], int]:
    """Users by user name, optionally those whose user name or full name contains ``search``."""
    stmt = select(User)
    if search:
        pattern = f"%{search}%"
        stmt = stmt.where(or_(User.username.ilike(pattern), User.full_name.ilike(pattern)))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(User.username).limit(limit).offset(offset))
    return rows.scalars().all(), int(total)


def grants_of(session: Session, user_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Each user's grants with the unit's name and the campaign's code (None: every campaign)."""
    stmt = (
        select(RoleGrant.id, RoleGrant.user_id, RoleGrant.role, Unit.name, Campaign.code)
        .join(Unit, Unit.id == RoleGrant.unit_id)
        .outerjoin(Campaign, Campaign.id == RoleGrant.campaign_id)
        .where(RoleGrant.user_id.in_(list(user_ids)))
        .order_by(RoleGrant.user_id, RoleGrant.id)
    )
    out: dict[int, list[dict[str, Any]]] = {int(u): [] for u in user_ids}
    for gid, uid, role, unit, campaign in session.execute(stmt):
        out[int(uid)].append({"id": gid, "role": role, "unit": unit, "campaign": campaign})
    return out


def campaign_options(session: Session) -> list[tuple[int, str]]:
    stmt = select(Campaign.id, Campaign.code).order_by(Campaign.code)
    return [(int(i), str(c)) for i, c in session.execute(stmt)]


def versions(session: Session, campaign_id: int) -> list[dict[str, Any]]:
    stmt = (
        select(CampaignVersion.version, CampaignVersion.source_name, CampaignVersion.loaded_at)
        .where(CampaignVersion.campaign_id == campaign_id)
        .order_by(CampaignVersion.version.desc())
    )
    keys = ("version", "source_name", "loaded_at")
    return [dict(zip(keys, row, strict=True)) for row in session.execute(stmt)]
