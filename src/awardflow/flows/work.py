"""The flows that move nominations along: assignment, deadline sweeps, council closes,
submissions upward, and round and phase closes. Each works in bounded batches, one
transaction per batch, and is safe to run again (DESIGN §3, issue 4)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from awardflow.campaigns.calendar import local_date
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import submissions as submissions_repo
from awardflow.flows.runtime import runtime
from awardflow.services import assignment, council, gateway, submissions, summaries, sweep
from awardflow.settings import get_settings
from awardflow.states import Actor

MAX_BATCHES = 10_000


def _now(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else datetime.now(UTC)


@task
def assign_batch(batch: int, now: str | None) -> dict[str, int]:
    rt = runtime()
    with rt.db.write() as session:
        report = assignment.assign_proposed(session, rt.ctx, batch=batch, now=_now(now))
    return {"assigned": len(report.assigned), "unassignable": len(report.unassignable)}


@flow(name="assign-proposed")
async def assign_proposed(batch: int = 200, now: str | None = None) -> dict[str, int]:
    """Give every proposed dossier a balanced, conflict-free appraiser."""
    total = {"assigned": 0, "unassignable": 0}
    for _ in range(MAX_BATCHES):
        result = assign_batch(batch, now)
        for key, value in result.items():
            total[key] += value
        if result["assigned"] == 0:
            break
    get_run_logger().info("assignment: %s", total)
    return total


@task
def escalate_batch(batch: int, now: str | None) -> dict[str, int]:
    rt = runtime()
    with rt.db.write() as session:
        report = sweep.escalate(session, rt.ctx, _now(now), batch=batch, max_batches=1)
    return {"escalated": sum(report.escalated.values()), "notifications": report.notifications}


@task
def stuck_and_lapses(now: str | None) -> dict[str, int]:
    rt = runtime()
    with rt.db.write() as session:
        stuck = sweep.mark_stuck(session, _now(now))
    lapsed = 0
    for _ in range(MAX_BATCHES):
        with rt.db.write() as session:
            count, _errors = sweep.lapse_due(session, rt.ctx, _now(now), batch=200)
        lapsed += count
        if count < 200:
            break
    return {"stuck": stuck, "lapsed": lapsed}


@flow(name="sweep-deadlines")
async def sweep_deadlines(batch: int = 5000, now: str | None = None) -> dict[str, int]:
    """Reminders, due and overdue notices once per level per stay; stuck marks; lapses."""
    total = {"escalated": 0, "notifications": 0}
    for _ in range(MAX_BATCHES):
        result = escalate_batch(batch, now)
        total = {k: total[k] + result[k] for k in total}
        if result["escalated"] == 0:
            break
    total.update(stuck_and_lapses(now))
    get_run_logger().info("sweep: %s", total)
    return total


@flow(name="close-council-session")
async def close_council_session(session_id: int, now: str | None = None) -> dict[str, Any]:
    """Count the ballots and decide every item of a session (the secretary asked to close)."""
    rt = runtime()
    with rt.db.write() as session:
        minutes = council.close_session(
            session, rt.ctx, Actor.system("council"), session_id, now=_now(now)
        )
    return {"items": len(minutes["items"]), "quorum_met": minutes["quorum_met"]}


def configured_gateway() -> gateway.SubmissionGateway:
    flows = get_settings().flows
    if flows.gateway == "http" and flows.gateway_url:
        return gateway.HttpGateway(flows.gateway_url)
    return gateway.FileDropGateway(Path(flows.gateway_folder))


@flow(name="submit-upward")
async def submit_upward(now: str | None = None) -> dict[str, int]:
    """Package and submit what waits for each authority, then hand packages to the gateway."""
    rt = runtime()
    moment = _now(now)
    with rt.db.read() as session:
        targets = campaigns_repo.open_rounds_with_authorities(session)
    packaged = 0
    for round_id, authorities in targets:
        for authority_id in authorities:
            with rt.db.write() as session:
                made = submissions.prepare_submission(
                    session, rt.ctx, round_id=round_id, authority_unit_id=authority_id, now=moment
                )
                packaged += made is not None
    sent = 0
    drop = configured_gateway()
    with rt.db.read() as session:
        pending = [s.id for s in submissions_repo.unsent(session)]
    for submission_id in pending:
        with rt.db.write() as session:
            sub = submissions_repo.get(session, submission_id)
            if sub is not None:
                gateway.send_submission(session, drop, sub, moment)
                sent += 1
    return {"packaged": packaged, "sent": sent}


@flow(name="fake-authority-answers")
async def fake_authority_answers(seed: int = 2026, now: str | None = None) -> dict[str, int]:
    """Demo and tests only: the province answers what was sent to it."""
    rt = runtime()
    authority = gateway.FakeAuthority(seed=seed)
    with rt.db.read() as session:
        sent = [s.id for s in submissions_repo.awaiting_answer(session)]
    total: dict[str, int] = {}
    for submission_id in sent:
        with rt.db.write() as session:
            sub = submissions_repo.get(session, submission_id)
            if sub is None:
                continue
            for key, value in authority.answer(session, rt.ctx, sub, _now(now)).items():
                total[key] = total.get(key, 0) + value
    return total


@flow(name="close-round")
async def close_round(round_id: int, now: str | None = None) -> int:
    rt = runtime()
    with rt.db.write() as session:
        return summaries.close_round(session, rt.ctx, round_id, now=_now(now)).id


@flow(name="close-phase")
async def close_phase(phase_id: int, now: str | None = None) -> int:
    rt = runtime()
    with rt.db.write() as session:
        return summaries.close_phase(session, rt.ctx, phase_id, now=_now(now)).id


@flow(name="close-due")
async def close_due(now: str | None = None) -> dict[str, list[int]]:
    """Close every round and phase whose date has passed (a safety net for missed schedules)."""
    rt = runtime()
    today = local_date(_now(now))
    with rt.db.read() as session:
        rounds = campaigns_repo.rounds_due_to_close(session, today)
        phases = campaigns_repo.phases_due_to_close(session, today)
    done: dict[str, list[int]] = {"rounds": [], "phases": []}
    for rid in rounds:
        done["rounds"].append(await close_round(rid, now))
    for pid in phases:
        done["phases"].append(await close_phase(pid, now))
    return done
