"""Queries over campaigns, their versions, phases, rounds and award forms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select
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


def phase(session: Session, phase_id: int) -> CampaignPhase | None:
    return session.get(CampaignPhase, phase_id)


def open_rounds_with_authorities(session: Session) -> list[tuple[int, list[int]]]:
    """(round id, receiving authority unit ids) of rounds not yet closed."""
    stmt = (
        select(Round.id, Campaign.authority_unit_id, Campaign.central_authority_unit_id)
        .join(Campaign, Campaign.id == Round.campaign_id)
        .where(Round.closed_at.is_(None))
        .order_by(Round.id)
    )
    return [
        (rid, sorted({u for u in (a, c) if u is not None})) for rid, a, c in session.execute(stmt)
    ]


def rounds_due_to_close(session: Session, today: date) -> list[int]:
    """Rounds whose last date (submission, else council, else proposals) has passed."""
    last = func.coalesce(Round.submission_by, Round.council_by, Round.proposals_close)
    stmt = select(Round.id).where(Round.closed_at.is_(None), last < today).order_by(Round.id)
    return list(session.execute(stmt).scalars())


def phases_due_to_close(session: Session, today: date) -> list[int]:
    stmt = select(CampaignPhase.id).where(
        CampaignPhase.closed_at.is_(None),
        func.coalesce(CampaignPhase.review_date, CampaignPhase.end) < today,
    )
    return list(session.execute(stmt.order_by(CampaignPhase.id)).scalars())


def closing_dates(session: Session) -> list[tuple[str, int, date]]:
    """("round" | "phase", id, date) for every open round and phase: serve.py schedules them."""
    rows: list[tuple[str, int, date]] = []
    last = func.coalesce(Round.submission_by, Round.council_by, Round.proposals_close)
    for rid, day in session.execute(select(Round.id, last).where(Round.closed_at.is_(None))):
        if day is not None:
            rows.append(("round", rid, day))
    phase_day = func.coalesce(CampaignPhase.review_date, CampaignPhase.end)
    stmt = select(CampaignPhase.id, phase_day).where(CampaignPhase.closed_at.is_(None))
    rows.extend(("phase", pid, day) for pid, day in session.execute(stmt))
    return rows


#: fingerprint -> definition. A version's definition never changes once stored, and the
#: fingerprint is the hash of its content, so a cached definition can never be stale; only the
#: small fingerprint is read per call instead of the whole document (the ``recommend`` guard
#: reads the checklist of the version a dossier started on).
_DEFINITIONS: dict[str, dict[str, Any]] = {}
_FINGERPRINT = (
    select(CampaignVersion.fingerprint)
    .where(
        CampaignVersion.campaign_id == bindparam("campaign_id"),
        CampaignVersion.version == bindparam("number"),
    )
    .limit(1)
)
_DEFINITION = select(CampaignVersion.definition).where(
    CampaignVersion.campaign_id == bindparam("campaign_id"),
    CampaignVersion.version == bindparam("number"),
)


def definition(session: Session, campaign_id: int, number: int) -> dict[str, Any]:
    """The definition of version ``number`` of a campaign ({} if there is none), read-only."""
    params = {"campaign_id": campaign_id, "number": number}
    fingerprint = session.execute(_FINGERPRINT, params).scalar_one_or_none()
    if fingerprint is None:
        return {}
    found = _DEFINITIONS.get(fingerprint)
    if found is None:
        found = session.execute(_DEFINITION, params).scalar_one_or_none() or {}
        if len(_DEFINITIONS) > 256:
            _DEFINITIONS.clear()
        _DEFINITIONS[fingerprint] = found
    return found
