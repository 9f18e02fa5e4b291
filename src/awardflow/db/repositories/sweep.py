"""Set-based queries of the deadline sweep: claim a batch of nominations whose next escalation
level is due, mark inactive dossiers stuck, find what must lapse.

Claims are compare-and-set on ``escalation_level`` (and the stay's ``state_entered_at``), so a
level fires once per stay however many sweeps run; on PostgreSQL the candidate rows are locked
with ``FOR UPDATE SKIP LOCKED`` so concurrent sweeps take disjoint batches instead of waiting.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from awardflow.db.models import Campaign, CampaignVersion, Nomination
from awardflow.states.lifecycle import NominationState


def campaign_versions(session: Session) -> Sequence[tuple[Campaign, CampaignVersion]]:
    stmt = select(Campaign, CampaignVersion).join(
        CampaignVersion, CampaignVersion.campaign_id == Campaign.id
    )
    return [(c, v) for c, v in session.execute(stmt.order_by(Campaign.id, CampaignVersion.version))]


def claim_escalations(
    session: Session,
    *,
    campaign_id: int,
    campaign_version: int,
    state: NominationState,
    level: int,
    due_by: datetime,
    mark_stuck: bool,
    batch: int,
) -> list[dict[str, Any]]:
    """Advance ``escalation_level`` from ``level`` to ``level + 1`` for up to ``batch`` rows
    whose deadline is at or before ``due_by``; returns what the notifications need."""
    candidates = (
        select(Nomination.id)
        .where(
            Nomination.campaign_id == campaign_id,
            Nomination.campaign_version == campaign_version,
            Nomination.state == state,
            Nomination.escalation_level == level,
            Nomination.due_at <= due_by,
        )
        .order_by(Nomination.due_at, Nomination.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    values: dict[str, Any] = {"escalation_level": level + 1}
    if mark_stuck:
        values["stuck"] = True
    # One statement: the sub-select picks (and on PostgreSQL locks, skipping rows another sweep
    # holds) the batch; the compare-and-set on the level makes a repeat a no-op.
    stmt = (
        update(Nomination)
        .where(
            Nomination.id.in_(candidates),
            Nomination.escalation_level == level,
            Nomination.state == state,
        )
        .values(**values)
        .returning(
            Nomination.id,
            Nomination.unit_id,
            Nomination.assignee_id,
            Nomination.state_entered_at,
            Nomination.due_at,
            Nomination.nominee_name,
        )
        .execution_options(synchronize_session=False)
    )
    return [dict(r._mapping) for r in session.execute(stmt)]


def mark_stuck(
    session: Session,
    *,
    campaign_id: int,
    states: Sequence[NominationState],
    inactive_since: datetime,
) -> int:
    """Waiting dossiers with no activity since ``inactive_since`` become stuck."""
    stmt = (
        update(Nomination)
        .where(
            Nomination.campaign_id == campaign_id,
            Nomination.state.in_(list(states)),
            Nomination.stuck.is_(False),
            Nomination.last_activity_at < inactive_since,
        )
        .values(stuck=True)
        .execution_options(synchronize_session=False)
    )
    return len(session.execute(stmt.returning(Nomination.id)).scalars().all())


def lapse_candidates(
    session: Session, states: Sequence[NominationState], now: datetime, batch: int
) -> list[int]:
    stmt = (
        select(Nomination.id)
        .where(and_(Nomination.state.in_(list(states)), Nomination.due_at < now))
        .order_by(Nomination.due_at, Nomination.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    return list(session.execute(stmt).scalars())
