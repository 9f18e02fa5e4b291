"""Memory (RSS) of a worker running awardflow's flows over a large backlog, and of the API under
concurrency-16 load: before, peak, after (psutil; the kernel's peak mark ``VmHWM``).

**Worker.** The data (not measured): N in_appraisal nominations, 10 % of them due for their
reminder (``bench.flows.seed``), and M proposed ones with their audit chains. A fresh process —
the worker — then runs the real Prefect flows, against a Prefect API (the test harness's
server, a separate process not counted), in the order a worker meets them:
``sweep-deadlines`` (batches of 5,000: it writes N/10 reminder rows into the outbox),
``assign-proposed`` (batches of 200, one ``assign`` transition each), and
``deliver-notifications`` (batches of 100 through the file mailer) until K messages are sent.
For each flow: RSS before and after (``psutil``), and the peak — ``VmHWM`` reset
(``/proc/self/clear_refs``) at the flow's start, cross-checked by a psutil sampler at 20 Hz.

**API.** One uvicorn worker (``awardflow``'s app) over a database of P proposed nominations.
16 concurrent clients, each repeating: ``POST /api/nominations/{id}/actions/claim`` (a write:
transition, audit, outbox), ``GET /api/nominations/{id}``, ``GET /api/queue`` (50 of a growing
queue, with its total), ``GET /api/nominations?limit=50``. Two rounds of the same load: the
server's RSS after startup, the peak of each round (``VmHWM`` of the server, reset from this
process before the round, and the 20 Hz samples), and the RSS after each round — a second
round that ends higher than the first would mean memory grows with the work done.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]

from bench import common
from bench.flows import NOW as SWEEP_NOW

ORDER = 8
CONCURRENCY = 16
MIB = 2**20


@dataclass
class Options:
    sweep_n: int = 1_000_000  # in_appraisal nominations (10 % due: the outbox gets N/10 rows)
    assign_n: int = 2_000  # proposed nominations to assign
    deliver_n: int = 3_000  # messages delivered (five transactions and a render each)
    api_n: int = 2_000  # proposed nominations the API load claims (half per round)
    backend: str = "postgres"


QUICK = Options(sweep_n=20_000, assign_n=100, deliver_n=500, api_n=400)


# --- reading memory -------------------------------------------------------------------------


def hwm_mib(pid: int) -> float:
    """The kernel's peak-RSS mark of a process (``VmHWM``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_hwm(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Sampler:
    """RSS of one process every ``interval`` seconds, in a thread, while in a ``with``."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.proc = psutil.Process(pid)
        self.interval = interval
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.samples.append(self.proc.memory_info().rss / MIB)
            except psutil.Error:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak(self) -> float:
        return max(self.samples, default=0.0)


@contextmanager
def measured(pid: int, out: dict[str, Any]) -> Iterator[None]:
    """Fill ``out`` with RSS before/after, the ``VmHWM`` peak and the sampled peak, seconds."""
    proc = psutil.Process(pid)
    out["rss_before_mib"] = round(proc.memory_info().rss / MIB, 1)
    out["hwm_reset"] = reset_hwm(pid)
    t0 = time.perf_counter()
    with Sampler(pid) as sampler:
        yield
    out["seconds"] = round(time.perf_counter() - t0, 1)
    out["rss_after_mib"] = round(proc.memory_info().rss / MIB, 1)
    out["peak_hwm_mib"] = round(hwm_mib(pid), 1)
    out["peak_sampled_mib"] = round(sampler.peak, 1)
    out["samples"] = len(sampler.samples)


# --- the worker (a child process) -----------------------------------------------------------


def worker_child(url: str, deliver_n: int, mail_dir: str) -> dict[str, Any]:
    """Run in a fresh process: the flows over the prepared backlog; JSON on stdout."""
    os.environ["AWARDFLOW_MAIL__BACKEND"] = "file"
    os.environ["AWARDFLOW_MAIL__FILE_DIR"] = mail_dir
    pid = os.getpid()
    out: dict[str, Any] = {"startup": {"rss_imports_mib": round(common.rss_mib(), 1)}}
    from prefect.testing.utilities import prefect_test_harness

    from awardflow.db.session import Database
    from awardflow.flows import delivery, work
    from awardflow.flows.runtime import Runtime, install
    from awardflow.settings import get_settings

    get_settings.cache_clear()
    db = Database(url)
    ctx = common.service_context()
    with db.read() as s:
        ctx.reload_calendar(s)
    ctx.calendar.add_working_days(SWEEP_NOW.date(), 1)  # the calendar's first year, built now
    install(Runtime(db, ctx))
    now = SWEEP_NOW.isoformat()
    with prefect_test_harness(server_startup_timeout=120):
        asyncio.run(work.sweep_deadlines(now=SWEEP_NOW.replace(year=2020).isoformat()))  # warm
        out["startup"]["rss_ready_mib"] = round(common.rss_mib(), 1)
        phases: list[tuple[str, Callable[[], Any]]] = [
            ("sweep-deadlines", lambda: asyncio.run(work.sweep_deadlines(now=now))),
            ("assign-proposed", lambda: asyncio.run(work.assign_proposed(now=now))),
            # outbox rows fall due at the wall clock's now(): deliver on the real clock
            ("deliver-notifications", lambda: deliver_until(delivery, deliver_n)),
        ]
        for name, run in phases:
            record: dict[str, Any] = {}
            with measured(pid, record):
                record["result"] = run()
            out[name] = record
    install(None)
    db.dispose()
    out["lifetime_peak_mib"] = round(
        max(v.get("peak_hwm_mib", 0) for v in out.values() if isinstance(v, dict)), 1
    )
    return out


def deliver_until(delivery: Any, wanted: int) -> dict[str, int]:
    """``deliver-notifications`` runs (≤ 5,000 messages each) until ``wanted`` were sent."""
    total: Counter[str] = Counter()
    while total["sent"] < wanted:
        left = wanted - total["sent"]
        batches = max(1, min(50, left // 100))
        got = asyncio.run(delivery.deliver_notifications(batch=100, max_batches=batches))
        total.update(got)
        if got["claimed"] == 0:
            break
    return dict(total)


def worker(opts: Options, pg_url: str | None) -> dict[str, Any]:
    from bench import flows
    from bench.workload import seed_proposed

    backend = opts.backend if pg_url else "sqlite"
    with (
        common.database(backend, pg_url, "awardflow_bench_memory_worker") as db,
        tempfile.TemporaryDirectory(prefix="awardflow-mail-") as mail,
    ):
        stage = common.stage(db)
        t0 = time.perf_counter()
        if backend == "postgres":
            flows.seed(db, stage, opts.sweep_n)
        people = common.add_people(db, stage.world["thpt-a"], opts.assign_n, "mem")
        seed_proposed(stage, people)
        seeded = time.perf_counter() - t0
        url = db.engine.url.render_as_string(hide_password=False)
        cmd = [
            sys.executable,
            "-m",
            "bench.memory",
            "--child",
            url,
            "--deliver-n",
            str(opts.deliver_n),
            "--mail-dir",
            mail,
        ]
        done = subprocess.run(cmd, cwd=common.REPO, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"worker child failed:\n{done.stderr[-4000:]}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        outbox = common.sql_count(db.engine, "notification_outbox")
    result.update(
        backend=backend,
        sweep_n=opts.sweep_n if backend == "postgres" else 0,
        assign_n=opts.assign_n,
        deliver_n=opts.deliver_n,
        outbox_rows=outbox,
        seed_seconds=round(seeded, 1),
    )
    return result


# --- the API --------------------------------------------------------------------------------


async def api_round(base: str, auth: dict[str, str], ids: Sequence[int]) -> dict[str, Any]:
    """16 clients, each taking the next nomination: claim it, read it, the queue, a list."""
    queue = iter(ids)
    codes: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, headers=auth, limits=limits, timeout=60) as c:

        async def client() -> None:
            for nid in queue:
                for method, path, headers in (
                    ("POST", f"/api/nominations/{nid}/actions/claim", {"If-Match": '"1"'}),
                    ("GET", f"/api/nominations/{nid}", {}),
                    ("GET", "/api/queue?limit=50", {}),
                    ("GET", "/api/nominations?limit=50", {}),
                ):
                    kw: dict[str, Any] = {"json": {}} if method == "POST" else {}
                    resp = await c.request(method, path, headers=headers, **kw)
                    codes[str(resp.status_code)] += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
        wall = time.perf_counter() - t0
    return {
        "requests": sum(codes.values()),
        "status": dict(codes),
        "req_per_s": round(sum(codes.values()) / wall, 1),
    }


def api(opts: Options, pg_url: str | None) -> dict[str, Any]:
    from tests.support.world import NOW

    from bench.workload import seed_proposed

    backend = opts.backend if pg_url else "sqlite"
    out: dict[str, Any] = {"backend": backend, "nominations": opts.api_n}
    with common.database(backend, pg_url, "awardflow_bench_memory_api") as db:
        stage = common.stage(db)
        people = common.add_people(db, stage.world["thpt-a"], opts.api_n, "mapi")
        ids = seed_proposed(stage, people)
        url = db.engine.url.render_as_string(hide_password=False)
        appraiser = stage.world["appraiser1"]
        with common.api_server(db, NOW) as (base, proc):
            assert proc.pid is not None
            server = psutil.Process(proc.pid)
            time.sleep(1.0)
            out["rss_started_mib"] = round(server.memory_info().rss / MIB, 1)
            half = len(ids) // 2
            for k, chunk in enumerate((ids[:half], ids[half:]), start=1):
                record: dict[str, Any] = {}
                with measured(proc.pid, record):
                    record["load"] = asyncio.run(
                        api_round(base, common.bearer(url, appraiser), chunk)
                    )
                time.sleep(1.0)
                record["rss_idle_after_mib"] = round(server.memory_info().rss / MIB, 1)
                out[f"round{k}"] = record
                print(f"  API round {k}: {fmt(record)}", flush=True)
    return out


def fmt(r: dict[str, Any]) -> str:
    return (
        f"RSS {r['rss_before_mib']} → peak {r['peak_hwm_mib']} (sampled {r['peak_sampled_mib']})"
        f" → {r['rss_after_mib']} MiB in {r['seconds']} s"
    )


# --- entry points ---------------------------------------------------------------------------


def run(opts: Options, pg_url: str | None) -> dict[str, Any]:
    print(
        f"[memory] worker: sweep {opts.sweep_n:,}, assign {opts.assign_n:,}, deliver "
        f"{opts.deliver_n:,} …",
        flush=True,
    )
    res = {"worker": worker(opts, pg_url)}
    for name in ("sweep-deadlines", "assign-proposed", "deliver-notifications"):
        print(f"  worker {name}: {fmt(res['worker'][name])}", flush=True)
    print(f"[memory] API: {opts.api_n:,} nominations claimed at concurrency 16 …", flush=True)
    res["api"] = api(opts, pg_url)
    return res


def markdown(result: dict[str, Any]) -> str:
    w, a = result["worker"], result["api"]
    lines = [
        "### Memory of a worker and of the API (RSS, MiB)",
        "",
        f"Worker ({w['backend']}; a fresh process running the Prefect flows against the "
        f"harness's API): {w['sweep_n']:,} nominations in appraisal (10 % due), "
        f"{w['assign_n']:,} proposed, {w['outbox_rows']:,} outbox rows after the sweep; "
        f"RSS at start (awardflow imported) {w['startup']['rss_imports_mib']}, ready (Prefect "
        f"imported, its client up, a first flow run, the calendar) "
        f"{w['startup']['rss_ready_mib']}.",
        "",
        "| flow | work | seconds | RSS before | peak (VmHWM) | peak (psutil, 20 Hz) | RSS after |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    work: dict[str, Callable[[dict[str, Any]], str]] = {
        "sweep-deadlines": lambda r: f"{r['result'].get('escalated', 0):,} escalated",
        "assign-proposed": lambda r: f"{r['result'].get('assigned', 0):,} assigned",
        "deliver-notifications": lambda r: f"{r['result'].get('sent', 0):,} messages sent",
    }
    for name, describe in work.items():
        r = w[name]
        lines.append(
            f"| `{name}` | {describe(r)} | {r['seconds']} | {r['rss_before_mib']} "
            f"| **{r['peak_hwm_mib']}** | {r['peak_sampled_mib']} | {r['rss_after_mib']} |"
        )
    lines += [
        "",
        f"API ({a['backend']}; one uvicorn worker; {CONCURRENCY} concurrent clients each "
        "repeating claim, read, queue, list; two rounds over "
        f"{a['nominations'] // 2:,} nominations each): RSS after startup "
        f"{a['rss_started_mib']}.",
        "",
        "| round | requests | req/s | statuses | RSS before | peak (VmHWM) "
        "| peak (psutil, 20 Hz) | RSS after | RSS idle 1 s later |",
        "|---|--:|--:|---|--:|--:|--:|--:|--:|",
    ]
    for k in (1, 2):
        r = a[f"round{k}"]
        load = r["load"]
        lines.append(
            f"| {k} | {load['requests']:,} | {load['req_per_s']} | "
            + ", ".join(f"{code}: {n}" for code, n in sorted(load["status"].items()))
            + f" | {r['rss_before_mib']} | **{r['peak_hwm_mib']}** | {r['peak_sampled_mib']} "
            f"| {r['rss_after_mib']} | {r['rss_idle_after_mib']} |"
        )
    return "\n".join(lines)


def suite(quick: bool, pg_url: str | None, n: int | None = None) -> dict[str, Any]:
    opts = Options(**vars(QUICK)) if quick else Options()
    if n:
        opts.sweep_n = n
    return run(opts, pg_url)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--sweep-n", type=int, help="nominations the sweep goes over")
    parser.add_argument("--deliver-n", type=int, help="messages the worker delivers")
    parser.add_argument("--sqlite-only", action="store_true", help="no PostgreSQL (no sweep)")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # the worker process: its DB URL
    parser.add_argument("--mail-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    opts = Options(**vars(QUICK)) if args.quick else Options()
    if args.sweep_n:
        opts.sweep_n = args.sweep_n
    if args.deliver_n:
        opts.deliver_n = args.deliver_n
    if args.child:
        res = worker_child(args.child, opts.deliver_n, args.mail_dir)
        print(json.dumps(res))
        return res
    if args.sqlite_only:
        result = run(opts, None)
    else:
        with common.pg_server() as url:
            result = run(opts, url)
    print(markdown(result))
    return result


if __name__ == "__main__":
    main()
