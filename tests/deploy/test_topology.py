"""docker-compose.yml's topology without Docker: PostgreSQL, ``prefect server start`` on it,
``awardflow db upgrade``, two ``awardflow worker`` and two ``awardflow api`` processes and an
SMTP sink, all on 127.0.0.1. One round of a seed campaign goes through it over HTTP, each
request to the other replica; the workers' flows assign, sweep, close the round and deliver
the mail, started through Prefect's API. Then: the states, the audit chains, every mail
delivered once, every flow run Completed."""

from __future__ import annotations

import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import Any

import psutil
import pytest
from sqlalchemy import select
from tests.deploy.scenario import (
    People,
    Replicas,
    campaign_open_today,
    load_people,
    today,
)
from tests.support.topology import Topology

from awardflow.db.models import OutboxMessage
from awardflow.db.models.inbox import NotificationDelivery
from awardflow.db.session import Database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ADMIN_PASSWORD = "quan-tri-" + "x" * 16
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Clock:
    """Seconds since the start, per step, for the timing line the test prints."""

    def __init__(self) -> None:
        self.start = self.last = monotonic()
        self.steps: list[str] = []

    def mark(self, step: str) -> None:
        now = monotonic()
        self.steps.append(f"{step} {now - self.last:.1f}s")
        self.last = now

    def line(self) -> str:
        return f"topology timings: {', '.join(self.steps)}; total {monotonic() - self.start:.1f}s"


def run_flows(topo: Topology, *runs: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Start each deployment's run through Prefect's API (together), wait for all; each must
    end Completed."""
    client = topo.prefect_client
    ids = [client.run_deployment(name, parameters) for name, parameters in runs]
    done = [client.wait(run_id, timeout=240) for run_id in ids]
    for (name, _), run in zip(runs, done, strict=True):
        assert run["state_type"] == "COMPLETED", f"{name}: {run['state_name']}\n{topo.report()}"
    return done


def propose_round(http: Replicas, people: People, award_id: int) -> tuple[list[int], int]:
    """Three dossiers proposed by their units' heads (evidence attached) and one left a draft."""
    cast = people.cast
    units = cast.units[:2]
    picks = [p for p in people.eligible if p[0] == units[0]][:2]
    picks += [p for p in people.eligible if p[0] == units[1]][:2]
    nids = []
    for unit_id, person_id in picks:
        body = {
            "round_id": people.round_id,
            "award_id": award_id,
            "unit_id": unit_id,
            "nominee_kind": "individual",
            "person_id": person_id,
            "achievement": "Hoàn thành xuất sắc nhiệm vụ năm học; sáng kiến chuyển đổi số.",
        }
        clerk = people.user(cast.clerks[unit_id])
        nids.append(http.ok("POST", "/api/nominations", user=clerk, json=body, status=201)["id"])
    proposed, draft = nids[:3], nids[3]
    for nid, (unit_id, _) in zip(proposed, picks, strict=False):
        clerk, head = people.user(cast.clerks[unit_id]), people.user(cast.heads[unit_id])
        files = {"file": ("bao-cao-thanh-tich.pdf", PDF, "application/pdf")}
        form = {"kind": "achievement_report"}
        http.ok(
            "POST",
            f"/api/nominations/{nid}/evidence",
            user=clerk,
            files=files,
            data=form,
            status=201,
        )
        # the file went to one replica's store; the other lists and serves it (shared store)
        listed = http.ok("GET", f"/api/nominations/{nid}/evidence", user=clerk)
        assert [e["filename"] for e in listed] == ["bao-cao-thanh-tich.pdf"]
        assert http.act(head, nid, "propose")["to_state"] == "proposed"
    return proposed, draft


def appraise(
    http: Replicas, people: People, nids: list[int], criteria: list[dict[str, Any]]
) -> None:
    chosen = [c for c in criteria if c.get("required", True)] or criteria[:1]
    for nid in nids:
        nom = http.ok("GET", f"/api/nominations/{nid}", user=people.user(people.cast.supervisor))
        appraiser = people.user(nom["assignee_id"])
        for criterion in chosen:
            body = {
                "criterion": criterion["code"],
                "met": True,
                "note": "Đạt; minh chứng kèm hồ sơ.",
            }
            http.ok("POST", f"/api/nominations/{nid}/checklist", user=appraiser, json=body)
        done = http.act(appraiser, nid, "recommend", comment="Đủ điều kiện, đề xuất Hội đồng xét.")
        assert done["to_state"] == "appraised"


def council(http: Replicas, people: People, nids: list[int]) -> None:
    cast = people.cast
    secretary = people.user(cast.secretary)
    members = [cast.director, *cast.members]
    body = {
        "round_id": people.round_id,
        "name": "Phiên họp Hội đồng TĐKT xét khen thưởng hằng năm",
        "member_user_ids": members,
        "chair_user_id": cast.director,
        "secretary_user_id": cast.secretary,
    }
    sid = http.ok("POST", "/api/council/sessions", user=secretary, json=body, status=201)["id"]
    opened = http.ok("POST", f"/api/council/sessions/{sid}/open", user=secretary)
    assert sorted(opened["detail"]["scheduled"]) == sorted(nids)
    for uid in members:
        att = {"user_id": uid, "present": True}
        http.ok("POST", f"/api/council/sessions/{sid}/attendance", user=secretary, json=att)
    for uid in members:
        for nid in nids:
            ballot = {"nomination_id": nid, "choice": "agree"}
            path = f"/api/council/sessions/{sid}/ballots"
            http.ok("POST", path, user=people.user(uid), json=ballot, status=201)
    minutes = http.ok("POST", f"/api/council/sessions/{sid}/close", user=secretary, json={})
    assert {i["nomination_id"]: i["outcome"] for i in minutes["items"]} == dict.fromkeys(
        nids, "passed"
    )


def test_a_round_through_the_production_topology(tmp_path: Path, pg_server: str) -> None:
    clock = Clock()
    day = today()
    plan, round_code, definition = campaign_open_today(tmp_path / "campaign.yaml", day)
    loaded: list[People] = []

    def seed(topo: Topology) -> None:  # what the workers read when they start
        assert "loaded" in topo.awardflow("campaign", "load", str(plan))
        clock.mark("database+migrate+campaign")

    def meanwhile(topo: Topology) -> None:  # while the workers register the deployments
        # the first administrator, as docs/deploy.md makes one (password asked twice)
        organiser = definition["issuer"]["code"]
        args = ["user", "add", "quantri", "--role", "admin", "--unit", organiser]
        typed = f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n"
        topo.awardflow(*args, "--full-name", "Quản trị hệ thống", input=typed)
        loaded.append(load_people(topo.database_url, round_code))
        clock.mark("Prefect up+admin+people")

    # runs start when the test asks (through Prefect's API), not on the schedules' clock
    quiet = {
        "AWARDFLOW_FLOWS__ASSIGN_EVERY_SECONDS": "86400",
        "AWARDFLOW_FLOWS__DELIVER_EVERY_SECONDS": "86400",
    }
    root = tmp_path / "topology"
    with Topology(root, workers=2, apis=2, env=quiet, server_url=pg_server) as topo:
        topo.start(seed=seed, meanwhile=meanwhile)
        clock.mark("processes ready")
        people = loaded[0]
        cast = people.cast
        http = Replicas([api.url or "" for api in topo.apis])
        checker = ThreadPoolExecutor(max_workers=1)
        try:
            units = cast.units[:2]
            logins = {people.user(m[u]) for m in (cast.clerks, cast.heads) for u in units}
            logins |= {people.user(i) for i in [*cast.appraisers, *cast.members]}
            logins |= {people.user(i) for i in (cast.supervisor, cast.secretary, cast.director)}
            http.login_all(sorted(logins))
            http.login("quantri", ADMIN_PASSWORD)
            listed = http.ok("GET", "/api/users?limit=200", user="quantri")
            assert {u["username"] for u in listed["items"]} >= logins | {"quantri"}
            director = people.user(cast.director)
            awards = http.ok("GET", f"/api/awards?campaign={people.campaign_id}", user=director)
            award_id = next(a["id"] for a in awards if a["code"] == "giay_khen")
            proposed, draft = propose_round(http, people, award_id)
            clock.mark("drafts+propose (HTTP)")

            assigned = run_flows(topo, ("assign-proposed/assign-proposed", {}))
            clock.mark("assign flow")
            noms = [http.ok("GET", f"/api/nominations/{n}", user=director) for n in proposed]
            assert {n["state"] for n in noms} == {"in_appraisal"}, assigned
            assert {n["assignee_id"] for n in noms} == set(cast.appraisers)  # balanced

            appraise(http, people, proposed, definition["criteria"]["individual"])
            council(http, people, proposed)
            decision = {"decision_number": "125/QĐ-SGDĐT", "decision_date": day.isoformat()}
            for nid in proposed:
                assert http.act(director, nid, "decide", data=decision)["to_state"] == "awarded"
            clock.mark("appraise+council+decide (HTTP)")

            rnd = next(r for r in definition["rounds"] if r["code"] == round_code)
            after = datetime.combine(
                rnd["dates"]["proposals_close"] + timedelta(days=2), time(), UTC
            )
            # two workers at once: the sweep (its clock two days after proposals closed: the
            # draft lapses) and the round's close; then the mail
            run_flows(
                topo,
                ("sweep-deadlines/sweep-deadlines", {"now": after.isoformat()}),
                (f"close-round/close-round-{people.round_id}", {}),
            )
            clock.mark("sweep+close-round flows")
            run_flows(topo, ("deliver-notifications/deliver-notifications", {}))
            clock.mark("deliver flow")
            # ``awardflow audit verify`` starts cold: it runs while the states are checked
            verified = checker.submit(topo.awardflow, "audit", "verify")

            states = {
                n: http.ok("GET", f"/api/nominations/{n}", user=director)["state"]
                for n in [*proposed, draft]
            }
            assert states == {**dict.fromkeys(proposed, "awarded"), draft: "lapsed"}
            # the flows' changes went through the transition service like the people's
            history = http.ok("GET", f"/api/nominations/{proposed[0]}/history", user=director)
            triggers = [e["trigger"] for e in history]
            assert triggers[0] == "create" and triggers[-1] == "decide"
            assert {"propose", "assign", "recommend", "pass_vote"} <= set(triggers)
            lapsed = http.ok("GET", f"/api/nominations/{draft}/history", user=director)
            assert lapsed[-1]["trigger"] == "lapse"
            summaries = http.ok("GET", "/api/summaries", user=director)["items"]
            assert people.round_id in {s["round_id"] for s in summaries}
            assert min(http.served.values()) > 20 and len(http.served) == 2
        finally:
            http.close()
            checker.shutdown()

        assert "every chain verifies" in verified.result()

        db = Database(topo.database_url)
        try:
            with db.read() as s:
                outbox = s.execute(select(OutboxMessage.status)).scalars().all()
                deliveries = s.execute(
                    select(NotificationDelivery.status, NotificationDelivery.message_id)
                ).all()
        finally:
            db.dispose()
        assert outbox and set(outbox) == {"sent"}, outbox
        sent = sorted(m.strip("<>") for status, m in deliveries if status == "sent")
        assert sent and {status for status, _ in deliveries} <= {"sent", "skipped"}
        assert topo.smtp is not None
        received = sorted(str(m["Message-ID"]).strip("<>") for m in topo.smtp.received())
        assert received == sent  # every mail delivered, none twice

        runs = topo.prefect_client.flow_runs()
        bad = [
            (r["name"], r["state_name"]) for r in runs if r["state_type"] in ("FAILED", "CRASHED")
        ]
        assert not bad, bad
        # each run was a fork of its worker's zygote (flows/preload.py), none a cold start
        logs = "".join(w.log.read_text(errors="replace") for w in topo.workers)
        assert logs.count("forked from the preloaded worker") >= 4, logs[-3000:]
        assert "starts as a new process" not in logs
        assert all(w.alive() for w in [*topo.workers, *topo.apis, topo.prefect])
        for worker in topo.workers:  # ``docker stop``: SIGTERM to the worker alone
            assert worker.popen is not None
            tree = psutil.Process(worker.popen.pid).children(recursive=True)
            assert tree, "the worker's zygote"
            worker.popen.send_signal(signal.SIGTERM)
            assert worker.popen.wait(timeout=60) == 0, worker.tail()
            _, left = psutil.wait_procs(tree, timeout=10)
            assert left == [], left  # its zygote went with it
    clock.mark("checks+stop")
    print(clock.line())
    print(f"topology ready/stop seconds: {topo.timings()}")
