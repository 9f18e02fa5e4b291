"""An unexpected exception in a route leaves as the one JSON error shape with status 500: no
stack trace, no exception text, and the server keeps answering."""

from __future__ import annotations

import logging

import pytest
from tests.api.testclient import TestClient
from tests.support.world import World

from awardflow.api.app import create_app
from awardflow.settings import Settings


def test_unhandled_exception_is_a_json_500_without_trace(
    api_world: World, api_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(api_settings, api_world.db)

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret internals: /etc/passwd")

    with TestClient(app, raise_server_exceptions=True) as client, caplog.at_level(logging.ERROR):
        resp = client.get("/api/boom")
        assert resp.status_code == 500
        body = resp.json()
        assert body["error"] == "internal_error"
        assert "Lỗi hệ thống" in body["message"]
        assert body["message_en"].startswith("Internal error")
        assert "secret internals" not in resp.text
        assert "Traceback" not in resp.text
        # Logged for the operators, with the path.
        assert any("/api/boom" in r.getMessage() for r in caplog.records)
        # The app still serves the next request.
        assert client.get("/api/campaigns").status_code == 401


class _PgError(Exception):
    sqlstate = "57P01"  # admin_shutdown: the server is restarting


def test_database_going_away_is_a_retryable_503(api_world: World, api_settings: Settings) -> None:
    from sqlalchemy.exc import OperationalError

    app = create_app(api_settings, api_world.db)

    @app.get("/api/restarting")
    def restarting() -> None:
        raise OperationalError("SELECT 1", {}, _PgError("terminating connection"))

    @app.get("/api/bad-sql")
    def bad_sql() -> None:
        raise OperationalError("SELEC 1", {}, type("E", (Exception,), {"sqlstate": "42601"})())

    with TestClient(app, raise_server_exceptions=True) as client:
        resp = client.get("/api/restarting")
        assert resp.status_code == 503
        assert resp.headers["Retry-After"] == "2"
        assert resp.json()["error"] == "database_unavailable"
        assert "Idempotency-Key" in resp.json()["message_en"]
        # a syntax error is a bug, not an outage: 500
        assert client.get("/api/bad-sql").status_code == 500
