"""Stopping one worker must not pause the schedules every other worker serves (Prefect's
``serve`` pauses them on shutdown by default)."""

from __future__ import annotations

from typing import Any

import prefect
import pytest

from awardflow.flows import serve as serve_module
from awardflow.settings import Settings


def test_worker_shutdown_leaves_schedules_running(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    seen: dict[str, Any] = {}

    def fake_serve(*deployments: Any, **kwargs: Any) -> None:
        seen["deployments"] = deployments
        seen.update(kwargs)

    monkeypatch.setattr(prefect, "serve", fake_serve)
    monkeypatch.setattr(serve_module, "closing_dates", list)
    serve_module.serve_all(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    assert seen["pause_on_shutdown"] is False
    assert seen["deployments"], "every deployment is served"
