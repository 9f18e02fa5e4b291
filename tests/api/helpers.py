"""Driving a nomination over HTTP, step by step, for the API tests."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from tests.api.conftest import Auth
from tests.api.testclient import TestClient
from tests.support.world import World

PDF_BYTES = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def create_draft(
    client: TestClient,
    auth: Auth,
    world: World,
    *,
    award: str = "giay_khen",
    person: str = "p-lan",
    user: str = "clerk_a",
    unit: str = "thpt-a",
) -> dict[str, Any]:
    body = {
        "round_id": world["round"],
        "award_id": world[award],
        "unit_id": world[unit],
        "nominee_kind": "individual",
        "person_id": world[person],
        "achievement": "Hoàn thành xuất sắc nhiệm vụ năm học",
    }
    return ok(client.post("/api/nominations", json=body, headers=auth(user)), 201)


def act(
    client: TestClient,
    auth: Auth,
    user: str,
    nid: int,
    trigger: str,
    comment: str | None = None,
    data: dict[str, Any] | None = None,
    **headers: str,
) -> Any:
    return client.post(
        f"/api/nominations/{nid}/actions/{trigger}",
        json={"comment": comment, "data": data or {}},
        headers={**auth(user), **headers},
    )


def upload(
    client: TestClient,
    auth: Auth,
    user: str,
    nid: int,
    name: str,
    data: bytes,
    kind: str = "achievement_report",
    content_type: str = "application/pdf",
) -> Any:
    return client.post(
        f"/api/nominations/{nid}/evidence",
        files={"file": (name, data, content_type)},
        data={"kind": kind},
        headers=auth(user),
    )


def to_in_appraisal(client: TestClient, auth: Auth, world: World, **kw: str) -> int:
    nom = create_draft(client, auth, world, **kw)
    nid = int(nom["id"])
    ok(upload(client, auth, kw.get("user", "clerk_a"), nid, "bao-cao.pdf", PDF_BYTES), 201)
    head = "head_b" if kw.get("unit") == "thpt-b" else "head_a"
    ok(act(client, auth, head, nid, "propose"))
    ok(act(client, auth, "appraiser1", nid, "claim"))
    return nid


def to_appraised(client: TestClient, auth: Auth, world: World, **kw: str) -> int:
    nid = to_in_appraisal(client, auth, world, **kw)
    for criterion in ("ca_nhan_1", "ca_nhan_2"):
        body = {"criterion": criterion, "met": True, "note": "Đạt"}
        ok(client.post(f"/api/nominations/{nid}/checklist", json=body, headers=auth("appraiser1")))
    ok(act(client, auth, "appraiser1", nid, "recommend", "Đủ điều kiện, đề xuất Hội đồng xét."))
    return nid


def council_pass(client: TestClient, auth: Auth, world: World, nids: list[int]) -> dict[str, Any]:
    session = council_open(client, auth, world, nids)
    sid = session["id"]
    for i in range(1, 6):
        for nid in nids:
            ballot = {"nomination_id": nid, "choice": "agree"}
            r = ok(
                client.post(
                    f"/api/council/sessions/{sid}/ballots", json=ballot, headers=auth(f"member{i}")
                ),
                201,
            )
            assert r == {"session_id": sid, "nomination_id": nid, "status": "recorded"}
    ok(client.post(f"/api/council/sessions/{sid}/close", json={}, headers=auth("secretary")))
    return session


def council_open(client: TestClient, auth: Auth, world: World, nids: list[int]) -> dict[str, Any]:
    """A session of the five members, opened (``nids`` scheduled) with everyone present."""
    members = [world[f"member{i}"] for i in range(1, 6)]
    body = {
        "round_id": world["round"],
        "name": "Phiên họp Hội đồng TĐKT lần 1",
        "member_user_ids": members,
        "chair_user_id": members[0],
        "secretary_user_id": world["secretary"],
    }
    sec = auth("secretary")
    session = ok(client.post("/api/council/sessions", json=body, headers=sec), 201)
    sid = session["id"]
    opened = ok(client.post(f"/api/council/sessions/{sid}/open", headers=sec))
    assert sorted(opened["detail"]["scheduled"]) == sorted(nids)
    for uid in members:
        att = {"user_id": uid, "present": True}
        ok(client.post(f"/api/council/sessions/{sid}/attendance", json=att, headers=sec))
    return session
