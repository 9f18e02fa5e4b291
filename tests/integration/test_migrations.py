"""Alembic migrations build the same schema as the models, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.util.exc import CommandError
from tests.support import pg

from awardflow.db.migrate import alembic_config, upgrade


def _check(url: str) -> None:
    upgrade(url)
    try:
        command.check(alembic_config(url))
    except CommandError as err:  # pragma: no cover - the assertion message is the point
        raise AssertionError(f"models and migrations differ: {err}") from err


def test_sqlite_migrations_match_models(tmp_path: Path) -> None:
    _check(f"sqlite:///{tmp_path / 'm.db'}")


def test_postgres_migrations_match_models(pg_server: str) -> None:
    _check(pg.create_database(pg_server, "awardflow_migrations"))
