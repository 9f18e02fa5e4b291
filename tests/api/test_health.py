"""``GET /api/health``: 200 while the database answers, 503 with the error shape when not; no
authentication needed, nothing else disclosed."""

from __future__ import annotations

from pathlib import Path

from tests.api.testclient import TestClient

from awardflow.api.app import create_app
from awardflow.db.session import Database
from awardflow.settings import Settings


def test_health_ok(client: TestClient) -> None:
    resp = client.get("/api/health")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "database": "ok"}


def test_health_503_when_the_database_is_unreachable(
    api_settings: Settings, tmp_path: Path
) -> None:
    gone = Database(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")
    # no ``with``: the app's startup (which reads the calendar) would fail first
    resp = TestClient(create_app(api_settings, gone)).get("/api/health")
    assert resp.status_code == 503
    body = resp.json()
    assert body["error"] == "database_unavailable"
    assert body["status"] == "unavailable"
    assert "cơ sở dữ liệu" in body["message"]
    assert "x.db" not in resp.text
