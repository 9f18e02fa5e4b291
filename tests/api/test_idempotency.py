"""If-Match and Idempotency-Key on actions and edits, including two racing requests."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.api.conftest import Auth, add_admin_and_passwords, make_client
from tests.api.helpers import act, create_draft, ok, to_in_appraisal
from tests.api.testclient import TestClient
from tests.support.world import World, build_world

from awardflow.db.models import AuditEvent
from awardflow.db.session import Database
from awardflow.services.evidence import MemoryFileStore
from awardflow.settings import Settings

#: appraiser2 belongs to school A: a nominee of school B lets her be assigned (no conflict).
B_UNIT = {"person": "p-hoa", "user": "head_b", "unit": "thpt-b"}


def test_patch_with_stale_if_match_is_409_with_current_version(
    client: TestClient, auth: Auth, api_world: World
) -> None:
    nom = create_draft(client, auth, api_world)
    url = f"/api/nominations/{nom['id']}"
    first = client.patch(
        url,
        json={"achievement": "Bản sửa 1"},
        headers={**auth("clerk_a"), "If-Match": f'"{nom["version"]}"'},
    )
    assert first.status_code == 200 and first.headers["etag"] == f'"{first.json()["version"]}"'
    stale = client.patch(
        url,
        json={"achievement": "Bản sửa 2"},
        headers={**auth("clerk_a"), "If-Match": str(nom["version"])},
    )
    assert stale.status_code == 409
    assert stale.json()["error"] == "version_conflict"
    assert stale.json()["current_version"] == first.json()["version"]
    bad = client.patch(
        url, json={"achievement": "x"}, headers={**auth("clerk_a"), "If-Match": "abc"}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "If-Match"


def test_action_with_stale_version_and_replayed_key(
    client: TestClient, auth: Auth, api_world: World
) -> None:
    nid = to_in_appraisal(client, auth, api_world, **B_UNIT)
    current = ok(client.get(f"/api/nominations/{nid}", headers=auth("supervisor")))["version"]
    data = {"assignee_id": api_world["appraiser2"]}
    stale = act(
        client,
        auth,
        "supervisor",
        nid,
        "reassign",
        "Cân đối",
        data,
        **{"If-Match": str(current - 1)},
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == current
    key = {"Idempotency-Key": "reassign-1", "If-Match": str(current)}
    one = ok(act(client, auth, "supervisor", nid, "reassign", "Cân đối", data, **key))
    two = ok(act(client, auth, "supervisor", nid, "reassign", "Cân đối", data, **key))
    assert two == {**one, "replayed": True}
    with api_world.db.read() as s:
        reassigns = s.execute(
            select(func.count()).where(
                AuditEvent.nomination_id == nid, AuditEvent.trigger == "reassign"
            )
        ).scalar_one()
    assert reassigns == 1


@pytest.mark.slow
def test_two_concurrent_requests_with_one_key_fire_once(
    database: Database, tmp_path: Path, api_settings: Settings
) -> None:
    world = build_world(database)
    add_admin_and_passwords(world)
    store, clock = MemoryFileStore(), [datetime.fromisoformat("2026-10-01T02:00:00+00:00")]
    from awardflow.api.auth import issue

    def headers(user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue(api_settings.api, world[user], 'access')}"}

    with make_client(world, api_settings, store, clock) as setup:
        nid = to_in_appraisal(setup, headers, world, **B_UNIT)
    results: list[tuple[int, dict[str, object]]] = []
    barrier = threading.Barrier(2)

    def fire() -> None:
        with make_client(world, api_settings, store, clock) as c:
            barrier.wait()
            r = act(
                c,
                headers,
                "supervisor",
                nid,
                "reassign",
                "Cân đối",
                {"assignee_id": world["appraiser2"]},
                **{"Idempotency-Key": "race-1"},
            )
            results.append((r.status_code, r.json()))

    threads = [threading.Thread(target=fire) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(code for code, _ in results)
    assert all(code in (200, 409) for code in statuses), results
    winners = [body for code, body in results if code == 200]
    assert winners and all(b["event_seq"] == winners[0]["event_seq"] for b in winners)
    with world.db.read() as s:
        reassigns = s.execute(
            select(func.count()).where(
                AuditEvent.nomination_id == nid, AuditEvent.trigger == "reassign"
            )
        ).scalar_one()
    assert reassigns == 1
