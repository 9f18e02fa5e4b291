"""The deadline sweep at scale and Prefect's overhead per nomination (issue 4).

1. N nominations on PostgreSQL (default 1,000,000), 10 % due for their next escalation level:
   the sweep service in batches of 5,000 (one transaction per batch, as the flow runs it) side
   by side with one raw set-based SQL statement doing the same writes (advance the level and
   write the outbox rows, ``ON CONFLICT DO NOTHING``). Goal: the service ≤ 2× the raw time, its
   memory flat in N (measured at N/10 and N).
2. Prefect overhead per nomination processed: the batched ``sweep-deadlines`` flow over 100 due
   nominations versus 100 flow runs of one nomination each, both against a real Prefect API
   (the test harness), minus the service's own time. Goal: ≤ 0.1 ms per nomination batched.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import time
import tracemalloc
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import text

from awardflow.db.session import Database
from awardflow.services import sweep
from bench import common

ORDER = 3
NOW = datetime(2026, 11, 20, 3, tzinfo=UTC)  # a Friday morning in Hanoi
COLUMNS = (
    "campaign_id, campaign_version, round_id, award_id, unit_id, nominee_kind, person_id, "
    "nominee_name, achievement, fields, checklist, state, version, content_version, assignee_id, "
    "state_entered_at, due_at, escalation_level, stuck, last_activity_at, dept_days_used, "
    "audit_seq, audit_head, created_at"
)


def seed(db: Database, stage: common.Stage, n: int, due_share: float = 0.1) -> None:
    """N in_appraisal nominations by COPY: ``due_share`` of them past their reminder date."""
    w = stage.world
    due = NOW + timedelta(days=3)  # Monday: its reminder (2 working days before) is due today
    later = NOW + timedelta(days=60)
    buf = io.StringIO()
    step = round(1 / due_share)
    for i in range(n):
        when = due if i % step == 0 else later
        buf.write(
            f"{w['campaign']}\t1\t{w['round']}\t{w['giay_khen']}\t{w['thpt-a']}\tindividual\t"
            f"{w['p-lan']}\tGiáo viên {i}\t\t{{}}\t{{}}\tin_appraisal\t1\t1\t{w['appraiser1']}\t"
            f"{NOW - timedelta(days=20)}\t{when}\t0\tf\t{NOW}\t0\t0\t\t{NOW}\n"
        )
    with psycopg.connect(common.pg_dsn(db)) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY nominations ({COLUMNS}) FROM STDIN") as copy:
            copy.write(buf.getvalue())
        cur.execute("ANALYZE nominations")


def reset(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE nominations SET escalation_level = 0, stuck = false"))
        conn.execute(text("DELETE FROM notification_outbox"))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE nominations"))


RAW = """
WITH due AS (
  UPDATE nominations SET escalation_level = 1
   WHERE campaign_id = :campaign AND campaign_version = 1 AND state = 'in_appraisal'
     AND escalation_level = 0 AND due_at <= :due_by
  RETURNING id, assignee_id, state_entered_at, due_at, nominee_name
)
INSERT INTO notification_outbox (dedupe_key, kind, nomination_id, recipient_user_id, payload,
                                 status, attempts, next_attempt_at, created_at)
SELECT 'n' || id || ':in_appraisal:' || to_char(state_entered_at, 'YYYYMMDDHH24MISSUS')
       || ':L0:u' || assignee_id, 'deadline_reminder', id, assignee_id,
       json_build_object('level', 0, 'step', 'reminder', 'due_at', due_at,
                         'nominee', nominee_name),
       'pending', 0, now(), now()
  FROM due
ON CONFLICT (dedupe_key) DO NOTHING
"""


def run_service(stage: common.Stage, batch: int = 5000) -> dict[str, Any]:
    tracemalloc.start()
    started = time.perf_counter()
    escalated = 0
    while True:
        with stage.db.write() as s:
            report = sweep.escalate(s, stage.ctx, NOW, batch=batch, max_batches=1)
        count = sum(report.escalated.values())
        escalated += count
        if count == 0:
            break
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {"seconds": seconds, "escalated": escalated, "peak_mib": round(peak, 1)}


def run_raw(stage: common.Stage) -> dict[str, Any]:
    # the reminder level's cut-off, as the service computes it (2 working days ahead)
    due_by = sweep.end_of_day(sweep.latest_due_date(stage.ctx.calendar, sweep.local_date(NOW), -2))
    started = time.perf_counter()
    with stage.db.engine.begin() as conn:
        result = conn.execute(text(RAW), {"campaign": stage.world["campaign"], "due_by": due_by})
    return {"seconds": time.perf_counter() - started, "escalated": result.rowcount}


def at_scale(pg_url: str, n: int) -> dict[str, Any]:
    with common.database("postgres", pg_url, f"bench_sweep_{n}") as db:
        stage = common.stage(db)
        t0 = time.perf_counter()
        seed(db, stage, n)
        seeding = time.perf_counter() - t0
        raw = run_raw(stage)
        reset(db)
        service = run_service(stage)
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT count(*) FROM notification_outbox")).scalar_one()
    return {
        "n": n,
        "seeding_s": round(seeding, 1),
        "raw": raw,
        "service": service,
        "outbox_rows": rows,
        "ratio": service["seconds"] / raw["seconds"],
    }


def prefect_overhead(pg_url: str, count: int = 100) -> dict[str, Any]:
    """Batched flow vs one flow run per nomination, on a real (ephemeral) Prefect API."""
    from prefect import flow
    from prefect.testing.utilities import prefect_test_harness

    from awardflow.flows import work
    from awardflow.flows.runtime import Runtime, install

    result: dict[str, Any] = {"count": count}
    with common.database("postgres", pg_url, "bench_prefect") as db:
        stage = common.stage(db)
        install(Runtime(db, stage.ctx))

        @flow(name="sweep-one")
        async def sweep_one() -> int:
            with db.write() as s:
                report = sweep.escalate(s, stage.ctx, NOW, batch=1, max_batches=1)
            return sum(report.escalated.values())

        with prefect_test_harness(server_startup_timeout=90):
            asyncio.run(work.sweep_deadlines(now=NOW.isoformat()))  # warm-up, nothing due
            started = time.perf_counter()
            asyncio.run(work.sweep_deadlines(now=NOW.isoformat()))
            result["empty_s"] = time.perf_counter() - started
            seed(db, stage, count, due_share=1.0)
            started = time.perf_counter()
            asyncio.run(work.sweep_deadlines(now=NOW.isoformat()))
            result["batched_s"] = time.perf_counter() - started
            reset(db)
            service = run_service(stage)["seconds"]
            result["service_s"] = service
            reset(db)
            started = time.perf_counter()
            for _ in range(count):
                asyncio.run(sweep_one())
            result["per_run_s"] = time.perf_counter() - started
        install(None)
    # what each nomination adds to a batched run beyond the service's own work (the run's fixed
    # cost — start, tasks, state reports — is paid once per sweep, not per nomination)
    marginal = result["batched_s"] - result["empty_s"] - service
    result["batched_overhead_ms"] = max(marginal, 0.0) / count * 1000
    result["fixed_run_s"] = result["empty_s"]
    result["per_run_overhead_ms"] = (result["per_run_s"] - service) / count * 1000
    return result


def suite(quick: bool, pg_url: str | None, n: int | None = None) -> dict[str, Any]:
    if pg_url is None:
        return {"skipped": "PostgreSQL is required"}
    top = n or (20_000 if quick else 1_000_000)
    return {
        "scales": [at_scale(pg_url, top // 10), at_scale(pg_url, top)],
        "prefect": prefect_overhead(pg_url, 20 if quick else 100),
    }


def markdown(result: dict[str, Any]) -> str:
    if "skipped" in result:
        return f"### Deadline sweep\n\nSkipped: {result['skipped']}.\n"
    lines = [
        "### Deadline sweep on PostgreSQL (10 % of the nominations due)",
        "",
        "| nominations | escalated | raw SQL s | service s | service ÷ raw | service peak MiB |",
        "|--:|--:|--:|--:|--:|--:|",
    ]
    for r in result["scales"]:
        lines.append(
            f"| {r['n']:,} | {r['service']['escalated']:,} | {r['raw']['seconds']:.2f} "
            f"| {r['service']['seconds']:.2f} | {r['ratio']:.2f}× | {r['service']['peak_mib']} |"
        )
    p = result["prefect"]
    lines += [
        "",
        f"Prefect overhead per nomination ({p['count']} due): batched flow "
        f"**{p['batched_overhead_ms']:.2f} ms** beyond its fixed {p['fixed_run_s']:.2f} s per "
        "sweep run, one flow run per nomination "
        f"{p['per_run_overhead_ms']:.0f} ms (service alone {p['service_s'] * 1000 / p['count']:.2f}"
        " ms per nomination). Goals: service ≤ 2× raw, memory flat in N, batched overhead"
        " ≤ 0.1 ms.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="The deadline sweep at scale.")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--n", type=int)
    args = parser.parse_args(argv)
    with common.pg_server() as url:
        result = suite(args.quick, url, args.n)
    print(markdown(result))
    return result


if __name__ == "__main__":
    main()
