"""Turning a user row into the :class:`~awardflow.states.Actor` the rules reason about."""

from __future__ import annotations

from sqlalchemy.orm import Session

from awardflow.db.repositories import org as org_repo
from awardflow.errors import NotFound
from awardflow.states import Actor, Grant


def actor_for_user(session: Session, user_id: int) -> Actor:
    user = org_repo.user(session, user_id)
    if user is None or not user.active:
        raise NotFound("Không tìm thấy người dùng.", "User not found.", field="user_id")
    # the user's grants (and their units) come with the user row: no second query
    grants = tuple(Grant(g.role, g.unit.path, g.campaign_id) for g in user.grants)
    return Actor(user_id=user.id, name=user.full_name, grants=grants)
