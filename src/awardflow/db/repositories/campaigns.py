"""Queries over campaigns, their versions, phases, rounds and award forms."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from awardflow.db.models import Award, Campaign, CampaignPhase, CampaignVersion, Round


def campaign(session: Session, campaign_id: int) -> Campaign | None:
    return session.get(Campaign, campaign_id)


def campaign_by_code(session: Session, code: str) -> Campaign | None:
    return session.execute(select(Campaign).where(Campaign.code == code)).scalar_one_or_none()


def campaigns(session: Session) -> Sequence[Campaign]:
    return session.execute(select(Campaign).order_by(Campaign.id)).scalars().all()


def round_(session: Session, round_id: int) -> Round | None:
    return session.get(Round, round_id)


def award(session: Session, award_id: int) -> Award | None:
    return session.get(Award, award_id)


def phases(session: Session, campaign_id: int) -> Sequence[CampaignPhase]:
    stmt = select(CampaignPhase).where(CampaignPhase.campaign_id == campaign_id)
    return session.execute(stmt.order_by(CampaignPhase.start)).scalars().all()


def rounds(session: Session, campaign_id: int) -> Sequence[Round]:
    stmt = select(Round).where(Round.campaign_id == campaign_id).order_by(Round.opens, Round.id)
    return session.execute(stmt).scalars().all()


def awards(session: Session, campaign_id: int) -> Sequence[Award]:
    stmt = select(Award).where(Award.campaign_id == campaign_id).order_by(Award.id)
    return session.execute(stmt).scalars().all()


def latest_version(session: Session, campaign_id: int) -> CampaignVersion | None:
    stmt = (
        select(CampaignVersion)
        .where(CampaignVersion.campaign_id == campaign_id)
        .order_by(CampaignVersion.version.desc())
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def version_count(session: Session, campaign_id: int) -> int:
    stmt = select(func.count()).where(CampaignVersion.campaign_id == campaign_id)
    return int(session.execute(stmt).scalar_one())


def add(session: Session, obj: object) -> None:
    session.add(obj)
