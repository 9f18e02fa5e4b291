"""Requests per second and p50/p99 latency of ``POST /api/nominations/{id}/actions/claim`` (with
``If-Match`` and a bearer token, as appraiser1) on one uvicorn worker at concurrency 16 on
127.0.0.1, side by side in the same run with a bare FastAPI endpoint ``POST /bare/{id}/claim``
that does the same writes in raw SQL (goal, issue 6: awardflow ≥ 50 % of the bare throughput).

The bare endpoint is a plain ``def`` route (FastAPI's thread pool, like awardflow's routes) that
runs the transition benchmark's DBAPI baseline (``bench.baseline``: ``BEGIN IMMEDIATE`` on
SQLite / ``SELECT … FOR UPDATE`` on PostgreSQL, the version-checked ``UPDATE``, the audit
``INSERT`` with the same HMAC, the outbox ``INSERT``, commit) on one ``sqlite3`` / ``psycopg``
connection per server thread, with no authentication and no request body.

Each app runs in its own process (``uvicorn.Server``, one worker, log level warning, no access
log); the load generator is an ``httpx.AsyncClient`` with 16 tasks in this process, each request
on a different ``proposed`` nomination (prepared in bulk as in ``bench.transitions``). The runs
alternate (awardflow, bare, bare, awardflow) so that machine noise falls on both alike; the
better of the two runs of each is reported. Afterwards every chain is verified and every
nomination checked ``in_appraisal`` with one outbox row.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import multiprocessing
import pstats
import socket
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
from tests.support.world import NOW

from awardflow.settings import ApiSettings, Settings
from awardflow.states.lifecycle import NominationState as S
from bench import common
from bench.baseline import Baseline, PostgresDbapi, SqliteDbapi, Step
from bench.workload import seed_proposed, steps

GOAL = 0.5
CONCURRENCY = 16
WARMUP = 64
RUNS = 2  # per app, alternating
JWT_SECRET = "bench-jwt-secret-" + "x" * 32
APPS = ("awardflow", "bare")


@dataclass
class Options:
    n: int = 1500  # requests per measured run (each on its own nomination)
    seconds: float = 25.0  # a run stops after this long even if not all were sent
    backends: tuple[str, ...] = common.BACKENDS
    profile: int = 300  # requests profiled in-process on SQLite (0: no profile)


@dataclass(frozen=True)
class ServerSpec:
    """What a server process needs (picklable: it crosses a ``spawn``)."""

    app: str
    url: str  # the SQLAlchemy URL
    port: int
    actor_id: int
    actor_name: str
    step: Step
    now: datetime


# --- the servers ----------------------------------------------------------------------------


def settings_for(url: str) -> Settings:
    return Settings(
        audit_key=common.AUDIT_KEY,
        database_url=url,
        api=ApiSettings(jwt_secret=JWT_SECRET, access_token_minutes=60),
    )


def awardflow_app(spec: ServerSpec) -> Any:
    from awardflow.api.app import create_app
    from awardflow.db.session import Database
    from awardflow.services.evidence import MemoryFileStore

    now = spec.now
    return create_app(
        settings_for(spec.url), Database(spec.url), store=MemoryFileStore(), clock=lambda: now
    )


def bare_app(spec: ServerSpec) -> Any:
    from fastapi import FastAPI
    from sqlalchemy.engine import make_url

    url = make_url(spec.url)
    local = threading.local()
    key = common.AUDIT_KEY.encode()
    args = (key, spec.actor_id, spec.actor_name, spec.now)

    def runner() -> Baseline:
        found: Baseline | None = getattr(local, "runner", None)
        if found is None:
            if url.get_backend_name() == "sqlite":
                assert url.database
                found = SqliteDbapi(url.database, *args)
            else:
                dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
                found = PostgresDbapi(dsn, *args)
            local.runner = found
        return found

    app = FastAPI()
    step = spec.step

    @app.post("/bare/{nomination_id}/claim")
    def claim(nomination_id: int) -> dict[str, Any]:
        runner().fire(nomination_id, step)
        return {"nomination_id": nomination_id, "trigger": step.trigger.value}

    return app


def serve(spec: ServerSpec) -> None:
    """The server process: one uvicorn worker on 127.0.0.1."""
    import uvicorn

    app = awardflow_app(spec) if spec.app == "awardflow" else bare_app(spec)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=spec.port, workers=1, log_level="warning", access_log=False
    )
    uvicorn.Server(config).run()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(port: int, proc: multiprocessing.process.BaseProcess, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.is_alive():
            raise RuntimeError(f"server on {port} exited with {proc.exitcode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server on {port} did not start")


# --- the load generator ---------------------------------------------------------------------


@dataclass
class Run:
    app: str
    latencies: list[float]
    errors: Counter[str]
    wall: float
    sent: int

    @property
    def ok(self) -> int:
        return len(self.latencies)

    def p(self, q: float) -> float:
        every = sorted(self.latencies)
        return every[min(len(every) - 1, int(q * len(every)))] if every else float("nan")

    @property
    def rate(self) -> float:
        return self.ok / self.wall

    def as_dict(self) -> dict[str, Any]:
        return {
            "app": self.app,
            "requests": self.sent,
            "ok": self.ok,
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "wall_s": round(self.wall, 3),
            "req_per_s": round(self.rate, 1),
            "p50_ms": round(self.p(0.5) * 1e3, 2),
            "p99_ms": round(self.p(0.99) * 1e3, 2),
        }


def request_for(app: str, base: str, nid: int) -> tuple[str, dict[str, str]]:
    if app == "awardflow":
        return f"{base}/api/nominations/{nid}/actions/claim", {"If-Match": '"1"'}
    return f"{base}/bare/{nid}/claim", {}


async def drive(app: str, port: int, ids: Sequence[int], token: str | None, seconds: float) -> Run:
    """``CONCURRENCY`` tasks on one client, each taking the next nomination until none is left
    or ``seconds`` have passed."""
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    queue = iter(ids)
    sent = 0
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=60) as client:
        t0 = time.perf_counter()
        deadline = t0 + seconds

        async def worker() -> None:
            nonlocal sent
            for nid in queue:
                if time.perf_counter() > deadline:
                    return
                url, extra = request_for(app, base, nid)
                sent += 1
                t = time.perf_counter()
                try:
                    resp = await client.post(url, headers=extra, json={})
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1
                    continue
                if resp.status_code == 200:
                    latencies.append(time.perf_counter() - t)
                else:
                    errors[str(resp.status_code)] += 1

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        wall = time.perf_counter() - t0
    return Run(app, latencies, errors, wall, sent)


# --- one database ---------------------------------------------------------------------------


def check(stage: common.Stage, ids: Sequence[int]) -> dict[str, Any]:
    """Every claimed nomination is in appraisal with one outbox row; every chain verifies."""
    return common.integrity(stage, list(ids), S.IN_APPRAISAL, 1)


def run_backend(backend: str, opts: Options, pg_url: str | None) -> dict[str, Any]:
    from awardflow.api.auth import issue

    with common.database(backend, pg_url, "awardflow_bench_api") as db:
        stage = common.stage(db)
        appraiser = stage.world.actor("appraiser1")
        assert appraiser.user_id is not None
        per = WARMUP + RUNS * opts.n
        people = common.add_people(db, stage.world["thpt-a"], per * len(APPS), "api")
        t0 = time.perf_counter()
        sets = {
            name: seed_proposed(stage, people[i * per : (i + 1) * per])
            for i, name in enumerate(APPS)
        }
        seeded = time.perf_counter() - t0
        claim = steps(stage)[0]
        url = db.engine.url.render_as_string(hide_password=False)
        token = issue(settings_for(url).api, appraiser.user_id, "access")
        ctx = multiprocessing.get_context("spawn")
        procs: dict[str, tuple[int, multiprocessing.process.BaseProcess]] = {}
        try:
            for name in APPS:
                port = free_port()
                spec = ServerSpec(name, url, port, appraiser.user_id, appraiser.name, claim, NOW)
                started = ctx.Process(target=serve, args=(spec,), daemon=True)
                started.start()
                procs[name] = (port, started)
            for port, proc in procs.values():
                wait_up(port, proc)
            tokens = {"awardflow": token, "bare": None}
            warm = {
                name: asyncio.run(
                    drive(name, procs[name][0], sets[name][:WARMUP], tokens[name], 60)
                ).as_dict()
                for name in APPS
            }
            runs: dict[str, list[Run]] = {name: [] for name in APPS}
            order = ["awardflow", "bare", "bare", "awardflow"]
            used = dict.fromkeys(APPS, WARMUP)
            t0 = time.perf_counter()
            for name in order:
                ids = sets[name][used[name] : used[name] + opts.n]
                used[name] += opts.n
                run = asyncio.run(drive(name, procs[name][0], ids, tokens[name], opts.seconds))
                runs[name].append(run)
                print(f"  {backend} {name}: {fmt(run)}", flush=True)
            wall = time.perf_counter() - t0
        finally:
            for _, server in procs.values():
                server.terminate()
                server.join(10)
        # A run bounded by time may leave nominations unsent; check only what was sent.
        sent_ids = [i for name in APPS for i in sets[name][:WARMUP]] + sent_sets(sets, runs, opts.n)
        verdict = check(stage, sent_ids)
        best = {name: max(rs, key=lambda r: r.rate) for name, rs in runs.items()}
        errors = sum(sum(r.errors.values()) for rs in runs.values() for r in rs)
        return {
            "backend": backend,
            "n_per_run": opts.n,
            "seed_seconds": round(seeded, 2),
            "measured_wall_s": round(wall, 2),
            "warmup": warm,
            "runs": {name: [r.as_dict() for r in rs] for name, rs in runs.items()},
            "best": {name: r.as_dict() for name, r in best.items()},
            "ratio": round(best["awardflow"].rate / best["bare"].rate, 4),
            "errors": errors,
            "check": verdict,
        }


def sent_sets(sets: dict[str, list[int]], runs: dict[str, list[Run]], n: int) -> list[int]:
    """The nominations each measured run actually sent (its first ``sent`` of its slice)."""
    out: list[int] = []
    for name, rs in runs.items():
        for k, r in enumerate(rs):
            start = WARMUP + k * n
            out += sets[name][start : start + r.sent]
    return out


def fmt(run: Run) -> str:
    d = run.as_dict()
    return (
        f"{d['req_per_s']:,.0f} req/s, p50 {d['p50_ms']:.1f} ms, p99 {d['p99_ms']:.1f} ms, "
        f"{d['ok']}/{d['requests']} ok, errors {d['errors']} {d['error_kinds'] or ''}"
    )


# --- a profile of awardflow's request path --------------------------------------------------


async def _inline(func: Any, *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def profile_awardflow(n: int) -> dict[str, Any]:
    """cProfile of ``n`` sequential requests through the whole ASGI app on SQLite, in this
    thread: FastAPI's thread-pool hops are replaced by direct calls so that one profiler sees
    the request path end to end (routing, dependencies, token, actor, transition, response)."""
    import fastapi.dependencies.utils as dep_utils
    import fastapi.routing as routing

    from awardflow.api.auth import issue

    modules = (routing, dep_utils)
    saved = [getattr(m, "run_in_threadpool") for m in modules]  # noqa: B009
    with common.database("sqlite", None, "awardflow_bench_api_profile") as db:
        stage = common.stage(db)
        appraiser = stage.world.actor("appraiser1")
        assert appraiser.user_id is not None
        people = common.add_people(db, stage.world["thpt-a"], n + WARMUP, "prof")
        ids = seed_proposed(stage, people)
        url = db.engine.url.render_as_string(hide_password=False)
        spec = ServerSpec("awardflow", url, 0, appraiser.user_id, appraiser.name,
                          steps(stage)[0], NOW)  # fmt: skip
        token = issue(settings_for(url).api, appraiser.user_id, "access")
        for m in modules:
            setattr(m, "run_in_threadpool", _inline)  # noqa: B010
        try:
            app = awardflow_app(spec)
            prof = cProfile.Profile()

            async def go() -> float:
                transport = httpx.ASGITransport(app=app)
                headers = {"Authorization": f"Bearer {token}", "If-Match": '"1"'}
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://t", headers=headers
                ) as client:
                    for nid in ids[:WARMUP]:
                        r = await client.post(f"/api/nominations/{nid}/actions/claim", json={})
                        assert r.status_code == 200, r.text
                    t0 = time.perf_counter()
                    prof.enable()
                    for nid in ids[WARMUP:]:
                        r = await client.post(f"/api/nominations/{nid}/actions/claim", json={})
                        assert r.status_code == 200, r.text
                    prof.disable()
                    return time.perf_counter() - t0

            with stage.db.read() as s:
                stage.ctx.reload_calendar(s)
            elapsed = asyncio.run(go())
        finally:
            for m, original in zip(modules, saved, strict=True):
                setattr(m, "run_in_threadpool", original)  # noqa: B010
    return summarize(prof, n, elapsed)


def _package(filename: str) -> str:
    for mark, name in (
        ("/awardflow/", "awardflow"),
        ("/sqlalchemy/", "sqlalchemy"),
        ("/fastapi/", "fastapi"),
        ("/starlette/", "starlette"),
        ("/pydantic", "pydantic"),
        ("/httpx/", "httpx (client)"),
        ("/httpcore/", "httpx (client)"),
        ("/anyio/", "anyio"),
        ("/jwt/", "pyjwt"),
        ("/asyncio/", "asyncio"),
    ):
        if mark in filename:
            return name
    if filename.startswith("~") or "<built-in" in filename:
        return "builtins/C"
    return "other"


def summarize(prof: cProfile.Profile, n: int, elapsed: float) -> dict[str, Any]:
    stats = pstats.Stats(prof, stream=StringIO())
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    own: Counter[str] = Counter()
    for (filename, _, _), v in raw.items():
        own[_package(filename)] += v[2]
    wanted = (
        ("awardflow/api/routes/actions.py", "fire_action"),
        ("awardflow/api/auth.py", "current_actor"),
        ("awardflow/services/actors.py", "actor_for_user"),
        ("awardflow/services/visibility.py", "require_nomination"),
        ("awardflow/services/transitions.py", "transition"),
        ("awardflow/db/session.py", "write"),
        ("fastapi/routing.py", "serialize_response"),
        ("fastapi/dependencies/utils.py", "solve_dependencies"),
        ("fastapi/routing.py", "app"),
    )
    rows = []
    for (filename, line, name), v in raw.items():
        for path, fn in wanted:
            if filename.endswith(path) and name == fn:
                rows.append(
                    {
                        "function": f"{path}:{line}({name})",
                        "calls_per_request": round(v[1] / n, 2),
                        "cum_share": round(v[3] / total, 3),
                    }
                )
    rows.sort(key=lambda r: -float(r["cum_share"]))
    top = sorted(raw.items(), key=lambda kv: -kv[1][2])[:12]
    return {
        "requests": n,
        "ms_per_request_profiled": round(total / n * 1e3, 3),
        "ms_per_request_wall": round(elapsed / n * 1e3, 3),
        "own_time_by_package": {k: round(v / total, 3) for k, v in own.most_common()},
        "cumulative": rows,
        "top_own": [
            {
                "function": f"{f.split('site-packages/')[-1]}:{ln}({fn})",
                "share": round(v[2] / total, 3),
            }
            for (f, ln, fn), v in top
        ],
    }


# --- entry points ---------------------------------------------------------------------------


def run(opts: Options, pg_url: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"environment": common.environment(pg_url), "backends": {}}
    for backend in opts.backends:
        if backend == "postgres" and pg_url is None:
            continue
        print(f"[api] {backend}: {opts.n} requests per run, {RUNS} runs per app …", flush=True)
        res = run_backend(backend, opts, pg_url)
        out["backends"][backend] = res
        print(summary_line(res), flush=True)
    if opts.profile:
        print(f"[api] cProfile of {opts.profile} awardflow requests on SQLite …", flush=True)
        out["profile"] = profile_awardflow(opts.profile)
    out["environment"]["load_end"] = common.load_average()
    return out


def summary_line(res: dict[str, Any]) -> str:
    a, b = res["best"]["awardflow"], res["best"]["bare"]
    met = "met" if res["ratio"] >= GOAL else "NOT met"
    return (
        f"  {res['backend']}: awardflow {a['req_per_s']:,.0f} req/s (p50 {a['p50_ms']} ms, "
        f"p99 {a['p99_ms']} ms), bare {b['req_per_s']:,.0f} req/s (p50 {b['p50_ms']} ms, "
        f"p99 {b['p99_ms']} ms) → {res['ratio']:.1%} (goal {met}); errors {res['errors']}; "
        f"checks {'ok' if res['check']['ok'] else 'FAILED'}"
    )


def options(argv: Sequence[str] | None = None) -> tuple[Options, bool, str | None]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small N, a smoke run")
    parser.add_argument("--n", type=int, help="requests per measured run")
    parser.add_argument("--seconds", type=float, help="time bound of one run")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile pass")
    parser.add_argument("--json", help="write the result here")
    args = parser.parse_args(argv)
    opts = Options(n=200, profile=50) if args.quick else Options()
    if args.n:
        opts.n = args.n
    if args.seconds:
        opts.seconds = args.seconds
    if args.no_profile:
        opts.profile = 0
    if args.sqlite_only:
        opts.backends = ("sqlite",)
    return opts, args.sqlite_only, args.json


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    opts, sqlite_only, out = options(argv)
    if sqlite_only:
        result = run(opts, None)
    else:
        with common.pg_server() as url:
            result = run(opts, url)
    text = json.dumps(result, indent=1, default=str)
    if out:
        Path(out).write_text(text)
    print(text)
    return result


if __name__ == "__main__":
    main()
