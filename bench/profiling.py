"""cProfile of the transition service on SQLite: time by package and the awardflow functions
with the largest cumulative share (run by ``bench.transitions`` when the goal is not met)."""

from __future__ import annotations

import cProfile
import pstats
from collections import Counter
from typing import Any

from bench import common
from bench.workload import seed_proposed, service_runner, steps

WARMUP = 20


def _bucket(filename: str, name: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0]
    if "/awardflow/" in filename:
        return "awardflow." + filename.split("/awardflow/")[1].split("/")[0]
    if filename == "~":
        if "sqlite3" in name or "psycopg" in name:
            return "driver (C)"
        return "builtins"
    return "stdlib"


def profile_service(count: int) -> dict[str, Any]:
    """cProfile of the service's claim + return_to_unit on SQLite: where the time goes."""
    with common.database("sqlite", None, "awardflow_bench_profile") as db:
        stage = common.stage(db)
        appraiser = stage.world.actor("appraiser1")
        people = common.add_people(db, stage.world["thpt-a"], count + WARMUP, "pr")
        ids = seed_proposed(stage, people)
        fire = service_runner(stage, appraiser)
        plan = steps(stage)
        for step in plan:
            for nid in ids[:WARMUP]:
                fire(nid, step)
        prof = cProfile.Profile()
        prof.enable()
        for step in plan:
            for nid in ids[WARMUP:]:
                fire(nid, step)
        prof.disable()
    stats = pstats.Stats(prof)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    buckets: Counter[str] = Counter()
    for (filename, _line, name), (_cc, _nc, tt, _ct, _callers) in raw.items():
        buckets[_bucket(filename, name)] += tt
    calls = 2 * count
    ours = sorted(
        (
            (ct, nc, f"{filename.split('/awardflow/')[1]}:{line}({name})")
            for (filename, line, name), (_cc, nc, _tt, ct, _callers) in raw.items()
            if "/awardflow/" in filename and "site-packages" not in filename
        ),
        reverse=True,
    )
    return {
        "transitions": calls,
        "profiled_ms_per_transition": round(total / calls * 1e3, 2),
        "by_package": {k: round(v / total, 3) for k, v in buckets.most_common(8)},
        "top_awardflow_cumulative": [
            {
                "function": where,
                "calls_per_transition": round(nc / calls, 2),
                "share": round(ct / total, 3),
            }
            for ct, nc, where in ours[:14]
        ],
    }
