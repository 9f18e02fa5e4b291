"""PostgreSQL connections that died in the pool: an idle one is pinged and replaced before a
request uses it; one just used goes out without a ping (no extra round trip under load), and if
it died its statement fails as a disconnect, after which the whole pool is renewed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from awardflow.db import session as db_session
from awardflow.db.session import Database

pytestmark = pytest.mark.postgres


@pytest.fixture
def own(pg_database: Database) -> Iterator[Database]:
    db = Database(pg_database.url)  # its own pool: the session's shared one is not touched
    yield db
    db.dispose()


def backend_pid(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(text("SELECT pg_backend_pid()")).scalar_one())


def kill(other: Database, pid: int) -> None:
    with other.write() as s:
        s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def count_pings(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The pings the pool sends (the dialect's ``do_ping``, on the driver's connection)."""
    sent: list[object] = []
    real = db.engine.dialect.do_ping

    def ping(dbapi_connection: object) -> bool:
        sent.append(dbapi_connection)
        return bool(real(dbapi_connection))

    monkeypatch.setattr(db.engine.dialect, "do_ping", ping)
    return sent


def test_an_idle_dead_connection_is_replaced_before_use(
    own: Database, pg_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = backend_pid(own)
    kill(pg_database, first)
    sent = count_pings(own, monkeypatch)
    monkeypatch.setattr(db_session, "ALIVE_BYPASS_SECONDS", 0.0)  # it has sat idle long enough
    second = backend_pid(own)  # no error: the ping found it dead, the pool reconnected
    assert second != first
    assert len(sent) == 1


def test_a_busy_connection_is_not_pinged_and_a_dead_one_fails_once(
    own: Database, pg_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = count_pings(own, monkeypatch)
    monkeypatch.setattr(db_session, "ALIVE_BYPASS_SECONDS", 3600.0)  # always "just used"
    first = backend_pid(own)
    assert backend_pid(own) == first
    assert sent == []  # no round trip between uses
    kill(pg_database, first)
    with pytest.raises(DBAPIError) as err:
        backend_pid(own)
    assert err.value.connection_invalidated  # a disconnect: the API answers 503, retryable
    assert backend_pid(own) != first  # the next request gets a fresh connection
