"""Queue-page latency at 1,000,000 nominations on PostgreSQL (issue 9; goal: p95 ≤ 10 ms).

The data set is written by COPY, as ``bench/flows.py`` writes its sweep set (same columns), but
spread like a department after a decade of rounds: 200 schools, 50 appraisers of the appraising
office, ten yearly rounds, ~69 % of the nominations closed (awarded, rejected, lapsed,
withdrawn) and the rest waiting in every open state — 10 % in appraisal (≈ 2,000 per
appraiser), 4 % proposed and unassigned (the office queue, ≈ 40,000). ``VACUUM ANALYZE`` after
loading, as autovacuum would have done on a live database.

Measured, each for several appraisers taking turns, sequentially (one request at a time):

- ``GET /api/queue`` (my tasks: in appraisal and assigned to me, due first, 50 per page, with
  the total counted up to 1,000) and ``GET /api/queue/office`` (proposed and unassigned in my
  office's campaigns) as the route runs them: ``services.queries.my_queue`` / ``office_queue``
  in ``Database.read_one_statement()`` plus the page's JSON (``api.routes.work.queue_json``);
- interleaved with those, fewer of the same pages the way the route built them before issue 9
  (an exact count and ORM rows in ``Database.read()``, a ``NominationOut`` model per row, the
  page's JSON): the before/after ratio on the same data and the same load;
- the two routes over HTTP: one uvicorn worker on 127.0.0.1, a bearer token, httpx.

Reported: p50/p95/p99 and mean per query, and ``EXPLAIN (ANALYZE, BUFFERS)`` of the SQL each
sends, to show the plans (index, rows touched).
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import psycopg
from sqlalchemy import event, insert, select, text

from awardflow.api.routes.work import queue_json
from awardflow.db.models import RoleGrant, Round, Unit, User
from awardflow.db.repositories import org as org_repo
from awardflow.db.session import Database
from awardflow.services import queries
from awardflow.services.actors import actor_for_user
from awardflow.states import Actor, Role
from awardflow.states.lifecycle import NominationState as S
from bench import common
from bench.flows import COLUMNS

ORDER = 7
GOAL_MS = 10.0
NOW = datetime(2026, 11, 20, 3, tzinfo=UTC)
PAGE = 50
#: Share of the data set per state (closed ones spread over ten rounds, open ones in the last).
SHARES: tuple[tuple[S, float], ...] = (
    (S.AWARDED, 0.50),
    (S.REJECTED, 0.14),
    (S.LAPSED, 0.03),
    (S.WITHDRAWN, 0.02),
    (S.DRAFT, 0.05),
    (S.RETURNED, 0.02),
    (S.PROPOSED, 0.04),
    (S.IN_APPRAISAL, 0.10),
    (S.APPRAISED, 0.03),
    (S.IN_COUNCIL, 0.02),
    (S.COUNCIL_APPROVED, 0.02),
    (S.SUBMITTED, 0.02),
    (S.AUTHORITY_RETURNED, 0.01),
)
CLOSED = {S.AWARDED, S.REJECTED, S.LAPSED, S.WITHDRAWN}
UNASSIGNED = {S.DRAFT, S.PROPOSED}


@dataclass
class Options:
    n: int = 1_000_000
    schools: int = 200
    appraisers: int = 50
    rounds: int = 10
    measured: int = 5  # appraisers whose queues are measured, taking turns
    requests: int = 200  # per appraiser and query, per mode
    http: bool = True


# --- the data set ---------------------------------------------------------------------------


@dataclass
class Dataset:
    n: int
    seconds: float
    appraisers: list[int]
    states: dict[str, int]


def _org(
    db: Database, stage: common.Stage, opts: Options
) -> tuple[list[int], list[int], list[int]]:
    """Schools, appraisers of the appraising office, and ten yearly rounds."""
    w = stage.world
    with db.write() as s:
        parent = s.get(Unit, w["so"])
        schools = []
        for i in range(opts.schools):
            unit = Unit(
                code=f"q-school-{i}", name=f"Trường THPT số {i}", kind="school", participants=60
            )
            schools.append(org_repo.add_unit(s, unit, parent).id)
        users = [
            {
                "username": f"q-appraiser-{i}",
                "full_name": f"Chuyên viên {i}",
                "email": f"q-appraiser-{i}@example.test",
            }
            for i in range(opts.appraisers)
        ]
        s.execute(insert(User), users)
        appraisers = list(
            s.execute(
                select(User.id).where(User.username.like("q-appraiser-%")).order_by(User.id)
            ).scalars()
        )
        s.execute(
            insert(RoleGrant),
            [{"user_id": u, "role": Role.APPRAISER, "unit_id": w["tccb"]} for u in appraisers],
        )
        rounds = [w["round"]]
        for year in range(2026 - opts.rounds + 1, 2026):
            rnd = Round(
                campaign_id=w["campaign"],
                code=f"q-{year}",
                name=f"Năm học {year - 1}–{year}",
                kind="annual",
                year=year,
                opens=date(year, 1, 5),
                proposals_close=date(year, 11, 10),
                appraisal_due=date(year, 11, 25),
                council_by=date(year, 12, 4),
                submission_by=date(year, 12, 15),
                limit_appraise=10,
                limit_return_answer=5,
                limit_authority_answer=20,
                limit_decide=10,
                closed_at=datetime(year, 12, 30, tzinfo=UTC),
            )
            s.add(rnd)
            s.flush()
            rounds.insert(0, rnd.id)
    return schools, appraisers, rounds


def build(db: Database, stage: common.Stage, opts: Options) -> Dataset:
    t0 = time.perf_counter()
    w = stage.world
    schools, appraisers, rounds = _org(db, stage, opts)
    rng = random.Random(2026)
    states = [st for st, _ in SHARES]
    weights = [share for _, share in SHARES]
    counts: dict[str, int] = {}
    copy_sql = f"COPY nominations ({COLUMNS}) FROM STDIN"
    with psycopg.connect(common.pg_dsn(db)) as conn, conn.cursor() as cur:
        done = 0
        while done < opts.n:
            size = min(100_000, opts.n - done)
            buf = io.StringIO()
            for state in rng.choices(states, weights, k=size):
                counts[state.value] = counts.get(state.value, 0) + 1
                closed = state in CLOSED
                rnd = rng.choice(rounds[:-1]) if closed and len(rounds) > 1 else rounds[-1]
                assignee = "\\N" if state in UNASSIGNED else str(rng.choice(appraisers))
                entered = NOW - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 1440))
                due = "\\N" if closed else str(NOW + timedelta(hours=rng.randint(-240, 720)))
                award = w["giay_khen"] if rng.random() < 0.8 else w["bang_khen_tinh"]
                buf.write(
                    f"{w['campaign']}\t1\t{rnd}\t{award}\t{rng.choice(schools)}\tindividual\t"
                    f"{w['p-lan']}\tGiáo viên {done}\t\t{{}}\t{{}}\t{state.value}\t3\t1\t"
                    f"{assignee}\t{entered}\t{due}\t0\tf\t{entered}\t0\t0\t\t{entered}\n"
                )
                done += 1
            with cur.copy(copy_sql) as copy:
                copy.write(buf.getvalue())
        conn.commit()
    vacuum(db)
    return Dataset(opts.n, time.perf_counter() - t0, appraisers, counts)


def vacuum(db: Database) -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


# --- measuring ------------------------------------------------------------------------------


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    every = sorted(samples)

    def at(q: float) -> float:
        return every[min(len(every) - 1, int(q * len(every)))] * 1e3

    return {
        "count": len(every),
        "p50_ms": round(at(0.50), 3),
        "p95_ms": round(at(0.95), 3),
        "p99_ms": round(at(0.99), 3),
        "mean_ms": round(statistics.fmean(every) * 1e3, 3),
        "max_ms": round(every[-1] * 1e3, 3),
    }


Query = Callable[[Any, Actor, int, int], queries.QueuePage]
QUERIES: dict[str, Query] = {"queue": queries.my_queue, "queue/office": queries.office_queue}
#: One page as the route builds it: (items, total, total_capped).
Runner = Callable[[Database, Actor], tuple[int, int, bool]]


def _route(query: Query) -> Runner:
    """What the route does now: one statement, plain rows, the JSON serialized once."""

    def run(db: Database, actor: Actor) -> tuple[int, int, bool]:
        with db.read_one_statement() as s:
            page = query(s, actor, PAGE, 0)
        queue_json(page, NOW, PAGE, 0)
        return len(page.rows), page.total, page.capped

    return run


def _route_before(where: Callable[[Actor], Any]) -> Runner:
    """The route before issue 9: an exact count, ORM rows in a transaction, a validated
    ``NominationOut`` per row, the page model serialized by FastAPI."""
    from awardflow.api.schemas.common import Page
    from awardflow.api.schemas.nominations import NominationOut
    from awardflow.db.repositories import api_queries

    def run(db: Database, actor: Actor) -> tuple[int, int, bool]:
        query = api_queries.NominationQuery(sort="due_at", limit=PAGE, offset=0)
        with db.read() as s:
            rows, total = api_queries.list_nominations(s, where(actor), query, kept=True)
            items = [NominationOut.of(n, NOW) for n in rows]
        Page[NominationOut](items=items, total=total, limit=PAGE, offset=0).model_dump_json()
        return len(items), total, False

    return run


ROUTES: dict[str, tuple[Runner, Runner]] = {
    "queue": (
        _route(queries.my_queue),
        _route_before(lambda a: queries._task_filter(a.grants, a.user_id)),
    ),
    "queue/office": (_route(queries.office_queue), _route_before(queries.office_filter)),
}


def service_latency(
    db: Database, actors: list[Actor], requests: int, before_every: int = 0
) -> dict[str, Any]:
    """What the route does, per page; with ``before_every``, also the route as it was before,
    once every that many pages (interleaved, so both see the same load)."""
    out: dict[str, Any] = {}
    for name, (now_run, before_run) in ROUTES.items():
        runners = {"now": now_run, **({"before": before_run} if before_every else {})}
        samples: dict[str, list[float]] = {k: [] for k in runners}
        cpu: dict[str, list[float]] = {k: [] for k in runners}
        totals: dict[int, int] = {}
        capped: dict[int, bool] = {}
        for _ in range(10):  # warm-up: compiled-statement cache, buffers
            for run in runners.values():
                run(db, actors[0])
        for i in range(requests * len(actors)):
            actor = actors[i % len(actors)]
            assert actor.user_id is not None
            for key, run in runners.items():
                if key == "before" and i % before_every:
                    continue
                t0, c0 = time.perf_counter(), time.process_time()
                items, total, more = run(db, actor)
                samples[key].append(time.perf_counter() - t0)
                cpu[key].append(time.process_time() - c0)
                assert items == min(PAGE, total)
                if key == "now":
                    totals[actor.user_id], capped[actor.user_id] = total, more
        for key in runners:
            cpu_ms = percentiles(cpu[key])
            measured = {
                **percentiles(samples[key]),
                "cpu_p50_ms": cpu_ms["p50_ms"],
                "cpu_p95_ms": cpu_ms["p95_ms"],
            }
            if key == "now":
                out[name] = {**measured, "totals": totals, "capped": capped}
            else:
                out[name]["before"] = measured
    return out


def explain(db: Database, actor: Actor) -> dict[str, list[str]]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of every statement each query sends."""
    plans: dict[str, list[str]] = {}
    for name, query in QUERIES.items():
        sent: list[tuple[str, Any]] = []

        def grab(
            conn: Any, cursor: Any, statement: str, params: Any, *_: Any, sent: list[Any] = sent
        ) -> None:
            sent.append((statement, params))

        event.listen(db.engine, "before_cursor_execute", grab)
        try:
            with db.read() as s:
                query(s, actor, PAGE, 0)
        finally:
            event.remove(db.engine, "before_cursor_execute", grab)
        lines: list[str] = []
        with db.engine.connect() as conn:
            for statement, params in sent:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                result = conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, params
                ).scalars()
                sql = " ".join(statement.split())
                lines += [f"-- [{_statement_kind(sql)}] {sql[:400]}", *result, ""]
        plans[name] = lines
    return plans


# --- over HTTP ------------------------------------------------------------------------------


def http_latency(db: Database, actors: list[Actor], requests: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    url = db.engine.url.render_as_string(hide_password=False)
    headers = [common.bearer(url, a.user_id) for a in actors if a.user_id is not None]
    with common.api_server(db, NOW) as (base, _), httpx.Client(base_url=base, timeout=30) as client:
        for name in QUERIES:
            for auth in headers:  # warm-up: each appraiser once (grants cache, statements)
                client.get(f"/api/{name}", params={"limit": PAGE}, headers=auth)
            samples: list[float] = []
            for i in range(requests * len(headers)):
                auth = headers[i % len(headers)]
                t0 = time.perf_counter()
                resp = client.get(f"/api/{name}", params={"limit": PAGE}, headers=auth)
                samples.append(time.perf_counter() - t0)
                resp.raise_for_status()
            out[name] = percentiles(samples)
    return out


# --- entry points ---------------------------------------------------------------------------


def run(opts: Options, pg_url: str) -> dict[str, Any]:
    with common.database("postgres", pg_url, f"awardflow_bench_queue_{opts.n}") as db:
        stage = common.stage(db)
        print(f"[queue] loading {opts.n:,} nominations …", flush=True)
        data = build(db, stage, opts)
        print(f"  loaded in {data.seconds:.0f} s: {data.states}", flush=True)
        with db.read() as s:
            actors = [actor_for_user(s, u) for u in data.appraisers[: opts.measured]]
        result: dict[str, Any] = {
            "n": opts.n,
            "load_seconds": round(data.seconds, 1),
            "states": data.states,
            "appraisers": opts.appraisers,
            "measured_appraisers": len(actors),
            "requests": opts.requests,
            "indexes": indexes(db),
        }
        print("[queue] with the indexes of migration 0004: service …", flush=True)
        result["service"] = service_latency(db, actors, opts.requests, before_every=5)
        result["explain"] = explain(db, actors[0])
        print(summary({"service": result["service"]}), flush=True)
        if opts.http:
            print("[queue] HTTP …", flush=True)
            result["http"] = http_latency(db, actors, opts.requests)
            print(summary({"http": result["http"]}), flush=True)
        # the baseline: the same data with the indexes as they were before 0004
        requests = max(10, opts.requests // 5)
        print(f"[queue] without 0004 (the 0003 indexes), {requests} per appraiser …", flush=True)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for statement in WITHOUT_0004:
                conn.execute(text(statement))
        result["without_0004"] = {
            "indexes": indexes(db),
            "service": service_latency(db, actors, requests),
            "explain": explain(db, actors[0]),
        }
        print(summary({"service": result["without_0004"]["service"]}), flush=True)
    return result


#: Back to the indexes of migration 0003 (what 0004's downgrade does), then fresh statistics.
WITHOUT_0004 = (
    "DROP INDEX ix_nominations_unassigned",
    "DROP INDEX ix_nominations_queue",
    "CREATE INDEX ix_nominations_queue ON nominations (state, assignee_id, due_at)",
    "ANALYZE nominations",
)


def indexes(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE tablename = 'nominations' ORDER BY 1")
        ).scalars()
        return list(rows)


def summary(result: dict[str, Any]) -> str:
    parts = []
    for mode in ("service", "http"):
        for name, r in result.get(mode, {}).items():
            parts.append(
                f"  {mode} {name}: p50 {r['p50_ms']:.2f} ms, p95 {r['p95_ms']:.2f} ms, "
                f"p99 {r['p99_ms']:.2f} ms"
            )
    return "\n".join(parts)


def _plan_digest(lines: list[str]) -> list[str]:
    """The plan's main nodes (scans, joins, sorts, limits with their actual rows and times),
    their index conditions, heap fetches and the execution time: enough to read the plan."""
    keep = (
        "InitPlan",
        "Aggregate",
        "Limit",
        "Sort",
        "Join",
        "Scan",
        "Index Cond",
        "Heap Fetches",
        "Heap Blocks",
    )
    out = []
    for line in lines:
        if line.startswith("-- "):
            kind = line[4:].split("]", 1)[0] if line.startswith("-- [") else _statement_kind(line)
            out.append(f"-- {kind}")
        elif line.strip().startswith("Join Filter"):
            continue
        elif line.strip().startswith(keep) or ("->" in line and any(k in line for k in keep)):
            out.append(
                line.rstrip().replace("  (cost=", " (cost=").split(" (cost=")[0] + _actual(line)
            )
        elif line.startswith("Execution Time"):
            out.append(line)
    return out


def _statement_kind(sql: str) -> str:
    if "count(*)" not in sql:
        return "the page query"
    if sql.lstrip("- ").startswith("SELECT count(*)"):
        return "the count query"
    return "the page with its capped total (one statement)"


def _executions(plan: list[str]) -> str:
    times = [ln.split(":", 1)[1].strip() for ln in plan if ln.startswith("Execution Time")]
    return " + ".join(times)


def _actual(line: str) -> str:
    """`` (actual time=… rows=N …)`` of a plan line, shortened to rows and total time."""
    if "(actual time=" not in line:
        return ""
    inside = line.split("(actual time=", 1)[1]
    total = inside.split("..", 1)[1].split()[0]
    rows = inside.split("rows=", 1)[1].split()[0]
    return f"  [rows={rows}, {total} ms]"


VIA = {
    "service": "the route's work: one statement, rows → JSON",
    "before": "the route's work before: exact count, ORM rows, models",
    "http": "HTTP, uvicorn, bearer token",
}


def _row(name: str, label: str, via: str, r: dict[str, Any]) -> str:
    met = "met" if r["p95_ms"] <= GOAL_MS else "**not met**"
    cpu = f"{r['cpu_p50_ms']:.2f} / {r['cpu_p95_ms']:.2f}" if "cpu_p50_ms" in r else "—"
    return (
        f"| `GET /api/{name}` | {label} | {via} | {r['count']:,} "
        f"| {r['p50_ms']:.2f} | **{r['p95_ms']:.2f}** | {r['p99_ms']:.2f} "
        f"| {r['mean_ms']:.2f} | {cpu} | {met} |"
    )


def _rows(result: dict[str, Any], label: str) -> list[str]:
    lines = []
    for mode in ("service", "http"):
        for name, r in result.get(mode, {}).items():
            lines.append(_row(name, label, VIA[mode], r))
    for name, r in result.get("service", {}).items():
        if "before" in r:
            lines.append(_row(name, label, VIA["before"], r["before"]))
    return lines


def _totals(service: dict[str, Any]) -> str:
    parts = []
    for name, r in service.items():
        totals = sorted(set(r["totals"].values()))
        capped = sum(bool(c) for c in r.get("capped", {}).values())
        parts.append(
            f"`{name}` total {' / '.join(f'{t:,}' for t in totals)}"
            f" ({capped} of {len(r['totals'])} appraisers `total_capped`)"
        )
    return "; ".join(parts)


def markdown(result: dict[str, Any]) -> str:
    if "skipped" in result:
        return f"### Queue-page latency\n\nSkipped: {result['skipped']}.\n"
    st = result["states"]
    lines = [
        f"### Queue-page latency on PostgreSQL, {result['n']:,} nominations (`bench/queue.py`)",
        "",
        f"Data set: {result['appraisers']} appraisers, "
        f"{st.get('in_appraisal', 0):,} in appraisal (≈ "
        f"{st.get('in_appraisal', 0) // max(1, result['appraisers']):,} per appraiser), "
        f"{st.get('proposed', 0):,} proposed and unassigned (the office queue), "
        f"{sum(st.get(k.value, 0) for k in CLOSED):,} closed; loaded (COPY + VACUUM ANALYZE) "
        f"in {result['load_seconds']} s. {result['measured_appraisers']} appraisers take turns, "
        "one request at a time; each request is a page of 50 with its total, counted up to "
        f"1,000 ({_totals(result['service'])}).",
        "",
        "| query | indexes | via | requests | p50 ms | p95 ms | p99 ms | mean ms "
        "| client CPU p50 / p95 ms | goal p95 ≤ 10 ms |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|---|",
        *_rows(result, "0004"),
    ]
    before = result.get("without_0004")
    if before:
        lines += _rows(before, "0003 (before 0004)")
        ratios = ", ".join(
            f"`{name}` {before['service'][name]['p95_ms'] / r['p95_ms']:.1f}×"
            for name, r in result["service"].items()
        )
        lines += ["", f"p95 without ÷ with migration 0004's indexes (service): {ratios}."]
    was = ", ".join(
        f"`{name}` {r['before']['p95_ms'] / r['p95_ms']:.1f}× (CPU p50 "
        f"{r['before']['cpu_p50_ms'] / r['cpu_p50_ms']:.1f}×)"
        for name, r in result["service"].items()
        if "before" in r
    )
    if was:
        lines += ["", f"p95 of the route's work before ÷ now (interleaved, same run): {was}."]
    server = "; ".join(
        f"`{name}` {_executions(plan)}"
        + (f" (before 0004: {_executions(before['explain'][name])})" if before else "")
        for name, plan in result["explain"].items()
    )
    lines += [
        "",
        "PostgreSQL's own execution time of what each page sends (`EXPLAIN ANALYZE`, one "
        f"request, same run and load): {server}.",
    ]
    lines += ["", "Indexes on `nominations` (0004):", ""]
    lines += [
        f"- `{ix.split(' INDEX ')[1].split()[0]}` {ix.split(' USING btree ')[-1]}"
        for ix in result["indexes"]
    ]
    for label, res in (("0004", result), ("0003, before", before or {})):
        for name, plan in res.get("explain", {}).items():
            lines += [
                "",
                f"`EXPLAIN (ANALYZE, BUFFERS)` of `GET /api/{name}` (one appraiser), "
                f"indexes {label}:",
                "",
                "```",
                *_plan_digest(plan),
                "```",
            ]
    return "\n".join(lines)


def suite(quick: bool, pg_url: str | None, n: int | None = None) -> dict[str, Any]:
    if pg_url is None:
        return {"skipped": "PostgreSQL is required"}
    opts = Options(n=20_000, schools=20, appraisers=10, requests=40) if quick else Options()
    if n:
        opts.n = n
    return run(opts, pg_url)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="20,000 nominations, a smoke run")
    parser.add_argument("--n", type=int, help="nominations in the data set")
    parser.add_argument("--requests", type=int, help="requests per appraiser and query")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP measurement")
    args = parser.parse_args(argv)
    opts = Options(n=20_000, schools=20, appraisers=10, requests=40) if args.quick else Options()
    if args.n:
        opts.n = args.n
    if args.requests:
        opts.requests = args.requests
    opts.http = not args.no_http
    with common.pg_server() as url:
        result = run(opts, url)
    print(markdown(result))
    return result


if __name__ == "__main__":
    main()
