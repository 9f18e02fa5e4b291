"""The authorization matrix: every role against nominations of its own and a foreign unit, in
a draft and a department-side state. Reads out of scope are 404, actions on visible objects
the role may not take are 403, and no list ever carries an object outside the caller's scope.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.conftest import ROLES, Auth
from tests.api.helpers import PDF_BYTES, act, create_draft, ok, to_in_appraisal, upload
from tests.api.testclient import TestClient
from tests.support.world import World

UNIT_A = {"clerk_a", "head_a"}
DEPT = {"appraiser1", "appraiser2", "supervisor", "secretary", "director", "member1"}

#: Which of the four nominations each role sees.
VISIBLE: dict[str, set[str]] = {
    **{r: {"a_draft", "a_work"} for r in UNIT_A},
    "head_b": {"b_draft", "b_work"},
    **{r: {"a_work", "b_work"} for r in DEPT},
    "authority": set(),
    "admin": {"a_draft", "a_work", "b_draft", "b_work"},
}

READS = ("", "/history", "/eligibility", "/actions", "/evidence")


def _setup(client: TestClient, auth: Auth, world: World) -> dict[str, int]:
    ids = {
        "a_draft": create_draft(client, auth, world, person="p-lan")["id"],
        "a_work": to_in_appraisal(client, auth, world, person="p-minh"),
        "b_draft": create_draft(client, auth, world, person="p-hoa", user="head_b", unit="thpt-b")[
            "id"
        ],
    }
    b = create_draft(
        client, auth, world, award="bang_khen_tinh", person="p-hoa", user="head_b", unit="thpt-b"
    )
    ok(upload(client, auth, "head_b", b["id"], "bao-cao.pdf", PDF_BYTES), 201)
    ok(act(client, auth, "head_b", b["id"], "propose"))
    ids["b_work"] = b["id"]
    return ids


def _expect(role: str, target: str, allowed: set[str], ok_status: int = 200) -> int:
    if target not in VISIBLE[role]:
        return 404
    return ok_status if role in allowed else 403


def _writes(
    world: World, ids: dict[str, int]
) -> list[tuple[str, str, dict[str, Any], str, set[str], int]]:
    """(method, url, json, target, roles allowed, success status); side-effect-free refusals
    first, the allowed call (which changes state) is made only for the allowed role."""
    a_work, b_work, a_draft = ids["a_work"], ids["b_work"], ids["a_draft"]
    return [
        ("patch", f"/api/nominations/{a_draft}", {"achievement": "Sửa"}, "a_draft", UNIT_A, 200),
        (
            "post",
            f"/api/nominations/{a_work}/checklist",
            {"criterion": "ca_nhan_1", "met": True, "note": ""},
            "a_work",
            {"appraiser1"},
            200,
        ),
        (
            "post",
            f"/api/nominations/{a_work}/eligibility-override",
            {"reason": "Thành tích đột xuất"},
            "a_work",
            {"supervisor"},
            200,
        ),
        ("post", f"/api/nominations/{a_draft}/actions/propose", {}, "a_draft", {"head_a"}, 200),
        (
            "post",
            f"/api/nominations/{b_work}/actions/claim",
            {},
            "b_work",
            {"appraiser1", "appraiser2"},
            200,
        ),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_matrix(client: TestClient, auth: Auth, api_world: World, role: str) -> None:
    ids = _setup(client, auth, api_world)
    me = auth(role)
    for name, nid in ids.items():
        for suffix in READS:
            r = client.get(f"/api/nominations/{nid}{suffix}", headers=me)
            expected = 200 if name in VISIBLE[role] else 404
            assert r.status_code == expected, (role, name, suffix, r.text)
    visible_ids = {ids[n] for n in VISIBLE[role]}
    listed = ok(client.get("/api/nominations?limit=200", headers=me))
    assert {n["id"] for n in listed["items"]} == visible_ids and listed["total"] == len(visible_ids)
    for url in ("/api/queue", "/api/queue/office", "/api/dashboard/stuck"):
        assert {n["id"] for n in ok(client.get(url, headers=me))["items"]} <= visible_ids
    board = ok(client.get("/api/dashboard", headers=me))
    assert sum(board["by_state"].values()) == len(visible_ids)
    for method, url, body, target, allowed, success in _writes(api_world, ids):
        r = getattr(client, method)(url, json=body, headers=me)
        want = _expect(role, target, allowed, success)
        assert r.status_code == want, (role, url, r.text)
        assert set(r.json()) >= ({"error", "message"} if want >= 400 else set())


@pytest.mark.parametrize("role", ROLES)
def test_admin_and_council_endpoints(
    client: TestClient, auth: Auth, api_world: World, role: str
) -> None:
    me = auth(role)
    assert client.get("/api/users", headers=me).status_code == (200 if role == "admin" else 403)
    r = client.post(
        "/api/campaigns", content="code: x\n", headers={**me, "Content-Type": "application/yaml"}
    )
    assert r.status_code == (422 if role == "admin" else 403), r.text
    members = [api_world[f"member{i}"] for i in range(1, 6)]
    body = {
        "round_id": api_world["round"],
        "name": "Phiên họp",
        "member_user_ids": members,
        "chair_user_id": members[0],
        "secretary_user_id": api_world["secretary"],
    }
    r = client.post("/api/council/sessions", json=body, headers=me)
    assert r.status_code == (201 if role == "secretary" else 403), r.text
    for url in (
        "/api/me",
        "/api/campaigns",
        "/api/units",
        "/api/rounds",
        "/api/awards",
        "/api/notifications",
        "/api/summaries",
        "/api/submissions",
        "/api/council/sessions",
    ):
        assert client.get(url, headers=me).status_code == 200, url


def test_council_sessions_are_scoped(client: TestClient, auth: Auth, api_world: World) -> None:
    members = [api_world[f"member{i}"] for i in range(1, 6)]
    body = {
        "round_id": api_world["round"],
        "name": "Phiên họp",
        "member_user_ids": members,
        "chair_user_id": members[0],
        "secretary_user_id": api_world["secretary"],
    }
    sid = ok(client.post("/api/council/sessions", json=body, headers=auth("secretary")), 201)["id"]
    for role in ROLES:
        seen = role in {"supervisor", "secretary", "director", "member1", "admin"}
        r = client.get(f"/api/council/sessions/{sid}", headers=auth(role))
        assert r.status_code == (200 if seen else 404), role
        listed = ok(client.get("/api/council/sessions", headers=auth(role)))
        assert [s["id"] for s in listed["items"]] == ([sid] if seen else [])
