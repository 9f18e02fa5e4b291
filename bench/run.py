"""Run every benchmark in ``bench/`` and write each result, stamped, into ``bench/README.md``.

``python -m bench.run`` (``make bench``) from the repository root. One throwaway PostgreSQL
cluster (``tests.support.pg``) serves every benchmark. A benchmark is a module of this package
with ``ORDER``, ``suite(quick, pg_url, n)`` and ``markdown(result)``; ``bench.api`` and
``bench.reports`` are run through the adapters below. ``--quick`` is a smoke run: it prints and
writes ``bench/out/quick.*`` but leaves the README alone unless ``--write``; a full run writes
``bench/out/results.*`` and the README.

In the README's results section every benchmark has its own part between
``<!-- bench:NAME -->`` markers, stamped with the date, commit, machine, versions and load
average of the run that produced it: a run rewrites the parts of the benchmarks it ran and keeps
the others, so ``--only queue`` updates the queue's numbers and nothing else.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import re
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bench
from bench import common

README = common.BENCH_DIR / "README.md"
OUT = common.BENCH_DIR / "out"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
PART = re.compile(r"<!-- bench:(\w+) -->\n(.*?)<!-- /bench:\1 -->\n?", re.S)


@dataclass(frozen=True)
class Benchmark:
    name: str
    order: float
    suite: Callable[[bool, str | None, int | None], dict[str, Any]]
    markdown: Callable[[dict[str, Any]], str]


# --- adapters for the benchmarks without the suite interface --------------------------------


def api_suite(quick: bool, pg_url: str | None, n: int | None) -> dict[str, Any]:
    from bench import api

    opts, _, _ = api.options(["--quick"] if quick else [])
    if n:
        opts.n = n
    return api.run(opts, pg_url)


def api_markdown(result: dict[str, Any]) -> str:
    from bench.api import CONCURRENCY, GOAL

    lines = [
        "### HTTP action endpoint vs a bare FastAPI + raw SQL endpoint (`bench/api.py`)",
        "",
        f"`POST /api/nominations/{{id}}/actions/claim` (bearer token, `If-Match`) against a bare "
        f"FastAPI route doing the same writes in raw SQL; one uvicorn worker each, concurrency "
        f"{CONCURRENCY}, runs alternating, the better of two per app.",
        "",
        "| database | app | requests ok | req/s | p50 ms | p99 ms | errors | awardflow ÷ bare |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for backend, res in result["backends"].items():
        for app in ("awardflow", "bare"):
            b = res["best"][app]
            ratio = f"**{res['ratio']:.1%}**" if app == "awardflow" else "—"
            lines.append(
                f"| {backend} | {app} | {b['ok']:,} | {b['req_per_s']:,.0f} | {b['p50_ms']:.1f} "
                f"| {b['p99_ms']:.1f} | {b['errors']} | {ratio} |"
            )
    lines.append("")
    for backend, res in result["backends"].items():
        met = "met" if res["ratio"] >= GOAL else "**not met**"
        c = res["check"]
        lines.append(
            f"{backend}: goal awardflow ≥ {GOAL:.0%} of bare {met}; checks "
            f"{'passed' if c['ok'] else 'FAILED'} ({c['audit_events_verified']:,} audit events "
            "verified)."
        )
    prof = result.get("profile")
    if prof:
        lines += [
            "",
            f"cProfile of {prof['requests']} requests in-process on SQLite "
            f"({prof['ms_per_request_wall']} ms each unprofiled), own time by package: "
            + ", ".join(f"{k} {v:.0%}" for k, v in prof["own_time_by_package"].items())
            + ".",
        ]
    return "\n".join(lines)


def reports_suite(quick: bool, pg_url: str | None, n: int | None) -> dict[str, Any]:
    """``bench.reports`` in a fresh process, so that its peak RSS is its own."""
    rows = n or (200 if quick else 10_000)
    cmd = [sys.executable, "-m", "bench.reports", str(rows)]
    print(f"[reports] summary of {rows:,} rows: XLSX and PDF …", flush=True)
    done = subprocess.run(cmd, cwd=common.REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-4000:]}")
    found: dict[str, Any] = {"rows": rows}
    pattern = r"^(xlsx|pdf)\s+([\d.]+) s\s+maxrss\s+([\d.]+) MiB\s+output\s+([\d.]+) MiB"
    for kind, seconds, rss, size in re.findall(pattern, done.stdout, re.M):
        found[kind] = {"seconds": float(seconds), "maxrss_mib": float(rss), "mib": float(size)}
        print(f"  {kind}: {seconds} s, max RSS {rss} MiB", flush=True)
    return found


def reports_markdown(result: dict[str, Any]) -> str:
    lines = [
        f"### Documents: a summary of {result['rows']:,} awarded nominations (`bench/reports.py`)",
        "",
        "| format | seconds | max RSS MiB (own process) | output MiB |",
        "|---|--:|--:|--:|",
    ]
    for kind in ("xlsx", "pdf"):
        r = result.get(kind)
        if r:
            lines.append(
                f"| {kind.upper()} | {r['seconds']:.1f} | {r['maxrss_mib']:,.0f} | {r['mib']} |"
            )
    return "\n".join(lines)


ADAPTED = (
    Benchmark("api", 4, api_suite, api_markdown),
    Benchmark("reports", 5, reports_suite, reports_markdown),
)


def benchmarks() -> list[Benchmark]:
    found = list(ADAPTED)
    for info in pkgutil.iter_modules(bench.__path__):
        module = importlib.import_module(f"bench.{info.name}")
        if all(hasattr(module, a) for a in ("ORDER", "suite", "markdown")):
            found.append(Benchmark(info.name, module.ORDER, module.suite, module.markdown))
    return sorted(found, key=lambda b: b.order)


# --- the README -----------------------------------------------------------------------------


def stamp(env: dict[str, Any], seconds: float, quick: bool) -> str:
    """What goes with every result: when, which code, which machine, how loaded."""
    return (
        f"_Measured {env['date']} · commit `{env['commit']}` · {env['nproc']} CPUs "
        f"{env['cpu']}, {env['ram_gib']} GiB RAM · {env['os']} · Python {env['python']}, "
        f"SQLAlchemy {env['sqlalchemy']}, psycopg {env['psycopg']}, SQLite {env['sqlite']}, "
        f"PostgreSQL {env['postgresql'] or 'not run'} · "
        f"{'`--quick` (smoke sizes)' if quick else 'full run'}, {seconds / 60:.1f} min · "
        f"load average {env['load_start']} → {env['load_end']}_"
    )


def render(b: Benchmark, saved: dict[str, Any]) -> str:
    """A benchmark's README part from its result (as ``bench/out/*.json`` keeps it)."""
    result = {k: v for k, v in saved.items() if k != "environment"}
    env = saved["environment"]
    return f"{b.markdown(result)}\n\n{stamp(env, env['seconds'], env['quick'])}\n"


def render_saved(path: str, only: set[str] | None) -> None:
    """Rewrite the README parts from a saved run (after changing a ``markdown`` function)."""
    saved = json.loads(Path(path).read_text())
    known = {b.name: b for b in benchmarks()}
    parts = {
        name: render(known[name], saved[name])
        for name in known
        if name in saved and (only is None or name in only)
    }
    rewrite_readme(parts, list(known))
    print(f"rewrote {', '.join(parts)} from {path}")


def rewrite_readme(parts: dict[str, str], order: Sequence[str]) -> None:
    """Replace the parts of ``parts`` in the results section, keep every other part."""
    text = README.read_text()
    head, rest = text.split(BEGIN, 1)
    body, tail = rest.split(END, 1)
    kept = {m.group(1): m.group(2) for m in PART.finditer(body)}
    kept.update(parts)
    names = [n for n in order if n in kept] + sorted(set(kept) - set(order))
    section = "".join(
        f"<!-- bench:{n} -->\n{kept[n].strip()}\n<!-- /bench:{n} -->\n\n" for n in names
    )
    README.write_text(f"{head}{BEGIN}\n\n{section}{END}{tail}")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    parser.add_argument("--n", type=int, help="transition benchmark: nominations per runner")
    parser.add_argument("--creation-n", type=int, help="creation benchmark: drafts on SQLite")
    parser.add_argument(
        "--size",
        action="append",
        default=[],
        metavar="NAME=N",
        help="the size a benchmark takes (e.g. queue=200000, lifecycles=300, flows=100000)",
    )
    parser.add_argument("--sqlite-only", action="store_true", help="no PostgreSQL")
    parser.add_argument("--only", help="run only these benchmarks (comma-separated names)")
    parser.add_argument("--skip", help="run all but these benchmarks (comma-separated names)")
    parser.add_argument("--write", action="store_true", help="write the README even if quick")
    parser.add_argument("--no-write", action="store_true", help="leave the README alone")
    parser.add_argument("--render", metavar="JSON", help="only rewrite the README from a saved run")
    args = parser.parse_args(argv)
    sizes: dict[str, int | None] = {"transitions": args.n, "creation": args.creation_n}
    for item in args.size:
        name, _, value = item.partition("=")
        sizes[name] = int(value)
    only = set(args.only.split(",")) if args.only else None
    skip = set(args.skip.split(",")) if args.skip else set()
    if args.render:
        render_saved(args.render, only)
        return {}
    chosen = [b for b in benchmarks() if (only is None or b.name in only) and b.name not in skip]
    t0 = time.perf_counter()
    results: dict[str, Any] = {}
    parts: dict[str, str] = {}
    failed: dict[str, str] = {}
    server = nullcontext(None) if args.sqlite_only else common.pg_server()
    with server as pg_url:
        env = common.environment(pg_url)
        for b in chosen:
            started, mine = time.perf_counter(), common.environment(pg_url)
            try:
                result = b.suite(args.quick, pg_url, sizes.get(b.name))
                mine["load_end"] = common.load_average()
                mine["seconds"] = round(time.perf_counter() - started, 1)
                mine["quick"] = args.quick
                results[b.name] = {**result, "environment": mine}
                parts[b.name] = render(b, results[b.name])
            except Exception:  # one broken benchmark must not cost the others' numbers
                failed[b.name] = traceback.format_exc()
                print(f"[{b.name}] FAILED (its README part is left as it was):\n{failed[b.name]}")
    seconds = time.perf_counter() - t0
    env["seconds"] = round(seconds, 1)
    env["load_end"] = common.load_average()
    OUT.mkdir(exist_ok=True)
    stem = "quick" if args.quick else "results"
    (OUT / f"{stem}.json").write_text(
        json.dumps({"environment": env, **results, "failed": failed}, indent=2, default=str)
    )
    text = "\n\n".join(parts.values())
    (OUT / f"{stem}.md").write_text(text + "\n")
    if not args.no_write and (args.write or not args.quick):
        rewrite_readme(parts, [b.name for b in benchmarks()])
        print(f"wrote {', '.join(parts)} into the results section of {README}")
    print(f"\n{text}\n\ntotal {seconds / 60:.1f} min")
    if failed:
        sys.exit(f"failed: {', '.join(failed)} (tracebacks above; bench/out/{stem}.json)")
    return results


if __name__ == "__main__":
    main()
