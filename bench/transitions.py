"""Transitions per second through the transition service, one commit per transition, on SQLite
(WAL) and PostgreSQL, side by side with raw-SQL baselines doing the same writes (goal: the
service reaches at least 50 % of the baseline).

Workload: ``claim`` (proposed → in_appraisal, an appraiser takes the dossier; guard: she is an
appraiser of the office without a conflict; one outbox row, to her) and then ``return_to_unit``
(in_appraisal → returned, with a reason; guards: she is the assignee, a reason is given; two
outbox rows, to the unit's clerk and head), each on its own ``proposed`` nomination, each in its
own ``Database.write()`` transaction. Every runner (the service and each baseline) gets its own
nominations; they take turns in chunks so that machine noise falls on all of them alike.

The ``proposed`` nominations are prepared in bulk (not timed): rows plus their ``create`` and
``propose`` audit events, HMAC-chained with the same key, so that after the run
``services.audit.verify`` checks every chain, the service's and the baselines' alike.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from awardflow.states.lifecycle import NominationState as S
from bench import common
from bench.baseline import Step
from bench.profiling import profile_service
from bench.workload import Fire, baselines, seed_proposed, service_runner, steps

GOAL = 0.5
RUNNERS = ("service", "core", "dbapi")
WARMUP = 20


@dataclass
class Options:
    n: int = 2000  # nominations per runner; each sees 2 transitions (claim, return_to_unit)
    chunk: int = 50
    profile: int = 300  # nominations profiled with cProfile on SQLite (0: no profile)
    backends: tuple[str, ...] = common.BACKENDS


@dataclass
class RunnerResult:
    latencies: dict[str, list[float]] = field(default_factory=dict)  # per trigger, seconds

    def count(self, trigger: str | None = None) -> int:
        return sum(len(v) for k, v in self.latencies.items() if trigger in (None, k))

    def seconds(self, trigger: str | None = None) -> float:
        return sum(sum(v) for k, v in self.latencies.items() if trigger in (None, k))

    def rate(self, trigger: str | None = None) -> float:
        return self.count(trigger) / self.seconds(trigger)

    def p(self, q: float) -> float:
        every = sorted(x for v in self.latencies.values() for x in v)
        return every[min(len(every) - 1, int(q * len(every)))]

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "transitions": self.count(),
            "seconds": round(self.seconds(), 3),
            "per_s": round(self.rate(), 1),
            "p50_ms": round(self.p(0.5) * 1e3, 3),
            "p95_ms": round(self.p(0.95) * 1e3, 3),
        }
        for trig in self.latencies:
            out[f"{trig}_per_s"] = round(self.rate(trig), 1)
        return out


def interleave(
    fires: dict[str, Fire],
    ids: dict[str, list[int]],
    step: Step,
    chunk: int,
    results: dict[str, RunnerResult],
) -> None:
    """Each runner does ``chunk`` transitions in turn; the first mover rotates every round."""
    names = list(fires)
    n = len(ids[names[0]])
    for k, start in enumerate(range(0, n, chunk)):
        order = names[k % len(names) :] + names[: k % len(names)]
        for name in order:
            fire, lat = fires[name], results[name].latencies.setdefault(step.trigger.value, [])
            for nid in ids[name][start : start + chunk]:
                t0 = time.perf_counter()
                fire(nid, step)
                lat.append(time.perf_counter() - t0)


def statements_per_trigger(
    stage: common.Stage, fires: dict[str, Fire], warm: dict[str, list[int]], plan: Sequence[Step]
) -> dict[str, dict[str, list[str]]]:
    """Warm every runner up on its own nominations; the SQL of the last one, per engine runner
    (the DBAPI baseline bypasses the engine and sends the same 4 statements as ``core``)."""
    sql: dict[str, dict[str, list[str]]] = {"service": {}, "core": {}}
    for step in plan:
        for name, fire in fires.items():
            for nid in warm[name][:-1]:
                fire(nid, step)
            with common.StatementLog(stage.db.engine) as log:
                fire(warm[name][-1], step)
            if name in sql:
                sql[name][step.trigger.value] = log.sent()
    return sql


def check(stage: common.Stage, ids: dict[str, list[int]]) -> dict[str, Any]:
    """Every nomination ended ``returned``, every chain verifies, the outbox has 3 rows each."""
    return common.integrity(stage, [i for v in ids.values() for i in v], S.RETURNED, 3)


def run_backend(backend: str, opts: Options, pg_url: str | None) -> dict[str, Any]:
    with common.database(backend, pg_url, "awardflow_bench_transitions") as db:
        stage = common.stage(db)
        appraiser = stage.world.actor("appraiser1")
        per = opts.n + WARMUP
        people = common.add_people(db, stage.world["thpt-a"], per * len(RUNNERS), "tr")
        t0 = time.perf_counter()
        sets = {
            name: seed_proposed(stage, people[i * per : (i + 1) * per])
            for i, name in enumerate(RUNNERS)
        }
        seeded = time.perf_counter() - t0
        warm = {name: ids[:WARMUP] for name, ids in sets.items()}
        ids = {name: ids[WARMUP:] for name, ids in sets.items()}
        base = baselines(stage, appraiser)
        fires: dict[str, Fire] = {"service": service_runner(stage, appraiser)}
        fires.update({name: b.fire for name, b in base.items()})
        plan = steps(stage)
        statements = statements_per_trigger(stage, fires, warm, plan)
        results = {name: RunnerResult() for name in fires}
        t0 = time.perf_counter()
        for step in plan:
            interleave(fires, ids, step, opts.chunk, results)
        wall = time.perf_counter() - t0
        for b in base.values():
            b.close()
        verdict = check(stage, ids)
        svc = results["service"]
        return {
            "backend": backend,
            "n": opts.n,
            "seed_seconds": round(seeded, 2),
            "wall_seconds": round(wall, 2),
            "runners": {name: r.as_dict() for name, r in results.items()},
            "ratio_vs_dbapi": round(svc.rate() / results["dbapi"].rate(), 4),
            "ratio_vs_core": round(svc.rate() / results["core"].rate(), 4),
            "statements": statements,
            "check": verdict,
        }


# --- entry points ---------------------------------------------------------------------------


def run(opts: Options, pg_url: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"backends": {}}
    for backend in opts.backends:
        if backend == "postgres" and pg_url is None:
            continue
        print(f"[transitions] {backend}: n={opts.n} per runner …", flush=True)
        res = run_backend(backend, opts, pg_url)
        out["backends"][backend] = res
        print(summary_line(res), flush=True)
    below = any(r["ratio_vs_dbapi"] < GOAL for r in out["backends"].values())
    if opts.profile and below:
        print(f"[transitions] below goal: cProfile of {opts.profile} × 2 on SQLite …", flush=True)
        out["profile"] = profile_service(opts.profile)
    return out


def summary_line(res: dict[str, Any]) -> str:
    r = res["runners"]
    return (
        f"  {res['backend']}: service {r['service']['per_s']:.0f}/s, core text() "
        f"{r['core']['per_s']:.0f}/s, DBAPI {r['dbapi']['per_s']:.0f}/s → service/DBAPI "
        f"{res['ratio_vs_dbapi']:.1%}, service/core {res['ratio_vs_core']:.1%}; "
        f"checks {'ok' if res['check']['ok'] else 'FAILED'}"
    )


def _short(statement: str) -> str:
    """``SELECT … FROM units``, ``UPDATE nominations SET state, version, …``: enough to read."""
    words = statement.split()
    verb = words[0].upper()
    if verb == "SELECT" and "FROM" in words:
        cols = words[1 : words.index("FROM")]
        what = words[1].rstrip(",") + (", …" if len(cols) > 1 else "")
        return f"SELECT {what} FROM {words[words.index('FROM') + 1]}"
    if verb == "UPDATE" and "SET" in words:
        cols = [w.split("=")[0] for w in words[words.index("SET") + 1 :] if "=" in w][:4]
        return f"UPDATE {words[1]} SET {', '.join(cols)}"
    return " ".join(words[:3])


def markdown(result: dict[str, Any]) -> str:
    """The results section's part for this benchmark."""
    lines = [
        "### Transition throughput (one commit per transition)",
        "",
        "| database | runner | transitions | transitions/s | claim/s | return/s "
        "| p50 ms | p95 ms | service ÷ runner |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    label = {
        "service": "transition service (ORM)",
        "core": "raw SQL, Core `text()`",
        "dbapi": "raw SQL, DBAPI driver",
    }
    for backend, res in result["backends"].items():
        svc = res["runners"]["service"]["per_s"]
        for name in RUNNERS:
            r = res["runners"][name]
            ratio = "—" if name == "service" else f"**{svc / r['per_s']:.1%}**"
            lines.append(
                f"| {backend} | {label[name]} | {r['transitions']} | {r['per_s']:,.0f} "
                f"| {r['claim_per_s']:,.0f} | {r['return_to_unit_per_s']:,.0f} "
                f"| {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {ratio} |"
            )
    lines += ["", f"Goal: service ≥ {GOAL:.0%} of the baseline. "]
    for backend, res in result["backends"].items():
        met = "met" if res["ratio_vs_dbapi"] >= GOAL else "**not met**"
        lines[-1] += (
            f"{backend}: {res['ratio_vs_dbapi']:.1%} of DBAPI ({met}), "
            f"{res['ratio_vs_core']:.1%} of Core `text()`. "
        )
    first = next(iter(result["backends"].values()), None)
    if first:
        st = first["statements"]
        svc, core = st["service"], st["core"]
        lines += [
            "",
            "SQL statements per transition (BEGIN/COMMIT aside): service `claim` "
            f"{len(svc['claim'])}, `return_to_unit` {len(svc['return_to_unit'])}; baselines "
            f"{len(core['claim'])} and {len(core['return_to_unit'])} (SELECT, UPDATE, "
            "INSERT event, INSERT outbox). The service's `claim`, in order: "
            + "; ".join(f"`{_short(q)}`" for q in svc["claim"])
            + ".",
            "",
        ]
        for backend, res in result["backends"].items():
            c = res["check"]
            lines.append(
                f"Checks ({backend}): {'passed' if c['ok'] else 'FAILED'} — every nomination "
                f"`returned`, {c['outbox_rows']} outbox rows, {c['audit_events_verified']} "
                f"audit events verified by `services.audit.verify`, "
                f"{len(c['chain_problems'])} problems; seeding {res['seed_seconds']} s, "
                f"measured wall {res['wall_seconds']} s."
            )
    prof = result.get("profile")
    if prof:
        lines += [
            "",
            f"cProfile of the service on SQLite ({prof['transitions']} transitions, "
            f"{prof['profiled_ms_per_transition']} ms each under the profiler), own time by "
            "package: " + ", ".join(f"{k} {v:.0%}" for k, v in prof["by_package"].items()) + ".",
            "",
            "| awardflow function (cumulative) | calls/transition | share of time |",
            "|---|--:|--:|",
        ]
        for row in prof["top_awardflow_cumulative"]:
            lines.append(
                f"| `{row['function']}` | {row['calls_per_transition']} | {row['share']:.0%} |"
            )
    return "\n".join(lines)


ORDER = 1


def suite(quick: bool, pg_url: str | None, n: int | None = None) -> dict[str, Any]:
    """For ``bench.run``: this benchmark with its defaults (or the smoke sizes)."""
    opts = Options(n=100, chunk=25, profile=40) if quick else Options()
    if n:
        opts.n = n
    return run(opts, pg_url)


def options(argv: Sequence[str] | None = None) -> tuple[Options, bool]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small N, a smoke run")
    parser.add_argument("--n", type=int, help="nominations per runner (2 transitions each)")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile pass")
    args = parser.parse_args(argv)
    opts = Options()
    if args.quick:
        opts = Options(n=100, chunk=25, profile=40)
    if args.n:
        opts.n = args.n
    if args.no_profile:
        opts.profile = 0
    if args.sqlite_only:
        opts.backends = ("sqlite",)
    return opts, args.sqlite_only


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    opts, sqlite_only = options(argv)
    if sqlite_only:
        result = run(opts, None)
    else:
        with common.pg_server() as url:
            result = run(opts, url)
    print(markdown(result))
    return result


if __name__ == "__main__":
    main()
