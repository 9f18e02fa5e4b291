"""Look-ups behind the API's organisation, campaign, council and submission routes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from awardflow.db.models import (
    Award,
    BallotReceipt,
    Campaign,
    Round,
    Submission,
    SubmissionItem,
    User,
)
from awardflow.db.repositories.api_queries import under


def users(session: Session, limit: int, offset: int) -> tuple[Sequence[User], int]:
    total = session.execute(select(func.count()).select_from(User)).scalar_one()
    stmt = select(User).order_by(User.id).limit(limit).offset(offset)
    return session.execute(stmt).scalars().all(), int(total)


def rounds(session: Session, campaign_id: int | None) -> Sequence[Round]:
    stmt = select(Round).order_by(Round.campaign_id, Round.opens, Round.id)
    if campaign_id is not None:
        stmt = stmt.where(Round.campaign_id == campaign_id)
    return session.execute(stmt).scalars().all()


def awards(session: Session, campaign_id: int | None) -> Sequence[Award]:
    stmt = select(Award).order_by(Award.campaign_id, Award.id)
    if campaign_id is not None:
        stmt = stmt.where(Award.campaign_id == campaign_id)
    return session.execute(stmt).scalars().all()


def campaigns(session: Session, limit: int, offset: int) -> tuple[Sequence[Campaign], int]:
    total = session.execute(select(func.count()).select_from(Campaign)).scalar_one()
    stmt = select(Campaign).order_by(Campaign.id).limit(limit).offset(offset)
    return session.execute(stmt).scalars().all(), int(total)


def ballots_cast(session: Session, session_id: int) -> dict[int, int]:
    """Receipts per agenda item (how many voted, never what)."""
    stmt = (
        select(BallotReceipt.nomination_id, func.count())
        .where(BallotReceipt.session_id == session_id)
        .group_by(BallotReceipt.nomination_id)
    )
    return {int(n): int(c) for n, c in session.execute(stmt)}


def submission_items(session: Session, submission_id: int) -> list[int]:
    stmt = select(SubmissionItem.nomination_id).where(SubmissionItem.submission_id == submission_id)
    return list(session.execute(stmt.order_by(SubmissionItem.id)).scalars())


def submission_visible(
    session: Session, submission_id: int, where: ColumnElement[bool], authority_paths: Sequence[str]
) -> Submission | None:
    stmt = (
        select(Submission)
        .join(Round, Round.id == Submission.round_id)
        .join(Campaign, Campaign.id == Round.campaign_id)
        .where(
            Submission.id == submission_id,
            or_(where, *[under(Submission.authority_unit_id, p) for p in authority_paths]),
        )
    )
    return session.execute(stmt).scalar_one_or_none()
