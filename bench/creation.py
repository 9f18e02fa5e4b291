"""Creating 100,000 nominations through ``services.nominations.create_draft``: wall time and peak
memory.

One transaction (``Database.write()``) per 1,000 drafts, the way a bulk import or a CLI command
would batch them; each draft is a distinct staff member of one school, created by its clerk for
the department's Giấy khen, and leaves its first audit event. Each database runs in a fresh
child process; the nominees are bulk-inserted before the clock starts.

Peak memory is the kernel's peak-RSS mark (``VmHWM``, what ``ru_maxrss`` reports), reset right
before the first batch so that it is the loop's own; ``ru_maxrss`` itself is not used because
after fork + exec it starts from the parent's peak. Wall time is measured without tracemalloc
(it slows this code ~3×); the tracemalloc peak comes from one more batch made after the timed
ones, and the RSS sampled every 10 batches shows whether memory grows with N.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from tests.support.world import NOW

from awardflow.db.models import AuditEvent, Nomination
from awardflow.services.nominations import create_draft
from bench import common

ACHIEVEMENT = "Hoàn thành xuất sắc nhiệm vụ năm học, dẫn dắt chuyển đổi số nhà trường"


@dataclass
class Options:
    sqlite_n: int = 100_000
    postgres_n: int = 5_000
    traced_n: int = 1_000  # drafts made under tracemalloc after the timed ones (one batch)
    batch: int = 1000


def make_drafts(stage: common.Stage, people: Sequence[int], batch: int) -> list[float]:
    """``create_draft`` for each person, ``batch`` per transaction; each batch's seconds."""
    w, ctx = stage.world, stage.ctx
    clerk = w.actor("clerk_a")
    seconds: list[float] = []
    for start in range(0, len(people), batch):
        t0 = time.perf_counter()
        with stage.db.write() as s:
            for pid in people[start : start + batch]:
                create_draft(
                    s,
                    ctx,
                    clerk,
                    round_id=w["round"],
                    award_id=w["giay_khen"],
                    unit_id=w["thpt-a"],
                    nominee_kind="individual",
                    person_id=pid,
                    achievement=ACHIEVEMENT,
                    now=NOW,
                )
        seconds.append(time.perf_counter() - t0)
    return seconds


def child(backend: str, n: int, traced: int, batch: int, pg_url: str | None) -> dict[str, Any]:
    """The measured run, in this (fresh) process: ``n`` timed drafts, then ``traced`` more
    under tracemalloc (started after the timed ones, so it slows nothing that is timed)."""
    with common.database(backend, pg_url, "awardflow_bench_creation") as db:
        stage = common.stage(db)
        people = common.add_people(db, stage.world["thpt-a"], n + traced, "cr")
        gc.collect()
        rss_before = common.rss_mib()
        setup_peak = common.peak_rss_mib()
        reset = common.reset_peak_rss()
        # The working-day calendar builds its first year from the holidays package (lunar
        # dates) on first use, once per process; measured apart so the loop's peak is its own.
        stage.ctx.calendar.add_working_days(NOW.date(), 1)
        calendar_peak = common.peak_rss_mib()
        rss_calendar = common.rss_mib()
        reset = common.reset_peak_rss() and reset
        batch_seconds: list[float] = []
        samples: list[tuple[int, float]] = []
        t0 = time.perf_counter()
        for start in range(0, n, batch * 10):
            chunk = people[start : min(n, start + batch * 10)]
            batch_seconds += make_drafts(stage, chunk, batch)
            samples.append((start + len(chunk), round(common.rss_mib(), 1)))
        seconds = time.perf_counter() - t0
        peak_rss = common.peak_rss_mib()
        # The child's lifetime peak is the largest of the three marks (each reset in between).
        # Not ru_maxrss: after fork + exec it starts from the parent's peak.
        lifetime_peak = max(setup_peak, calendar_peak, peak_rss)
        tracemalloc.start()
        make_drafts(stage, people[n:], batch)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        with db.read() as s:
            made = s.execute(select(func.count()).select_from(Nomination)).scalar_one()
            events = s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    tenth = max(1, len(batch_seconds) // 10)
    total = n + traced
    return {
        "backend": backend,
        "n": n,
        "traced_n": traced,
        "batch": batch,
        "seconds": round(seconds, 2),
        "per_s": round(n / seconds, 1),
        "first_tenth_per_s": round(tenth * batch / sum(batch_seconds[:tenth]), 1),
        "last_tenth_per_s": round(tenth * batch / sum(batch_seconds[-tenth:]), 1),
        "rss_setup_mib": round(rss_before, 1),
        "rss_before_mib": round(rss_calendar, 1),
        "rss_samples_mib": samples,
        "calendar_first_use_peak_mib": round(calendar_peak, 1),
        "rss_after_calendar_mib": round(rss_calendar, 1),
        "peak_rss_mib": round(peak_rss, 1),
        "peak_rss_is_loop_only": reset,
        "lifetime_peak_rss_mib": round(lifetime_peak, 1),
        "tracemalloc_peak_mib": round(peak / 2**20, 1),
        "tracemalloc_end_mib": round(current / 2**20, 1),
        "check": {
            "ok": made == total and events == total,
            "nominations": made,
            "audit_events": events,
        },
    }


def spawn(backend: str, n: int, traced: int, batch: int, pg_url: str | None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.creation", "--child", backend, "--n", str(n)]
    cmd += ["--traced-n", str(traced), "--batch", str(batch)]
    cmd += ["--pg-url", pg_url] if pg_url else []
    done = subprocess.run(cmd, cwd=common.REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(opts: Options, pg_url: str | None) -> dict[str, Any]:
    plan = [("sqlite", opts.sqlite_n)]
    if pg_url and opts.postgres_n:
        plan.append(("postgres", opts.postgres_n))
    runs = []
    for backend, n in plan:
        print(f"[creation] {backend}: {n:,} drafts timed, {opts.traced_n:,} traced …", flush=True)
        res = spawn(
            backend, n, opts.traced_n, opts.batch, pg_url if backend == "postgres" else None
        )
        print(
            f"  {res['per_s']:.0f}/s, {res['seconds']} s, peak RSS {res['peak_rss_mib']} MiB, "
            f"tracemalloc peak {res['tracemalloc_peak_mib']} MiB, "
            f"check {'ok' if res['check']['ok'] else 'FAILED'}",
            flush=True,
        )
        runs.append(res)
    return {"runs": runs}


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "### Creating nominations through `create_draft` (1,000 per transaction)",
        "",
        "| database | drafts | wall s | drafts/s | first 10 % /s | last 10 % /s "
        "| RSS before MiB | peak RSS MiB (VmHWM) | process lifetime peak MiB "
        "| tracemalloc peak MiB (drafts traced) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in result["runs"]:
        lines.append(
            f"| {r['backend']} | {r['n']:,} | {r['seconds']:,} | {r['per_s']:,.0f} "
            f"| {r['first_tenth_per_s']:,.0f} | {r['last_tenth_per_s']:,.0f} "
            f"| {r['rss_before_mib']} | {r['peak_rss_mib']} | {r['lifetime_peak_rss_mib']} "
            f"| {r['tracemalloc_peak_mib']} ({r['traced_n']:,}) |"
        )
    for r in result["runs"]:
        curve = ", ".join(f"{n:,}: {mib}" for n, mib in r["rss_samples_mib"])
        lines.append(
            f"\nRSS (MiB) after N drafts, {r['backend']}: {curve}. Before the loop the "
            f"calendar's first use (holidays package) peaked at "
            f"{r['calendar_first_use_peak_mib']} MiB and left RSS at "
            f"{r['rss_after_calendar_mib']} MiB."
        )
    ok = all(r["check"]["ok"] for r in result["runs"])
    loop_only = all(r["peak_rss_is_loop_only"] for r in result["runs"])
    lines.append(
        f"\nChecks: {'passed' if ok else 'FAILED'} — every run made N nominations and N audit "
        "events. RSS before = the child process after imports, world, bulk-inserted nominees "
        "and the calendar's first use; peak RSS = `VmHWM` "
        + (
            "reset (`/proc/self/clear_refs`) just before the first batch, so it is the timed "
            "drafts' own peak"
            if loop_only
            else "of the whole child process (the reset was not possible here)"
        )
        + "; process lifetime peak = the largest `VmHWM` of setup, calendar and loop (the "
        "calendar's one-time transient included; `ru_maxrss` is the same kernel counter but, in "
        "a child started by fork + exec, begins at the parent's peak, so it is not used); "
        "tracemalloc runs over the extra drafts made after the timed ones "
        "and counts only what those batches allocate (tracemalloc slows this code about 3×)."
    )
    return "\n".join(lines)


ORDER = 2
QUICK = Options(sqlite_n=1000, postgres_n=500, traced_n=500, batch=250)


def suite(quick: bool, pg_url: str | None, n: int | None = None) -> dict[str, Any]:
    """For ``bench.run``: this benchmark with its defaults (or the smoke sizes)."""
    opts = Options(**vars(QUICK)) if quick else Options()
    if n:
        opts.sqlite_n = n
    return run(opts, pg_url)


def options(argv: Sequence[str] | None = None) -> tuple[Options, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small N, a smoke run")
    parser.add_argument("--n", type=int, help="timed drafts on SQLite")
    parser.add_argument("--postgres-n", type=int, help="timed drafts on PostgreSQL (0: skip)")
    parser.add_argument("--traced-n", type=int, help="drafts made under tracemalloc afterwards")
    parser.add_argument("--batch", type=int, help="drafts per transaction (default 1000)")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--child", choices=common.BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--pg-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    opts = Options(**vars(QUICK)) if args.quick else Options()
    if args.batch:
        opts.batch = args.batch
    if args.n is not None:
        opts.sqlite_n = args.n
    if args.postgres_n is not None:
        opts.postgres_n = args.postgres_n
    if args.traced_n is not None:
        opts.traced_n = args.traced_n
    if args.sqlite_only:
        opts.postgres_n = 0
    return opts, args


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    opts, args = options(argv)
    if args.child:  # spawned by run(): --n is this child's own N
        res = child(args.child, args.n, opts.traced_n, opts.batch, args.pg_url)
        print(json.dumps(res))
        return res
    if opts.postgres_n:
        with common.pg_server() as url:
            result = run(opts, url)
    else:
        result = run(opts, None)
    print(markdown(result))
    return result


if __name__ == "__main__":
    main()
