"""Set-based queries of the deadline sweep: claim a batch of nominations whose next escalation
level is due, mark inactive dossiers stuck, find what must lapse.

Claims are compare-and-set on ``escalation_level`` (and the stay's ``state_entered_at``), so a
level fires once per stay however many sweeps run; on PostgreSQL the candidate rows are locked
with ``FOR UPDATE SKIP LOCKED`` so concurrent sweeps take disjoint batches instead of waiting.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, text, update
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


# Colons inside SQL literals are escaped (\\:) so text() does not read them as parameters.
_SET_BASED = """
WITH due AS (
  UPDATE nominations SET escalation_level = :next {stuck}
   WHERE id IN (SELECT id FROM nominations
                 WHERE campaign_id = :campaign AND campaign_version = :version
                   AND state = :state AND escalation_level = :level AND due_at <= :due_by
                 ORDER BY due_at, id LIMIT :batch FOR UPDATE SKIP LOCKED)
     AND escalation_level = :level AND state = :state
  RETURNING id, unit_id, assignee_id, state_entered_at, due_at, nominee_name
), targets (role, fixed_unit, prefer_assignee) AS (VALUES {targets}),
rows AS (
  SELECT due.*, targets.role,
         CASE WHEN targets.prefer_assignee AND due.assignee_id IS NOT NULL
              THEN due.assignee_id END AS user_id,
         coalesce(targets.fixed_unit, due.unit_id) AS unit
    FROM due CROSS JOIN targets
), ins AS (
  INSERT INTO notification_outbox (dedupe_key, kind, nomination_id, recipient_user_id,
                                   recipient_role, recipient_unit_id, payload, status, attempts,
                                   next_attempt_at, created_at)
  SELECT 'n' || id || ':' || :state || ':'
         || to_char(state_entered_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISSUS')
         || '\\:L' || :level || ':'
         || CASE WHEN user_id IS NOT NULL THEN 'u' || user_id ELSE role || '@' || unit END,
         :kind, id, user_id, CASE WHEN user_id IS NULL THEN role END,
         CASE WHEN user_id IS NULL THEN unit END,
         CAST(:payload AS jsonb) || jsonb_build_object(
             'due_at',
             to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24\\:MI\\:SS') || '+00:00',
             'nominee', nominee_name),
         'pending', 0, now(), now()
    FROM rows
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING 1
)
SELECT (SELECT count(*) FROM due), (SELECT count(*) FROM ins)
"""


def escalate_set_based(
    session: Session,
    *,
    campaign_id: int,
    campaign_version: int,
    state: NominationState,
    level: int,
    due_by: datetime,
    mark_stuck: bool,
    batch: int,
    kind: str,
    targets: Sequence[tuple[str, int | None, bool]],
    payload: dict[str, Any],
) -> tuple[int, int]:
    """PostgreSQL: claim a batch and write its notices in ONE statement (no rows travel to
    Python). ``targets`` are (role, fixed unit or None for the dossier's unit, prefer the
    assignee). Returns (claimed, notices written). Same dedupe keys as the row-by-row path."""
    values = ", ".join(
        f"(CAST(:role{i} AS text), CAST(:unit{i} AS integer), CAST(:assignee{i} AS boolean))"
        for i in range(len(targets))
    )
    sql = _SET_BASED.format(stuck=", stuck = true" if mark_stuck else "", targets=values)
    params: dict[str, Any] = {
        "next": level + 1,
        "campaign": campaign_id,
        "version": campaign_version,
        "state": state.value,
        "level": level,
        "due_by": due_by,
        "batch": batch,
        "kind": kind,
        "payload": json.dumps(payload, ensure_ascii=False),
    }
    for i, (role, unit, prefer) in enumerate(targets):
        params.update({f"role{i}": role, f"unit{i}": unit, f"assignee{i}": prefer})
    claimed, written = session.execute(text(sql), params).one()
    return int(claimed), int(written)
