"""Writes to the notification outbox: one row per (event, kind, recipient), never two."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from awardflow.db.models import OutboxMessage


def add_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows whose dedupe keys are new; keys already present are skipped."""
    if not rows:
        return
    keys = [r["dedupe_key"] for r in rows]
    existing = set(
        session.execute(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))
        ).scalars()
    )
    fresh = [r for r in rows if r["dedupe_key"] not in existing]
    if fresh:
        session.execute(insert(OutboxMessage), fresh)


def for_nomination(session: Session, nomination_id: int) -> Sequence[OutboxMessage]:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.nomination_id == nomination_id)
        .order_by(OutboxMessage.id)
    )
    return session.execute(stmt).scalars().all()
