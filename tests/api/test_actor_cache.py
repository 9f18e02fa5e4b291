"""A revoked grant takes effect within ``api.actor_cache_seconds`` (immediately with 0)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from tests.api.conftest import Auth, make_client
from tests.support.world import World

from awardflow.db.models import RoleGrant
from awardflow.services.evidence import MemoryFileStore
from awardflow.settings import Settings


def _revoke(world: World, username: str) -> None:
    with world.db.write() as s:
        s.execute(delete(RoleGrant).where(RoleGrant.user_id == world[username]))


def test_revocation_respects_the_cache_window(
    api_world: World,
    api_settings: Settings,
    store: MemoryFileStore,
    clock: list[datetime],
    auth: Auth,
) -> None:
    cached = api_settings.model_copy(
        update={"api": api_settings.api.model_copy(update={"actor_cache_seconds": 60})}
    )
    with make_client(api_world, cached, store, clock) as client:
        assert client.get("/api/queue", headers=auth("supervisor")).status_code == 200
        _revoke(api_world, "supervisor")
        me = client.get("/api/me", headers=auth("supervisor")).json()
        assert "supervisor" in str(me)  # still within the window
    fresh = api_settings.model_copy(
        update={"api": api_settings.api.model_copy(update={"actor_cache_seconds": 0})}
    )
    with make_client(api_world, fresh, store, clock) as client:
        assert client.get("/api/me", headers=auth("head_a")).status_code == 200
        _revoke(api_world, "head_a")
        me = client.get("/api/me", headers=auth("head_a")).json()
        assert "unit_head" not in str(me)
