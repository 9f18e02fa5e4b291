"""Run every benchmark in ``bench/`` and rewrite the results section of ``bench/README.md``.

``python -m bench.run`` (``make bench``) from the repository root. One throwaway PostgreSQL
cluster (``tests.support.pg``) serves every benchmark. A benchmark is a module of this package
with ``ORDER``, ``suite(quick, pg_url, n)`` and ``markdown(result)``. ``--quick`` is a smoke run:
it prints and writes ``bench/out/quick.*`` but leaves the README's numbers alone unless
``--write``; a full run writes ``bench/out/results.*`` and the README.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import time
from collections.abc import Sequence
from contextlib import nullcontext
from types import ModuleType
from typing import Any

import bench
from bench import common

README = common.BENCH_DIR / "README.md"
OUT = common.BENCH_DIR / "out"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def benchmarks() -> list[ModuleType]:
    found = []
    for info in pkgutil.iter_modules(bench.__path__):
        module = importlib.import_module(f"bench.{info.name}")
        if all(hasattr(module, a) for a in ("ORDER", "suite", "markdown")):
            found.append(module)
    return sorted(found, key=lambda m: int(m.ORDER))


def environment_table(env: dict[str, Any], seconds: float, quick: bool) -> str:
    rows = [
        ("date", env["date"]),
        ("git commit", f"`{env['commit']}`"),
        ("machine", f"{env['nproc']} CPUs, {env['cpu']}, {env['ram_gib']} GiB RAM"),
        ("OS", env["os"]),
        ("Python", env["python"]),
        ("SQLAlchemy / psycopg", f"{env['sqlalchemy']} / {env['psycopg']}"),
        ("SQLite", f"{env['sqlite']} (WAL, synchronous=NORMAL: no fsync per commit)"),
        ("PostgreSQL", env["postgresql"] or "not run"),
        ("run", f"{'--quick (smoke sizes)' if quick else 'full'}, {seconds / 60:.1f} min"),
        ("load average at start / end", f"{env['load_start']} / {env['load_end']}"),
    ]
    return "\n".join(["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)])


def rewrite_readme(section: str) -> None:
    text = README.read_text()
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{BEGIN}\n{section}\n{END}{tail}")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small N for a smoke run")
    parser.add_argument("--n", type=int, help="transition benchmark: nominations per runner")
    parser.add_argument("--creation-n", type=int, help="creation benchmark: drafts on SQLite")
    parser.add_argument("--sqlite-only", action="store_true", help="no PostgreSQL")
    parser.add_argument("--only", help="run only this benchmark (module name)")
    parser.add_argument("--write", action="store_true", help="rewrite the README even if quick")
    parser.add_argument("--no-write", action="store_true", help="leave the README alone")
    args = parser.parse_args(argv)
    sizes = {"transitions": args.n, "creation": args.creation_n}
    t0 = time.perf_counter()
    results: dict[str, Any] = {}
    parts: list[str] = []
    server = nullcontext(None) if args.sqlite_only else common.pg_server()
    with server as pg_url:
        env = common.environment(pg_url)
        for module in benchmarks():
            name = module.__name__.rsplit(".", 1)[-1]
            if args.only and name != args.only:
                continue
            result = module.suite(args.quick, pg_url, sizes.get(name))
            results[name] = result
            parts.append(module.markdown(result))
    seconds = time.perf_counter() - t0
    env["seconds"] = round(seconds, 1)
    env["load_end"] = common.load_average()
    section = "\n\n".join([environment_table(env, seconds, args.quick), *parts])
    OUT.mkdir(exist_ok=True)
    stem = "quick" if args.quick else "results"
    (OUT / f"{stem}.json").write_text(json.dumps({"environment": env, **results}, indent=2))
    (OUT / f"{stem}.md").write_text(section + "\n")
    if not args.no_write and (args.write or not args.quick):
        rewrite_readme(section)
        print(f"rewrote the results section of {README}")
    print(f"\n{section}\n\ntotal {seconds / 60:.1f} min")
    return results


if __name__ == "__main__":
    main()
