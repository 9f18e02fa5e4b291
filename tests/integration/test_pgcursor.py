"""The engine's psycopg cursor: ``description`` built column by column when read, the same
columns psycopg's own cursor describes (DB-API: a sequence of 7-item sequences)."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from awardflow.db.pgcursor import Cursor, LazyDescription
from awardflow.db.session import Database

pytestmark = pytest.mark.postgres

QUERY = "SELECT 1 AS one, 'hai'::text AS two, now() AS three, NULL::numeric(10, 2) AS four"


def dsn(db: Database) -> str:
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def test_the_description_is_psycopgs_own(pg_database: Database) -> None:
    with psycopg.connect(dsn(pg_database)) as plain, plain.cursor() as cur:
        cur.execute(QUERY)
        expected = [tuple(c) for c in cur.description or []]
    with psycopg.connect(dsn(pg_database), cursor_factory=Cursor) as conn:
        cur2 = conn.cursor()
        cur2.execute(QUERY)
        got = cur2.description
        assert isinstance(got, LazyDescription) and len(got) == 4
        cur2.execute("SELECT 1 AS other")  # the cursor moves on; what was read stays put
        assert [tuple(c) for c in got] == expected
        assert got[-1].name == "four" and [c.name for c in got[1:3]] == ["two", "three"]
        with pytest.raises(IndexError):
            got[4]
        cur2.execute("CREATE TEMPORARY TABLE t (x int)")
        assert cur2.description is None  # no rows, no description


def test_the_engine_uses_it(pg_database: Database) -> None:
    with pg_database.read() as s:
        result = s.execute(text(QUERY))
        assert list(result.keys()) == ["one", "two", "three", "four"]
        assert result.one()[:2] == (1, "hai")
        raw = s.connection().connection.dbapi_connection
        assert raw is not None and raw.cursor_factory is Cursor
