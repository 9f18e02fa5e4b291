"""Queues, the dashboard, and bulk reassign / remind / extend with dry runs."""

from __future__ import annotations

from sqlalchemy import select
from tests.api.conftest import Auth
from tests.api.helpers import ok, to_in_appraisal
from tests.api.testclient import TestClient
from tests.support.world import World

from awardflow.db.models import AuditEvent, OutboxMessage

B_UNIT = {"person": "p-hoa", "user": "head_b", "unit": "thpt-b"}


def test_queue_and_dashboard(client: TestClient, auth: Auth, api_world: World) -> None:
    nid = to_in_appraisal(client, auth, api_world, **B_UNIT)
    mine = ok(client.get("/api/queue", headers=auth("appraiser1")))
    assert [n["id"] for n in mine["items"]] == [nid] and mine["items"][0]["due_at"]
    assert ok(client.get("/api/queue", headers=auth("appraiser2")))["total"] == 0
    board = ok(client.get("/api/dashboard", headers=auth("supervisor")))
    assert board["by_state"] == {"in_appraisal": 1} and board["by_phase"] == {"appraisal": 1}
    assert board["aging_days"]["0-5"] == 1
    assert board["by_assignee"] == [
        {"user_id": api_world["appraiser1"], "open": 1, "overdue": 0, "stuck": 0}
    ]


def test_bulk_dry_run_then_for_real(client: TestClient, auth: Auth, api_world: World) -> None:
    nid = to_in_appraisal(client, auth, api_world, **B_UNIT)
    sup = auth("supervisor")
    body = {
        "nomination_ids": [nid, 999],
        "data": {"assignee_id": api_world["appraiser2"]},
        "comment": "Cân đối khối lượng",
        "dry_run": True,
    }
    dry = ok(client.post("/api/bulk/reassign", json=body, headers=sup))
    assert [i["ok"] for i in dry["items"]] == [True, False]
    assert dry["items"][1]["reasons"][0]["error"] == "not_found"
    assert (
        ok(client.get(f"/api/nominations/{nid}", headers=sup))["assignee_id"]
        == api_world["appraiser1"]
    )
    done = ok(client.post("/api/bulk/reassign", json={**body, "dry_run": False}, headers=sup))
    assert done["items"][0]["result"]["to_state"] == "in_appraisal"
    assert (
        ok(client.get(f"/api/nominations/{nid}", headers=sup))["assignee_id"]
        == api_world["appraiser2"]
    )

    before = ok(client.get(f"/api/nominations/{nid}", headers=sup))["due_at"]
    ext = {
        "nomination_ids": [nid],
        "data": {"due_at": "2026-12-31T10:00:00+00:00"},
        "comment": "Chờ bổ sung hồ sơ",
        "dry_run": False,
    }
    assert ok(client.post("/api/bulk/extend", json=ext, headers=sup))["items"][0]["ok"]
    after = ok(client.get(f"/api/nominations/{nid}", headers=sup))
    assert after["due_at"] != before and after["due_at"].startswith("2026-12-31")
    refused = ok(client.post("/api/bulk/extend", json=ext, headers=auth("appraiser1")))
    assert refused["items"][0]["reasons"][0]["error"] == "forbidden"
    assert ok(client.post("/api/bulk/remind", json={"nomination_ids": [nid]}, headers=sup))[
        "items"
    ][0]["ok"]
    with api_world.db.read() as s:
        events = [
            e.trigger
            for e in s.execute(select(AuditEvent).where(AuditEvent.nomination_id == nid)).scalars()
        ]
        reminders = (
            s.execute(
                select(OutboxMessage).where(
                    OutboxMessage.nomination_id == nid, OutboxMessage.dedupe_key.contains("manual")
                )
            )
            .scalars()
            .all()
        )
    assert events.count("extend_deadline") == 1
    assert [r.recipient_user_id for r in reminders] == [api_world["appraiser2"]]


def test_campaign_upload_errors_name_line_and_field(client: TestClient, auth: Auth) -> None:
    r = client.post(
        "/api/campaigns",
        content="code: demo\ntitle: [unclosed\n",
        headers={**auth("admin"), "Content-Type": "application/yaml"},
    )
    assert r.status_code == 422 and r.json()["error"] == "campaign_file_invalid"
    assert "upload.yaml:" in r.json()["message"]
