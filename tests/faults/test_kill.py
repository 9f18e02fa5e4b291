"""SIGKILL the API and the delivery worker at random moments under load, restart them, ten
times: no committed transition lost, no duplicate notification row, and after the final
restart every outbox row delivered, each recipient's message arriving under one stable
Message-ID (PostgreSQL, aiosmtpd).

The killed worker is the delivery process (``tests.support.faults.delivery_loop``: the
``deliver-notifications`` flow's service call in a loop), not ``awardflow worker``: the
worker imports Prefect and registers its deployments with a Prefect server before it serves
anything (16 s to import alone here, and it needs that server up), so ten restarts would take
minutes; the delivery process is the part whose crash could lose or double a mail.

Both are forked from a :class:`~tests.faults.zygote.Zygote` that imported them once: a cold
start costs 5 s of imports (25-45 s when the machine is busy), ten of each would eat the time
budget; the forked process is the one serving and the one killed, with its own pool, requests
and claims. (``awardflow api`` itself starts cold in the other fault tests.)

Guarantee measured: at-least-once delivery with a stable Message-ID. A recipient is marked
right after the server accepts, so a kill between the SMTP ``250`` and that mark resends the
one message with the same Message-ID (mail clients collapse it); at most one per kill.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.faults.cast import build_cast
from tests.faults.checks import (
    check_chains,
    check_delivered,
    check_ledger,
    check_outbox,
    summary,
)
from tests.faults.load import Load
from tests.faults.zygote import forked_pair
from tests.support.processes import Service, SmtpSink

from awardflow.db.models import OutboxMessage
from awardflow.db.session import Database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROUNDS = 10
#: rounds whose worker is killed by the SMTP sink itself, after it kept a message and before
#: the worker heard the 250: the worst moment, made certain to happen
SEND_THEN_KILL = (3, 7)


def undelivered(db: Database) -> int:
    with db.read() as s:
        stmt = select(func.count()).where(OutboxMessage.status != "sent")
        return int(s.scalar(stmt.select_from(OutboxMessage)) or 0)


def test_kill_api_and_worker_ten_times(
    fresh_db: Callable[[str], Database], tmp_path: Path, procs: list[Service]
) -> None:
    db = fresh_db("awardflow_faults_kill")
    sink = SmtpSink()
    sink.start()
    # a claim left by a killed worker is taken over after 3 s (default 15 min)
    zygote, api, url, worker = forked_pair(
        db.url, sink, tmp_path, AWARDFLOW_MAIL__CLAIM_TIMEOUT_MINUTES="0.05"
    )
    procs += [api.start(), worker.start()]
    try:
        cast = build_cast(db)
        api.wait_ready()
        worker.wait_ready()
        load = Load(url, cast, clients=32, seed=2, retry=True).start()
        rng = random.Random(2)
        began = time.monotonic()
        restarts: list[float] = []
        between: list[int] = []  # rounds whose worker kill fell between send and mark
        for i in range(ROUNDS):
            if i in SEND_THEN_KILL:
                fired = threading.Event()

                def kill_worker(fired: threading.Event = fired) -> None:
                    worker.kill()
                    fired.set()

                sink.on_accept = kill_worker
                if fired.wait(30):
                    between.append(i)
                sink.on_accept = None
                worker.kill()  # (a no-op when the sink did it)
                time.sleep(rng.uniform(0, 1.0))
                api.kill()
            else:
                time.sleep(rng.uniform(1.0, 3.0))
                first, second = rng.sample([api, worker], 2)
                first.kill()
                time.sleep(rng.uniform(0, 0.8))
                second.kill()
            down = time.monotonic()
            api.start()
            worker.start()
            api.wait_ready()
            worker.wait_ready()
            restarts.append(time.monotonic() - down)
        time.sleep(3)  # load after the final restart
        ledger = load.stop()
        elapsed = time.monotonic() - began
        deadline = time.monotonic() + 60
        while undelivered(db) and time.monotonic() < deadline:
            time.sleep(0.5)
        drained = time.monotonic() - (deadline - 60)
    finally:
        worker.stop()
        api.stop()
        zygote.close()
        sink.stop()
    print(
        f"{ROUNDS} kills each of api and worker in {elapsed:.0f} s (restart "
        f"{min(restarts):.1f}-{max(restarts):.1f} s); outbox drained {drained:.1f} s later"
    )
    print(f"load: {summary(ledger)}")

    assert ledger.count(500, 599) == 0, ledger.server_errors[:5]
    assert ledger.bad_shape == [], ledger.bad_shape[:5]
    facts = check_chains(db)
    check_ledger(db, ledger, facts, exact=False)
    check_outbox(db, facts)
    done = check_delivered(db, sink)
    print(
        f"database: {facts.nominations} nominations, {facts.events} events, transitions "
        f"{sum(facts.transitions.values())} ({facts.unseen} whose answer was lost to a kill); "
        f"outbox {done.rows} rows, {done.deliveries} deliveries, {done.received} mails "
        f"received, {done.duplicates} duplicate(s) {done.duplicated_ids}; worker killed "
        f"between send and mark in rounds {between}"
    )
    # at least once: a kill between the server's 250 and the mark resends that one message
    # under the same Message-ID (the sink's own kills make sure it happens; a random kill may
    # land there too); only one message per worker is ever accepted and not yet marked
    assert len(between) >= 1, "no worker kill fell between send and mark"
    assert len(between) <= done.duplicates <= ROUNDS
    assert api.starts == worker.starts == ROUNDS + 1
    assert sum(1 for c in ledger.committed if not c.replayed) >= 10
    assert ledger.refused_connections + ledger.dropped > 0  # the kills were felt
