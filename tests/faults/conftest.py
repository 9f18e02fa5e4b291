"""Fault tests: each starts its own processes on 127.0.0.1 and a fresh database; on failure the
tail of every process's log is printed with the report."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from tests.faults.cast import fresh_schema
from tests.faults.prefect import prefect_server_proc
from tests.support import pg
from tests.support.processes import Service, free_port

from awardflow.db.session import Database


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[pytest.TestReport]:
    report: pytest.TestReport = yield
    if report.failed:
        item.stash[FAILED] = True
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def procs(request: pytest.FixtureRequest) -> Iterator[list[Service]]:
    """Processes to stop after the test (and whose logs to show if it failed)."""
    started: list[Service] = []
    yield started
    for proc in reversed(started):
        proc.stop()
    if request.node.stash.get(FAILED, False):
        for proc in started:
            print(f"----- {proc.name} ({proc.log}) -----\n{proc.tail(80)}")


@pytest.fixture
def fresh_db(pg_server: str) -> Iterator[Callable[[str], Database]]:
    """A new, empty database on the session's PostgreSQL cluster, by name."""
    opened: list[Database] = []

    def make(name: str) -> Database:
        db = Database(pg.create_database(pg_server, name))
        fresh_schema(db)
        opened.append(db)
        return db

    yield make
    for db in opened:
        db.dispose()


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, int]]:
    """A Prefect server process and its port, started once (its boot is slow)."""
    port = free_port()
    proc = prefect_server_proc(port, tmp_path_factory.mktemp("prefect"))
    proc.start()
    yield proc, port
    proc.stop()


@pytest.fixture(scope="session", autouse=True)
def _boot_prefect_early(request: pytest.FixtureRequest) -> None:
    """When the Prefect outage test is selected, its server boots while the others run."""
    if any("test_prefect_down" in item.nodeid for item in request.session.items):
        request.getfixturevalue("prefect_server")
