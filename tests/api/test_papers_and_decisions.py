"""Many at once over HTTP, all or none: a member's ballot paper (phiếu bầu: the whole agenda in
one request, the answer never saying what was chosen) and the director's decision (quyết định
khen thưởng: every listed nomination awarded under one number)."""

from __future__ import annotations

from tests.api.conftest import Auth
from tests.api.helpers import council_open, ok, to_appraised
from tests.api.testclient import TestClient
from tests.support.world import World


def test_ballot_papers_over_http(client: TestClient, auth: Auth, api_world: World) -> None:
    a = to_appraised(client, auth, api_world)
    b = to_appraised(client, auth, api_world, person="p-minh")
    sid = council_open(client, auth, api_world, [a, b])["id"]
    url = f"/api/council/sessions/{sid}/ballot-papers"

    def paper(who: str, votes: dict[int, str], **extra: object) -> object:
        body = {"votes": [{"nomination_id": n, "choice": c} for n, c in votes.items()], **extra}
        return client.post(url, json=body, headers=auth(who))

    for i in range(1, 5):
        got = ok(paper(f"member{i}", {a: "agree", b: "agree" if i < 3 else "disagree"}), 201)
        assert got == {"session_id": sid, "ballots": 2, "status": "recorded"}
    # refused papers: which field, why, and nothing of them kept
    again = paper("member1", {b: "agree"})
    assert again.status_code == 409 and again.json()["field"] == f"votes.{b}"
    twice = client.post(
        url,
        json={"votes": [{"nomination_id": a, "choice": "agree"}] * 2},
        headers=auth("member5"),
    )
    assert twice.status_code == 422 and twice.json()["field"] == "votes"
    assert paper("member5", {a: "maybe"}).status_code == 422
    assert paper("member5", {}).status_code == 422
    assert paper("head_a", {a: "agree"}).status_code in (403, 404)
    agenda = ok(client.get(f"/api/council/sessions/{sid}/agenda", headers=auth("member5")))
    assert {i["nomination_id"]: i["ballots_cast"] for i in agenda} == {a: 4, b: 4}
    ok(paper("member5", {a: "agree", b: "agree"}), 201)
    minutes = ok(
        client.post(f"/api/council/sessions/{sid}/close", json={}, headers=auth("secretary"))
    )
    items = {i["nomination_id"]: i for i in minutes["items"]}
    assert (items[a]["agree"], items[a]["outcome"]) == (5, "passed")
    assert (items[b]["agree"], items[b]["disagree"], items[b]["outcome"]) == (3, 2, "passed")


def test_a_decision_over_http(client: TestClient, auth: Auth, api_world: World) -> None:
    """The director's decision for several nominations in one request, all or none."""
    a = to_appraised(client, auth, api_world)
    b = to_appraised(client, auth, api_world, person="p-minh")
    sid = council_open(client, auth, api_world, [a, b])["id"]
    for i in range(1, 6):
        votes = [{"nomination_id": n, "choice": "agree"} for n in (a, b)]
        ok(
            client.post(
                f"/api/council/sessions/{sid}/ballot-papers",
                json={"votes": votes},
                headers=auth(f"member{i}"),
            ),
            201,
        )
    ok(client.post(f"/api/council/sessions/{sid}/close", json={}, headers=auth("secretary")))
    version = ok(client.get(f"/api/nominations/{b}", headers=auth("director")))["version"]
    body = {
        "round_id": api_world["round"],
        "items": [{"nomination_id": b, "version": version - 1}, {"nomination_id": a}],
        "decision_number": "46/QĐ-SGDĐT",
        "decision_date": "2026-10-01",
    }
    stale = client.post("/api/decisions", json=body, headers=auth("director"))
    assert stale.status_code == 409
    assert stale.json()["nomination_id"] == b and stale.json()["error"] == "version_conflict"
    future = client.post(
        "/api/decisions", json={**body, "decision_date": "2099-01-01"}, headers=auth("director")
    )
    assert future.status_code == 422 and future.json()["field"] == "decision_date"
    fixed = {**body, "items": [{"nomination_id": b, "version": version}, {"nomination_id": a}]}
    head = client.post("/api/decisions", json=fixed, headers=auth("head_a"))
    assert head.status_code == 403, head.json()
    for n in (a, b):  # nothing of the refused requests was kept
        assert ok(client.get(f"/api/nominations/{n}", headers=auth("director")))["state"] == (
            "council_approved"
        )
    made = ok(client.post("/api/decisions", json=fixed, headers=auth("director")), 201)
    assert made["nomination_ids"] == [b, a] and made["number"] == "46/QĐ-SGDĐT"
    for n in (a, b):
        got = ok(client.get(f"/api/nominations/{n}", headers=auth("director")))
        assert got["state"] == "awarded"
