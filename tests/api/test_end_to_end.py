"""One nomination from draft to awarded over HTTP only; another from submitted to conferred."""

from __future__ import annotations

from tests.api.conftest import Auth
from tests.api.helpers import act, council_pass, ok, to_appraised
from tests.api.testclient import TestClient
from tests.support.world import World

DECISION = {"decision_number": "45/QĐ-SGDĐT", "decision_date": "2026-12-20"}


def test_draft_to_awarded_over_http(client: TestClient, auth: Auth, api_world: World) -> None:
    nid = to_appraised(client, auth, api_world)
    session = council_pass(client, auth, api_world, [nid])
    minutes = ok(
        client.get(f"/api/council/sessions/{session['id']}/minutes", headers=auth("secretary"))
    )
    assert minutes["items"][0]["outcome"] == "passed"
    assert (
        ok(client.get(f"/api/nominations/{nid}", headers=auth("director")))["state"]
        == "council_approved"
    )
    queue = ok(client.get("/api/queue", headers=auth("director")))
    assert [n["id"] for n in queue["items"]] == [nid]
    done = ok(act(client, auth, "director", nid, "decide", data=DECISION))
    assert done["to_state"] == "awarded"
    history = ok(client.get(f"/api/nominations/{nid}/history", headers=auth("head_a")))
    triggers = [e["trigger"] for e in history]
    assert triggers[0] == "create" and triggers[-1] == "decide"
    assert {"evidence_added", "propose", "claim", "checklist", "recommend", "pass_vote"} <= set(
        triggers
    )
    # ballots stay secret: nothing a reader gets names a member's choice
    agenda = ok(
        client.get(f"/api/council/sessions/{session['id']}/agenda", headers=auth("member1"))
    )
    assert agenda == [{"nomination_id": nid, "position": 1, "outcome": "passed", "ballots_cast": 5}]


def test_submitted_to_conferred(client: TestClient, auth: Auth, api_world: World) -> None:
    nid = to_appraised(client, auth, api_world, award="bang_khen_tinh")
    council_pass(client, auth, api_world, [nid])
    body = {"round_id": api_world["round"], "authority_unit_id": api_world["snv"]}
    assert (
        client.post("/api/submissions/prepare", json=body, headers=auth("head_a")).status_code
        == 403
    )
    sub = ok(client.post("/api/submissions/prepare", json=body, headers=auth("supervisor")))
    assert sub["nomination_ids"] == [nid] and sub["status"] == "submitted"
    seen = ok(client.get("/api/submissions", headers=auth("authority")))
    assert [s["id"] for s in seen["items"]] == [sub["id"]]
    queue = ok(client.get("/api/queue", headers=auth("authority")))
    assert [n["id"] for n in queue["items"]] == [nid]
    actions = ok(client.get(f"/api/nominations/{nid}/actions", headers=auth("authority")))
    assert {a["trigger"] for a in actions if a["allowed"]} >= {"confer", "refuse"}
    done = ok(
        act(client, auth, "authority", nid, "confer", data={**DECISION, "issuer": "UBND tỉnh"})
    )
    assert done["to_state"] == "awarded"
    assert (
        ok(client.get(f"/api/nominations/{nid}", headers=auth("authority")))["state"] == "awarded"
    )
