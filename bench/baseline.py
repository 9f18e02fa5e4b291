"""The raw-SQL baselines of the transition benchmark: the same writes as the transition service,
one transaction per transition, with nothing else.

Per transition, in one transaction: read and lock the row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite holds the write lock from ``BEGIN IMMEDIATE``), check its state,
``UPDATE nominations SET state=…, version=version+1, … WHERE id=? AND version=?`` (rowcount must
be 1), ``INSERT INTO audit_events`` with the HMAC computed exactly as ``services.audit`` does
(the benchmark verifies every chain afterwards), ``INSERT INTO notification_outbox`` (one row per
recipient), commit. No guards, no reference rows, no deadline arithmetic (the deadlines are
computed once, with the service's own function, and written as constants).

Two flavours: :class:`SqliteDbapi` / :class:`PostgresDbapi` talk to the DBAPI driver directly
(``sqlite3``, ``psycopg``), the floor of what Python can do; :class:`CoreText` sends the same SQL
as SQLAlchemy Core ``text()`` through the service's own ``Database.write()`` unit of work, the
floor of what the service's stack can do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, TextClause, bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeEngine

from awardflow.db.base import UTCDateTime
from awardflow.db.session import Database
from awardflow.states.lifecycle import NominationState, Trigger


def event_hmac(key: bytes, fields: Mapping[str, Any]) -> str:
    """``services.audit.event_hash`` over plain values instead of an ORM row."""
    at: datetime = fields["at"]
    content = {
        "nomination_id": fields["nomination_id"],
        "seq": fields["seq"],
        "trigger": fields["trigger"],
        "from": fields["from_state"],
        "to": fields["to_state"],
        "actor_user_id": fields["actor_user_id"],
        "actor_name": fields["actor_name"],
        "actor_role": fields["actor_role"],
        "at": at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds"),
        "comment": fields["comment"],
        "data": fields["data"],
        "prev": fields["prev_hash"],
    }
    body = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Step:
    """One measured trigger and everything the baseline writes for it."""

    trigger: Trigger
    source: NominationState
    dest: NominationState
    role: str
    outbox_kind: str
    to_assignee: bool  # the outbox goes to the assignee (else to the unit's clerk and head)
    comment: str | None
    due_at: datetime | None
    update_sql: str
    stored: Mapping[NominationState, str]  # how the state column stores each state


_SET_COMMON = (
    "state = :state, state_entered_at = :now, last_activity_at = :now, escalation_level = 0, "
    "stuck = :stuck, due_at = :due_at, audit_seq = :seq, audit_head = :head, "
    "version = version + 1"
)
CLAIM_UPDATE = (
    f"UPDATE nominations SET {_SET_COMMON}, assignee_id = :assignee_id "
    "WHERE id = :id AND version = :version"
)
RETURN_UPDATE = (
    f"UPDATE nominations SET {_SET_COMMON}, dept_days_used = dept_days_used + :days, "
    "dept_clock_started_at = NULL, content_version_at_return = content_version "
    "WHERE id = :id AND version = :version"
)
SELECT_ROW = "SELECT state, version, audit_seq, audit_head, unit_id FROM nominations WHERE id = :id"
INSERT_EVENT = (
    'INSERT INTO audit_events (nomination_id, seq, "trigger", from_state, to_state, '
    "actor_user_id, actor_name, actor_role, at, comment, data, prev_hash, hash) VALUES "
    "(:nomination_id, :seq, :trigger, :from_state, :to_state, :actor_user_id, :actor_name, "
    ":actor_role, :at, :comment, :data, :prev_hash, :hash) RETURNING id"
)
INSERT_OUTBOX = (
    "INSERT INTO notification_outbox (dedupe_key, kind, nomination_id, audit_event_id, "
    "recipient_user_id, recipient_role, recipient_unit_id, payload, status, attempts, "
    "next_attempt_at, created_at) VALUES (:dedupe_key, :kind, :nomination_id, "
    ":audit_event_id, :recipient_user_id, :recipient_role, :recipient_unit_id, :payload, "
    "'pending', 0, :now, :now)"
)


class Baseline(ABC):
    """The transaction every flavour runs; subclasses only talk to their driver."""

    name = "baseline"

    def __init__(self, key: bytes, actor_id: int, actor_name: str, now: datetime) -> None:
        self.key = key
        self.actor_id = actor_id
        self.actor_name = actor_name
        self.now = now

    def fire(self, nomination_id: int, step: Step) -> None:
        self.begin()
        try:
            state, version, seq, head, unit_id = self.fetch(nomination_id)
            if state != step.stored[step.source]:
                raise RuntimeError(f"#{nomination_id} is {state}, not {step.source.value}")
            seq += 1
            event: dict[str, Any] = {
                "nomination_id": nomination_id,
                "seq": seq,
                "trigger": step.trigger.value,
                "from_state": step.source.value,
                "to_state": step.dest.value,
                "actor_user_id": self.actor_id,
                "actor_name": self.actor_name,
                "actor_role": step.role,
                "at": self.now,
                "comment": step.comment,
                "data": {},
                "prev_hash": head,
            }
            event["hash"] = event_hmac(self.key, event)
            row = {
                "id": nomination_id,
                "version": version,
                "state": step.stored[step.dest],
                "now": self.now,
                "stuck": False,
                "due_at": step.due_at,
                "seq": seq,
                "head": event["hash"],
                "assignee_id": self.actor_id,
                "days": 0,
            }
            if self.update(step.update_sql, row) != 1:
                raise RuntimeError(f"version conflict on #{nomination_id}")
            event_id = self.insert_event(event)
            self.insert_outbox(self._outbox(step, nomination_id, unit_id, seq, event_id))
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def _outbox(
        self, step: Step, nomination_id: int, unit_id: int, seq: int, event_id: int
    ) -> list[dict[str, Any]]:
        payload = {"trigger": step.trigger.value, "seq": seq, "comment": step.comment}
        base = {
            "kind": step.outbox_kind,
            "nomination_id": nomination_id,
            "audit_event_id": event_id,
            "payload": payload,
            "now": self.now,
        }
        if step.to_assignee:
            key = f"n{nomination_id}:e{seq}:{step.outbox_kind}:u{self.actor_id}"
            return [
                {
                    **base,
                    "dedupe_key": key,
                    "recipient_user_id": self.actor_id,
                    "recipient_role": None,
                    "recipient_unit_id": None,
                }
            ]
        return [
            {
                **base,
                "dedupe_key": f"n{nomination_id}:e{seq}:{step.outbox_kind}:{role}@{unit_id}",
                "recipient_user_id": None,
                "recipient_role": role,
                "recipient_unit_id": unit_id,
            }
            for role in ("unit_clerk", "unit_head")
        ]

    @abstractmethod
    def begin(self) -> None: ...
    @abstractmethod
    def fetch(self, nomination_id: int) -> tuple[str, int, int, str, int]: ...
    @abstractmethod
    def update(self, sql: str, row: dict[str, Any]) -> int: ...
    @abstractmethod
    def insert_event(self, event: dict[str, Any]) -> int: ...
    @abstractmethod
    def insert_outbox(self, rows: Sequence[dict[str, Any]]) -> None: ...
    @abstractmethod
    def commit(self) -> None: ...
    @abstractmethod
    def rollback(self) -> None: ...
    def close(self) -> None:  # noqa: B027 - optional hook
        pass


# --- DBAPI: sqlite3 --------------------------------------------------------------------------


def _sqlite_time(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite storage format for ``UTCDateTime`` (naive UTC, microseconds)."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class SqliteDbapi(Baseline):
    """``sqlite3`` on the same file, with the pragmas and ``BEGIN IMMEDIATE`` of ``Database``."""

    name = "dbapi"

    def __init__(self, path: str, *args: Any) -> None:
        super().__init__(*args)
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=60)
        for pragma in ("synchronous=NORMAL", "busy_timeout=60000", "foreign_keys=ON"):
            self.conn.execute(f"PRAGMA {pragma}")
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()
        if mode is None or str(mode[0]).lower() != "wal":
            raise RuntimeError(f"expected the service's WAL database, found {mode}")
        self.cur = self.conn.cursor()

    def begin(self) -> None:
        self.cur.execute("BEGIN IMMEDIATE")

    def fetch(self, nomination_id: int) -> tuple[str, int, int, str, int]:
        row = self.cur.execute(SELECT_ROW, {"id": nomination_id}).fetchone()
        assert row is not None
        return row[0], row[1], row[2], row[3], row[4]

    def update(self, sql: str, row: dict[str, Any]) -> int:
        params = {
            **row,
            "now": _sqlite_time(row["now"]),
            "due_at": _sqlite_time(row["due_at"]),
            "stuck": int(row["stuck"]),
        }
        return self.cur.execute(sql, params).rowcount

    def insert_event(self, event: dict[str, Any]) -> int:
        params = {**event, "at": _sqlite_time(event["at"]), "data": json.dumps(event["data"])}
        found = self.cur.execute(INSERT_EVENT, params).fetchone()
        assert found is not None
        return int(found[0])

    def insert_outbox(self, rows: Sequence[dict[str, Any]]) -> None:
        self.cur.executemany(
            INSERT_OUTBOX,
            [
                {**r, "payload": json.dumps(r["payload"]), "now": _sqlite_time(r["now"])}
                for r in rows
            ],
        )

    def commit(self) -> None:
        self.cur.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.cur.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()


# --- DBAPI: psycopg --------------------------------------------------------------------------


def _pyformat(sql: str) -> str:
    return re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql)


class PostgresDbapi(Baseline):
    """``psycopg`` (3) on one connection, ``SELECT … FOR UPDATE`` then the writes, commit."""

    name = "dbapi"

    def __init__(self, dsn: str, *args: Any) -> None:
        import psycopg
        from psycopg.types.json import Json

        super().__init__(*args)
        self.json = Json
        self.conn = psycopg.connect(dsn)
        self.cur = self.conn.cursor()
        self.sql = {
            s: _pyformat(s)
            for s in (SELECT_ROW + " FOR UPDATE", CLAIM_UPDATE, RETURN_UPDATE, INSERT_EVENT)
        }
        self.sql[INSERT_OUTBOX] = _pyformat(INSERT_OUTBOX)

    def begin(self) -> None:
        pass  # psycopg opens the transaction with the first statement

    def fetch(self, nomination_id: int) -> tuple[str, int, int, str, int]:
        self.cur.execute(self.sql[SELECT_ROW + " FOR UPDATE"], {"id": nomination_id})
        row = self.cur.fetchone()
        assert row is not None
        return row[0], row[1], row[2], row[3], row[4]

    def update(self, sql: str, row: dict[str, Any]) -> int:
        self.cur.execute(self.sql[sql], row)
        return self.cur.rowcount

    def insert_event(self, event: dict[str, Any]) -> int:
        self.cur.execute(self.sql[INSERT_EVENT], {**event, "data": self.json(event["data"])})
        found = self.cur.fetchone()
        assert found is not None
        return int(found[0])

    def insert_outbox(self, rows: Sequence[dict[str, Any]]) -> None:
        self.cur.executemany(
            self.sql[INSERT_OUTBOX], [{**r, "payload": self.json(r["payload"])} for r in rows]
        )

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.close()


# --- SQLAlchemy Core text() through Database.write() -----------------------------------------

_TYPES: dict[str, TypeEngine[Any]] = {
    "now": UTCDateTime(),
    "due_at": UTCDateTime(),
    "at": UTCDateTime(),
    "data": JSON(),
    "payload": JSON(),
    "stuck": Boolean(),
}


def _typed(sql: str) -> TextClause:
    names = set(re.findall(r"(?<!:):(\w+)", sql))
    return text(sql).bindparams(*(bindparam(n, type_=t) for n, t in _TYPES.items() if n in names))


class CoreText(Baseline):
    """The same SQL as ``text()`` on the connection of a ``Database.write()`` session, so it
    pays for SQLAlchemy's engine, pool, session transaction and type processing, but no ORM."""

    name = "core"

    def __init__(self, db: Database, *args: Any) -> None:
        super().__init__(*args)
        self.db = db
        lock = "" if db.is_sqlite else " FOR UPDATE"
        self.select = _typed(SELECT_ROW + lock)
        self.stmts = {s: _typed(s) for s in (CLAIM_UPDATE, RETURN_UPDATE)}
        self.event = _typed(INSERT_EVENT)
        self.outbox = _typed(INSERT_OUTBOX)
        self._unit: Any = None
        self._conn: Connection | None = None

    def begin(self) -> None:
        self._unit = self.db.write()
        session = self._unit.__enter__()
        self._conn = session.connection()

    @property
    def conn(self) -> Connection:
        assert self._conn is not None
        return self._conn

    def fetch(self, nomination_id: int) -> tuple[str, int, int, str, int]:
        row = self.conn.execute(self.select, {"id": nomination_id}).one()
        return row[0], row[1], row[2], row[3], row[4]

    def update(self, sql: str, row: dict[str, Any]) -> int:
        return self.conn.execute(self.stmts[sql], row).rowcount

    def insert_event(self, event: dict[str, Any]) -> int:
        return int(self.conn.execute(self.event, event).scalar_one())

    def insert_outbox(self, rows: Sequence[dict[str, Any]]) -> None:
        self.conn.execute(self.outbox, list(rows))

    def commit(self) -> None:
        unit, self._unit, self._conn = self._unit, None, None
        unit.__exit__(None, None, None)

    def rollback(self) -> None:
        unit, self._unit, self._conn = self._unit, None, None
        if unit is not None:
            unit.__exit__(RuntimeError, RuntimeError("rollback"), None)
