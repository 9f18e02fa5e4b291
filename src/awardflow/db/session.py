"""Engines and units of work. The entry point (request, flow task, CLI command) owns the
transaction: ``with db.write() as s: service(s, …)`` commits on success, rolls back on error.

SQLite: WAL, a busy timeout, foreign keys on, and write transactions opened with
``BEGIN IMMEDIATE`` so concurrent writers queue on the lock instead of failing when a read
transaction tries to upgrade (SQLITE_BUSY_SNAPSHOT). Reads use plain ``BEGIN``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

_WRITE = "awardflow_write"


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 60})
        _configure_sqlite(engine)
        return engine
    connect_args: dict[str, Any] = {}
    if make_url(url).get_driver_name() == "psycopg":
        from awardflow.db.pgcursor import Cursor

        connect_args["cursor_factory"] = Cursor
    engine = create_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_size, connect_args=connect_args
    )
    _ping_when_idle(engine)
    return engine


#: A connection back in the pool for less than this is handed out again without a ping (as
#: HikariCP's ``aliveBypassWindowMs``, 500 ms by default): under load every transaction would
#: otherwise pay one more round trip; an idle connection is pinged as ``pool_pre_ping`` does.
ALIVE_BYPASS_SECONDS = 0.5


def _ping_when_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling for connections that sat idle (a restarted or failed-over
    server is found before a request uses them; SQLAlchemy then retries the checkout with a
    fresh connection). One that failed while busy fails its statement instead: SQLAlchemy
    invalidates the whole pool on that disconnect, and the API answers 503 with Retry-After."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < ALIVE_BYPASS_SECONDS:
            return  # new, or just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:
            raise DisconnectionError(f"connection failed its ping: {err}") from err


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """One engine and its two session factories: writes and reads."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        write_engine = self.engine.execution_options(**{_WRITE: True})
        self._write = sessionmaker(bind=write_engine, expire_on_commit=False)
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work that commits when the block ends normally."""
        with self._write() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def read_one_statement(self) -> Iterator[Session]:
        """A session for a read that sends one statement (its own consistent snapshot): on
        PostgreSQL outside a transaction, so no BEGIN and COMMIT — two round trips fewer (the
        queue pages). SQLite's round trips are in-process: it reads as :meth:`read` does."""
        if self.is_sqlite:
            with self.read() as session:
                yield session
            return
        with (
            self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn,
            Session(bind=conn) as session,
        ):
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
