"""Queries the demo loader needs: how many nominations a campaign has in each state."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from awardflow.db.models import Nomination


def state_counts(session: Session, campaign_id: int) -> dict[str, int]:
    stmt = (
        select(Nomination.state, func.count())
        .where(Nomination.campaign_id == campaign_id)
        .group_by(Nomination.state)
    )
    return {str(state.value): int(count) for state, count in session.execute(stmt)}
