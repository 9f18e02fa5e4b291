"""A member's ballot paper (phiếu bầu) over HTTP: the whole agenda in one request, all or none,
and the answer never says what was chosen."""

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
