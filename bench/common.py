"""What every benchmark shares: the machine and version record, the databases (a SQLite file in
a temp dir, a database on the throwaway PostgreSQL cluster of ``tests.support.pg``), the small
world of ``tests.support.world``, and a few measuring helpers."""

from __future__ import annotations

import multiprocessing
import os
import platform
import resource
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select, text
from sqlalchemy.engine import Engine
from tests.support import pg
from tests.support.world import World, build_world

from awardflow.db import models
from awardflow.db.base import Base
from awardflow.db.session import Database
from awardflow.services.context import ServiceContext
from awardflow.settings import Settings
from awardflow.states.lifecycle import NominationState

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
AUDIT_KEY = "bench-audit-key"
JWT_SECRET = "bench-jwt-secret-" + "x" * 32
BACKENDS = ("sqlite", "postgres")


def service_context() -> ServiceContext:
    return ServiceContext.from_settings(Settings(audit_key=AUDIT_KEY))


# --- the record that goes with every result -------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def _git_commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{commit}+dirty" if git("status", "--porcelain", "--", "src") else commit


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages: anything else running shows here."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def environment(pg_url: str | None = None) -> dict[str, Any]:
    """Machine, date, commit and versions; ``+dirty`` means src/ had uncommitted changes."""
    env: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _git_commit(),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": _cpu_model(),
        "ram_gib": _ram_gib(),
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "sqlalchemy": version("sqlalchemy"),
        "psycopg": version("psycopg"),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": None,
        "load_start": load_average(),
    }
    if pg_url:
        env["postgresql"] = postgres_version(pg_url)
    return env


def postgres_version(server_url: str) -> str:
    import psycopg

    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        fsync = conn.execute("SHOW fsync").fetchone()
    assert row is not None
    assert fsync is not None
    return f"{str(row[0]).split()[0]} (fsync={fsync[0]})"


# --- databases ------------------------------------------------------------------------------


@contextmanager
def pg_server() -> Iterator[str]:
    """The tests' throwaway cluster (or ``AWARDFLOW_TEST_PG_URL``), for the whole run."""
    with pg.cluster() as url:
        yield url


@contextmanager
def database(backend: str, pg_url: str | None, name: str) -> Iterator[Database]:
    """A fresh, empty schema: a SQLite file (WAL) in a temp dir, or a new PostgreSQL database."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="awardflow-bench-") as tmp:
            db = Database(f"sqlite:///{Path(tmp) / f'{name}.db'}")
            try:
                Base.metadata.create_all(db.engine)
                yield db
            finally:
                db.dispose()
        return
    if pg_url is None:
        raise ValueError("PostgreSQL needs a server URL")
    db = Database(pg.create_database(pg_url, name))
    try:
        Base.metadata.create_all(db.engine)
        yield db
    finally:
        db.dispose()


def sqlite_path(db: Database) -> str:
    path = db.engine.url.database
    assert path, "not a SQLite file database"
    return path


def pg_dsn(db: Database) -> str:
    """The libpq form of the engine's URL, for psycopg."""
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


# --- the world ------------------------------------------------------------------------------


@dataclass
class Stage:
    """The small world plus the actors the benchmarks act as."""

    world: World
    ctx: ServiceContext

    @property
    def db(self) -> Database:
        return self.world.db


def stage(db: Database) -> Stage:
    return Stage(build_world(db), service_context())


def add_people(db: Database, unit_id: int, count: int, tag: str) -> list[int]:
    """``count`` staff of one unit (the nominees), inserted in bulk; their ids in order."""
    with db.write() as s:
        for start in range(0, count, 5000):
            rows = [
                {"code": f"{tag}-{i}", "full_name": f"Nhân viên {tag} {i}", "unit_id": unit_id}
                for i in range(start, min(count, start + 5000))
            ]
            s.execute(insert(models.Person), rows)
        stmt = (
            select(models.Person.id)
            .where(models.Person.code.like(f"{tag}-%"))
            .order_by(models.Person.id)
        )
        return list(s.execute(stmt).scalars())


# --- measuring ------------------------------------------------------------------------------


def rss_mib() -> float:
    """Resident set size now (Linux ``/proc/self/statm``)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (``VmHWM``) to the current RSS (Linux ≥ 4.0), so that
    :func:`peak_rss_mib` is the peak of what follows; False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mib() -> float:
    """Peak RSS since the process started or :func:`reset_peak_rss` (``VmHWM``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return max_rss_mib()


def max_rss_mib() -> float:
    """Peak resident set size of this process so far (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class StatementLog:
    """Counts (and keeps the first words of) the SQL a block sends, BEGIN and COMMIT aside."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _on_execute(self, *args: Any) -> None:
        statement = " ".join(str(args[2]).split())
        self.statements.append(statement)

    def __enter__(self) -> StatementLog:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)

    def sent(self) -> list[str]:
        """The statements, BEGIN and COMMIT aside."""
        return [s for s in self.statements if not s.upper().startswith(("BEGIN", "COMMIT"))]


def sql_count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def integrity(
    stage: Stage, ids: Sequence[int], state: NominationState, outbox_per_row: int
) -> dict[str, Any]:
    """After a run: every nomination in ``state``, ``outbox_per_row`` outbox rows each, and every
    audit chain verifying — so a baseline provably wrote what the service would."""
    from collections import Counter

    from sqlalchemy import func

    from awardflow.services import audit

    with stage.db.read() as s:
        states = Counter(
            s.execute(
                select(models.Nomination.state).where(models.Nomination.id.in_(ids))
            ).scalars()
        )
        outbox = s.execute(
            select(func.count()).where(models.OutboxMessage.nomination_id.in_(ids))
        ).scalar_one()
        problems = [str(p) for p in audit.verify(s, stage.ctx.audit_key)]
        events = s.execute(select(func.count()).select_from(models.AuditEvent)).scalar_one()
    ok = states == Counter({state: len(ids)}) and outbox == outbox_per_row * len(ids)
    return {
        "ok": ok and not problems,
        "states": {k.value: v for k, v in states.items()},
        "outbox_rows": outbox,
        "audit_events_verified": events,
        "chain_problems": problems[:5],
    }


# --- the API in its own process -------------------------------------------------------------


def api_settings(url: str) -> Settings:
    """Settings of a benchmark's API server: the benchmark's audit key and JWT secret."""
    from awardflow.settings import ApiSettings

    return Settings(
        audit_key=AUDIT_KEY,
        database_url=url,
        api=ApiSettings(jwt_secret=JWT_SECRET, access_token_minutes=120),
    )


def bearer(url: str, user_id: int) -> dict[str, str]:
    """An ``Authorization`` header for ``user_id`` on a server started by :func:`api_server`."""
    from awardflow.api.auth import issue

    return {"Authorization": f"Bearer {issue(api_settings(url).api, user_id, 'access')}"}


def _serve(url: str, port: int, now: datetime | None) -> None:
    """The server process: awardflow's app on one uvicorn worker, no access log."""
    import uvicorn

    from awardflow.api.app import create_app
    from awardflow.services.evidence import MemoryFileStore

    clock = (lambda: now) if now is not None else None
    app = create_app(api_settings(url), Database(url), store=MemoryFileStore(), clock=clock)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def api_server(
    db: Database, now: datetime | None = None, timeout: float = 90
) -> Iterator[tuple[str, multiprocessing.process.BaseProcess]]:
    """``awardflow``'s API over ``db`` in a fresh (spawned) process on 127.0.0.1; yields its
    base URL and the process (its ``pid`` for memory readings)."""
    url = db.engine.url.render_as_string(hide_password=False)
    port = free_port()
    proc = multiprocessing.get_context("spawn").Process(target=_serve, args=(url, port, now))
    proc.start()
    try:
        deadline = time.monotonic() + timeout
        while True:
            if not proc.is_alive():
                raise RuntimeError(f"API server exited with {proc.exitcode}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("API server did not start")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        proc.terminate()
        proc.join(10)
