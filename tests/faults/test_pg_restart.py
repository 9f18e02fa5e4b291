"""PostgreSQL restarted (``pg_ctl restart -m fast``) twice under load: clients get errors they
can retry (503 in the one error shape with Retry-After, or a dropped connection), never a 500;
nothing is half-written; the same API process recovers by itself, no restart (idle connections
are pinged; a busy one found dead renews the whole pool: ``db.session``).

The cluster is the test's own (tests.support.processes.Postgres on its own port and directory),
so the session's shared cluster is never touched.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.faults.cast import build_cast, fresh_schema
from tests.faults.checks import check_chains, check_ledger, check_outbox, summary
from tests.faults.load import Load
from tests.support import pg
from tests.support.faults import api_proc
from tests.support.processes import Postgres, Service

from awardflow.db.session import Database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def cluster() -> Iterator[Postgres]:
    own = Postgres(max_connections=100).start()
    yield own
    own.destroy()


def test_postgres_restart_under_load(
    cluster: Postgres, tmp_path: Path, procs: list[Service]
) -> None:
    db = Database(pg.create_database(cluster.url, "awardflow_faults_pg"))
    fresh_schema(db)
    api, url = api_proc(db.url, tmp_path)
    procs.append(api.start())
    try:
        cast = build_cast(db)
        api.wait_ready()
        pid = api.pid
        load = Load(url, cast, clients=32, seed=4, retry=True).start()
        restarts: list[tuple[float, float]] = []
        for _ in range(2):
            time.sleep(4)
            began = time.monotonic()
            cluster.restart()
            restarts.append((began, time.monotonic()))
        time.sleep(6)
        ledger = load.stop()
        assert api.alive() and api.pid == pid, "the API process had to be restarted"
        facts = check_chains(db)
        check_ledger(db, ledger, facts, exact=False)
        check_outbox(db, facts)
    finally:
        db.dispose()
    took = ", ".join(f"{b - a:.1f} s" for a, b in restarts)
    print(f"PostgreSQL restarted twice ({took}); load: {summary(ledger)}")
    for line in ledger.server_errors[:5]:
        print("  ", line)
    print(
        f"database: {facts.nominations} nominations, {facts.events} events, {facts.unseen} unseen"
    )

    assert ledger.count(503, 503) + ledger.dropped > 0, "the restarts went unnoticed"
    # retryable errors only: 503 with the error shape and Retry-After, never a 500
    assert ledger.bad_shape == [], ledger.bad_shape[:5]
    assert ledger.count(500, 502) + ledger.count(504, 599) == 0, ledger.server_errors[:5]
    assert all("Retry-After=None" not in e for e in ledger.server_errors), ledger.server_errors
    # recovered by itself: after the last restart answers are good again, within seconds
    end_of_last = restarts[-1][1]
    after = [(t, status) for t, status in ledger.timeline if t > end_of_last + 2]
    assert after and all(status < 500 for _, status in after), after[:5]
    assert sum(1 for _, status in after if status < 300) >= 10
