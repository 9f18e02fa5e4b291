"""Closing rounds and phases: lapse what must lapse, compute the summary once and freeze it,
render it to HTML, and tell the supervisors and the director (outbox ``summary_ready``).

Re-running a close returns the stored summary (same id, same figures); only an explicit
``recompute`` adds a new version.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import local_date
from awardflow.db.models import Campaign
from awardflow.db.models.campaign import Summary
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import summaries as repo
from awardflow.db.repositories import sweep as sweep_repo
from awardflow.errors import NotFound
from awardflow.reports.html import render_summary
from awardflow.services.context import ServiceContext
from awardflow.services.sweep import lapse_due
from awardflow.states.lifecycle import PHASE_OF, TERMINAL, NominationState, Phase, Role

DAY = 86400.0


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q * 100) - 1]


def phase_times(session: Session, round_ids: list[int], now: datetime) -> dict[str, Any]:
    """Days each nomination spent per lifecycle phase (open stays counted up to ``now``)."""
    spent: dict[str, list[float]] = defaultdict(list)
    current: dict[Phase, float] = defaultdict(float)
    last: tuple[int, str, datetime] | None = None

    def flush(state: str, since: datetime, until: datetime | None) -> None:
        end = until or (now if NominationState(state) not in TERMINAL else since)
        current[PHASE_OF[NominationState(state)]] += (end - since).total_seconds() / DAY

    for nid, to_state, _from, at in repo.transitions(session, round_ids):
        if last is not None and last[0] == nid:
            flush(last[1], last[2], at)
        elif last is not None:
            flush(last[1], last[2], None)
            _collect(spent, current)
        last = (nid, to_state, at)
    if last is not None:
        flush(last[1], last[2], None)
        _collect(spent, current)
    return {
        phase: {
            "count": len(v),
            "median": round(statistics.median(v), 1),
            "p90": round(_quantile(v, 0.9), 1),
        }
        for phase, v in spent.items()
    }


def _collect(spent: dict[str, list[float]], current: dict[Phase, float]) -> None:
    for phase, days in current.items():
        if phase is not Phase.CLOSED:
            spent[phase.value].append(days)
    current.clear()


def _compute(
    session: Session,
    campaign: Campaign,
    title: str,
    round_ids: list[int],
    period: tuple[Any, Any],
    now: datetime,
) -> dict[str, Any]:
    data = repo.breakdowns(session, round_ids)
    overdue, stuck = repo.overdue_and_stuck(session, round_ids, now)
    return {
        "title": title,
        "campaign": campaign.title,
        "campaign_code": campaign.code,
        "period": {
            "start": period[0].isoformat(),
            "end": period[1].isoformat() if period[1] else "",
        },
        "generated_on": local_date(now).isoformat(),
        "round_ids": round_ids,
        **data,
        "total": sum(data["by_state"].values()),
        "phase_times": phase_times(session, round_ids, now),
        "overdue": overdue,
        "stuck": stuck,
        "awarded": repo.awarded(session, round_ids),
    }


def _store(
    session: Session,
    scope: str,
    kind: str,
    campaign: Campaign,
    data: dict[str, Any],
    *,
    round_id: int | None,
    phase_id: int | None,
    now: datetime,
    version: int,
) -> Summary:
    summary = Summary(
        scope=scope,
        kind=kind,
        campaign_id=campaign.id,
        round_id=round_id,
        phase_id=phase_id,
        version=version,
        title=data["title"],
        data=data,
        html=render_summary(data),
        narrative={},
        created_at=now,
    )
    repo.add(session, summary)
    session.flush()
    rows = [
        {
            "dedupe_key": f"summary:{summary.id}:{role.value}",
            "kind": "summary_ready",
            "nomination_id": None,
            "audit_event_id": None,
            "recipient_user_id": None,
            "recipient_role": role.value,
            "recipient_unit_id": campaign.organiser_unit_id,
            "payload": {"summary_id": summary.id, "title": summary.title},
        }
        for role in (Role.SUPERVISOR, Role.DIRECTOR)
    ]
    sweep_repo.insert_outbox_ignoring_duplicates(session, rows)
    return summary


def close_round(
    session: Session,
    ctx: ServiceContext,
    round_id: int,
    *,
    now: datetime | None = None,
    recompute: bool = False,
) -> Summary:
    now = now or datetime.now(UTC)
    rnd = campaigns_repo.round_(session, round_id)
    if rnd is None:
        raise NotFound("Không có đợt xét này.", "No such round.", field="round_id")
    scope = f"round:{rnd.id}"
    existing = repo.latest(session, scope)
    if existing is not None and not recompute:
        return existing
    lapse_due(session, ctx, now)
    campaign = campaigns_repo.campaign(session, rnd.campaign_id)
    assert campaign is not None
    kind = rnd.kind if rnd.kind in ("midterm", "final") else "round"
    data = _compute(
        session,
        campaign,
        f"Tổng hợp kết quả {rnd.name}",
        [rnd.id],
        (rnd.opens, rnd.submission_by or rnd.council_by),
        now,
    )
    rnd.closed_at = rnd.closed_at or now
    return _store(
        session,
        scope,
        kind,
        campaign,
        data,
        round_id=rnd.id,
        phase_id=None,
        now=now,
        version=(existing.version + 1) if existing else 1,
    )


def close_phase(
    session: Session,
    ctx: ServiceContext,
    phase_id: int,
    *,
    now: datetime | None = None,
    recompute: bool = False,
) -> Summary:
    now = now or datetime.now(UTC)
    phase = next(
        (
            p
            for c in campaigns_repo.campaigns(session)
            for p in campaigns_repo.phases(session, c.id)
            if p.id == phase_id
        ),
        None,
    )
    if phase is None:
        raise NotFound("Không có giai đoạn này.", "No such phase.", field="phase_id")
    scope = f"phase:{phase.id}"
    existing = repo.latest(session, scope)
    if existing is not None and not recompute:
        return existing
    lapse_due(session, ctx, now)
    campaign = campaigns_repo.campaign(session, phase.campaign_id)
    assert campaign is not None
    review = "Sơ kết" if phase.review_kind == "midterm" else "Tổng kết"
    data = _compute(
        session,
        campaign,
        f"Báo cáo {review.lower()} {phase.name}",
        repo.rounds_in_phase(session, phase.id),
        (phase.start, phase.end),
        now,
    )
    data["review"] = review
    phase.closed_at = phase.closed_at or now
    return _store(
        session,
        scope,
        phase.review_kind or "phase",
        campaign,
        data,
        round_id=None,
        phase_id=phase.id,
        now=now,
        version=(existing.version + 1) if existing else 1,
    )
