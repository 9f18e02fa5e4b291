"""Idempotency keys: the first response stored under a client's key."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from awardflow.db.models import IdempotencyKey


def get(session: Session, key: str) -> IdempotencyKey | None:
    return session.get(IdempotencyKey, key)


def add(
    session: Session,
    key: str,
    *,
    actor_user_id: int | None,
    nomination_id: int,
    trigger: str,
    response: dict[str, Any],
) -> None:
    session.add(
        IdempotencyKey(
            key=key,
            actor_user_id=actor_user_id,
            nomination_id=nomination_id,
            trigger=trigger,
            response=response,
        )
    )
