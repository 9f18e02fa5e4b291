"""Shared fixtures: databases on SQLite and PostgreSQL, the service context, a small world."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.support import pg
from tests.support.world import World, build_world

from awardflow.db import models  # noqa: F401
from awardflow.db.base import Base
from awardflow.db.session import Database
from awardflow.services.context import ServiceContext
from awardflow.settings import Settings

os.environ.setdefault("AWARDFLOW_AUDIT_KEY", "test-audit-key")
# Prefect: one ephemeral server per session (tests/flows), no analytics, generous start-up.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
AUDIT_KEY = b"test-audit-key"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    with pg.cluster() as url:
        yield url


@pytest.fixture(scope="session")
def pg_database(pg_server: str) -> Iterator[Database]:
    db = Database(pg.create_database(pg_server, "awardflow_test"))
    Base.metadata.create_all(db.engine)
    yield db
    db.dispose()


def _truncate(db: Database) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh, empty schema on each backend in turn."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'awardflow.db'}")
        Base.metadata.create_all(db.engine)
        yield db
        db.dispose()
    else:
        db = request.getfixturevalue("pg_database")
        _truncate(db)
        yield db


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'awardflow.db'}")
    Base.metadata.create_all(db.engine)
    yield db
    db.dispose()


@pytest.fixture
def ctx() -> ServiceContext:
    return ServiceContext.from_settings(Settings(audit_key=AUDIT_KEY.decode()))


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


@pytest.fixture
def sqlite_world(sqlite_db: Database) -> World:
    return build_world(sqlite_db)


@pytest.fixture
def cli_db(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """``database`` as the one the ``awardflow`` command uses (AWARDFLOW_DATABASE_URL)."""
    from awardflow.settings import get_settings

    monkeypatch.setenv("AWARDFLOW_DATABASE_URL", database.url)
    get_settings.cache_clear()
    yield database
    get_settings.cache_clear()
