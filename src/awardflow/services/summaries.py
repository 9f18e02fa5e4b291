"""Closing rounds and phases: lapse what must lapse, compute the summary once and freeze it,
render it to HTML, and tell the supervisors and the director (outbox ``summary_ready``).

Re-running a close returns the stored summary (same id, same figures); only an explicit
``recompute`` adds a new version.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import local_date
from awardflow.db.models import Campaign
from awardflow.db.models.campaign import Summary
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import outbox as outbox_repo
from awardflow.db.repositories import summaries as repo
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
    outbox_repo.insert_ignoring_duplicates(session, rows)
    return summary


@dataclass(frozen=True, slots=True)
class _Scope:
    key: str  # round:<id> | phase:<id>
    kind: str
    campaign_id: int
    title: str
    round_ids: list[int]
    period: tuple[Any, Any]
    round_id: int | None = None
    phase_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _close(
    session: Session, ctx: ServiceContext, scope: _Scope, now: datetime, recompute: bool
) -> Summary:
    """The stored summary of ``scope``; computed (after lapsing what must lapse) only when
    there is none yet or a recompute is asked for."""
    existing = repo.latest(session, scope.key)
    if existing is not None and not recompute:
        return existing
    lapse_due(session, ctx, now)
    campaign = campaigns_repo.campaign(session, scope.campaign_id)
    assert campaign is not None
    data = _compute(session, campaign, scope.title, scope.round_ids, scope.period, now)
    data.update(scope.extra)
    return _store(
        session,
        scope.key,
        scope.kind,
        campaign,
        data,
        round_id=scope.round_id,
        phase_id=scope.phase_id,
        now=now,
        version=(existing.version + 1) if existing else 1,
    )


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
    summary = _close(
        session,
        ctx,
        _Scope(
            key=f"round:{rnd.id}",
            kind=rnd.kind if rnd.kind in ("midterm", "final") else "round",
            campaign_id=rnd.campaign_id,
            title=f"Tổng hợp kết quả {rnd.name}",
            round_ids=[rnd.id],
            period=(rnd.opens, rnd.submission_by or rnd.council_by),
            round_id=rnd.id,
        ),
        now,
        recompute,
    )
    rnd.closed_at = rnd.closed_at or now
    return summary


def close_phase(
    session: Session,
    ctx: ServiceContext,
    phase_id: int,
    *,
    now: datetime | None = None,
    recompute: bool = False,
) -> Summary:
    now = now or datetime.now(UTC)
    phase = campaigns_repo.phase(session, phase_id)
    if phase is None:
        raise NotFound("Không có giai đoạn này.", "No such phase.", field="phase_id")
    review = "Sơ kết" if phase.review_kind == "midterm" else "Tổng kết"
    summary = _close(
        session,
        ctx,
        _Scope(
            key=f"phase:{phase.id}",
            kind=phase.review_kind or "phase",
            campaign_id=phase.campaign_id,
            title=f"Báo cáo {review.lower()} {phase.name}",
            round_ids=repo.rounds_in_phase(session, phase.id),
            period=(phase.start, phase.end),
            phase_id=phase.id,
            extra={"review": review},
        ),
        now,
        recompute,
    )
    phase.closed_at = phase.closed_at or now
    return summary
