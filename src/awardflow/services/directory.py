"""Read models of the organisation and campaigns for the API: me, users, units, campaigns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.loader import parse_definition
from awardflow.db.models import Campaign, User
from awardflow.db.repositories import api_lookups as lk
from awardflow.db.repositories import api_queries as q
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import org as org_repo
from awardflow.errors import NotFound
from awardflow.services.campaigns import LoadResult, load_campaign
from awardflow.services.visibility import require_admin
from awardflow.states import Actor


def user_view(session: Session, user: User) -> dict[str, Any]:
    grants = [
        {
            "role": g.role.value,
            "unit_id": g.unit_id,
            "unit_path": g.unit.path,
            "campaign_id": g.campaign_id,
        }
        for g in org_repo.grants_for(session, user.id)
    ]
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "active": user.active,
        "roles": sorted({g["role"] for g in grants}),
        "grants": grants,
    }


def me(session: Session, actor: Actor) -> dict[str, Any]:
    user = org_repo.user(session, actor.user_id) if actor.user_id else None
    if user is None:
        raise NotFound("Không tìm thấy người dùng.", "User not found.")
    return user_view(session, user)


def users(
    session: Session, actor: Actor, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    require_admin(actor)
    rows, total = lk.users(session, limit, offset)
    return [user_view(session, u) for u in rows], total


def campaign(session: Session, campaign_id: int) -> Campaign:
    found = campaigns_repo.campaign(session, campaign_id)
    if found is None:
        raise NotFound("Không có phong trào này.", "No such campaign.", field="campaign_id")
    return found


def load_campaign_text(session: Session, actor: Actor, text: str, source: str) -> LoadResult:
    """An admin's upload of a campaign definition (YAML, or JSON which is YAML too)."""
    require_admin(actor)
    return load_campaign(session, parse_definition(text, source), source)


def units(session: Session) -> Sequence[Any]:
    return q.units(session)
