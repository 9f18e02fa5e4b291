"""The Prefect server down: the API keeps working (nominations created and proposed over HTTP
while ``PREFECT_API_URL`` refuses connections); when the server answers there again, the
assignment and delivery flows run against it (each a flow run the server records) and catch
up: every proposal assigned, every notification delivered once (PostgreSQL, aiosmtpd).

Prefect's server boots in 25-90 s on this machine, so it boots in the background while the
other fault tests run (conftest) and sits behind a :class:`Relay`: off, its address refuses
connections exactly as a stopped server's does; on, it answers. The flow process starts while
it is down and waits. The server keeps its own state in SQLite (its PostgreSQL set-up is the
topology test's).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from tests.faults.cast import CLERK, HEAD, build_cast
from tests.faults.checks import check_chains, check_delivered, check_outbox
from tests.faults.prefect import Relay
from tests.support.faults import api_proc, base_env, mail_env
from tests.support.processes import Service, SmtpSink, http_answers

from awardflow.db.models import Nomination
from awardflow.db.session import Database
from awardflow.states import NominationState

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

PROPOSALS = 24


def flow_runs(prefect_api: str) -> Counter[tuple[str, str]]:
    """(flow name, state type) of every flow run the server recorded."""
    with httpx.Client(base_url=prefect_api, timeout=30) as http:
        runs = http.post("/flow_runs/filter", json={}).raise_for_status().json()
        names = {
            f["id"]: f["name"]
            for f in http.post("/flows/filter", json={}).raise_for_status().json()
        }
    return Counter((names[r["flow_id"]], r["state_type"]) for r in runs)


def test_prefect_down_api_works_flows_catch_up(
    fresh_db: Callable[[str], Database],
    tmp_path: Path,
    procs: list[Service],
    prefect_server: tuple[Service, int],
) -> None:
    db = fresh_db("awardflow_faults_prefect")
    sink = SmtpSink()
    sink.start()
    relay = Relay(prefect_server[1])  # off: the address refuses connections
    prefect_api = f"http://127.0.0.1:{relay.port}/api"
    api, url = api_proc(db.url, tmp_path, PREFECT_API_URL=prefect_api)
    env = base_env(
        AWARDFLOW_DATABASE_URL=db.url,
        AWARDFLOW_AUDIT_KEY="test-audit-key",
        PREFECT_API_URL=prefect_api,
        PREFECT_HOME=str(tmp_path / "flows-home"),
        **mail_env(sink),
    )
    argv = [sys.executable, "-c", "from tests.faults.prefect import catch_up; catch_up()"]
    runner = Service("flows", argv, env=env, log=tmp_path / "flows.log")
    procs += [api.start(), runner.start()]  # the flow process starts while Prefect is down
    try:
        cast = build_cast(db, drafts=0)
        tokens = cast.tokens()
        api.wait_ready()
        assert not http_answers(f"{prefect_api}/health")(), "a Prefect server is up"
        proposed: list[int] = []
        began = time.monotonic()
        with httpx.Client(base_url=url, timeout=30) as http:
            for i in range(PROPOSALS):
                unit = ("thpt-a", "thpt-b")[i % 2]
                body = {
                    "round_id": cast["round"],
                    "award_id": cast["giay_khen"],
                    "unit_id": cast[unit],
                    "nominee_kind": "individual",
                    "person_id": cast.persons[unit][i],
                    "achievement": "Đổi mới phương pháp dạy học",
                }
                auth = {"Authorization": f"Bearer {tokens[CLERK[unit]]}"}
                made = http.post("/api/nominations", json=body, headers=auth)
                assert made.status_code == 201, made.text
                nid = made.json()["id"]
                headers = {
                    "Authorization": f"Bearer {tokens[HEAD[unit]]}",
                    "If-Match": made.headers["ETag"],
                }
                done = http.post(
                    f"/api/nominations/{nid}/actions/propose", json={}, headers=headers
                )
                assert done.status_code == 200 and done.json()["to_state"] == "proposed", done.text
                proposed.append(nid)
        served = time.monotonic() - began
        assert runner.alive(), runner.tail()  # still waiting for Prefect
        with db.read() as s:
            waiting = s.scalar(
                select(func.count()).where(Nomination.state == NominationState.PROPOSED)
            )
        assert waiting == PROPOSALS  # nobody assigned anything meanwhile
        # Prefect comes back; the flows run against it
        ready = prefect_server[0].wait_ready(300)
        relay.on()
        began = time.monotonic()
        assert runner.popen is not None
        assert runner.popen.wait(timeout=240) == 0, runner.tail()
        caught_up = time.monotonic() - began
        line = next(x for x in runner.log.read_text().splitlines() if x.startswith("CATCH-UP "))
        result = json.loads(line.removeprefix("CATCH-UP "))
        runs = flow_runs(prefect_api)
    finally:
        relay.close()
        sink.stop()
    print(
        f"API without Prefect: {PROPOSALS} created and proposed in {served:.1f} s; Prefect "
        f"(booted in the background) waited {ready:.0f} s more; back: flows caught up in "
        f"{caught_up:.1f} s: {result}; flow runs {dict(runs)}"
    )
    assert runs == {("assign-proposed", "COMPLETED"): 1, ("deliver-notifications", "COMPLETED"): 1}
    assert result["assign"] == {"assigned": PROPOSALS, "unassignable": 0}
    with db.read() as s:
        rows = s.execute(
            select(Nomination.state, Nomination.assignee_id).where(Nomination.id.in_(proposed))
        ).all()
    assert {str(st.value) for st, _ in rows} == {"in_appraisal"}
    assert {a for _, a in rows} <= {cast["appraiser1"], cast["appraiser2"]}
    facts = check_chains(db)
    check_outbox(db, facts)
    done = check_delivered(db, sink)
    assert done.rows == PROPOSALS * 3  # proposed (office, supervisor) + assigned
    assert result["deliver"] == {
        "claimed": done.rows,
        "sent": done.rows,
        "retrying": 0,
        "failed": 0,
    }
    assert done.duplicates == 0
