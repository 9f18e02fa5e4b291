"""Queries over submissions upward and decisions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from awardflow.db.models import SubmissionItem


def in_any_submission(session: Session, nomination_id: int) -> bool:
    stmt = select(SubmissionItem.id).where(SubmissionItem.nomination_id == nomination_id).limit(1)
    return session.execute(stmt).first() is not None
