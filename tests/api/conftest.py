"""An API over the small world: an admin added, passwords set, a memory file store and a fixed
clock inside the round's proposal window. Tokens are minted directly (logging in is tested on
its own), so the tests do not pay argon2 for every request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from tests.api.testclient import TestClient
from tests.conftest import AUDIT_KEY
from tests.support.world import NOW, World

from awardflow.api.app import create_app
from awardflow.api.auth import issue
from awardflow.db.models import RoleGrant, User
from awardflow.services.auth import hash_password
from awardflow.services.evidence import MemoryFileStore
from awardflow.settings import ApiSettings, EvidenceSettings, Settings
from awardflow.states import Role

PASSWORD = "mật-khẩu-thử-nghiệm"
ROLES = (
    "clerk_a",
    "head_a",
    "head_b",
    "appraiser1",
    "appraiser2",
    "supervisor",
    "secretary",
    "director",
    "authority",
    "member1",
    "admin",
)


def add_admin_and_passwords(world: World) -> None:
    hashed = hash_password(PASSWORD)
    with world.db.write() as s:
        admin = User(username="admin", full_name="Quản trị viên", email="admin@example.test")
        s.add(admin)
        s.flush()
        world.ids["admin"] = admin.id
        s.add(RoleGrant(user_id=admin.id, role=Role.ADMIN, unit_id=world["so"]))
        for user in s.query(User).all():
            user.password_hash = hashed


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    return Settings(
        audit_key=AUDIT_KEY.decode(),
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        evidence=EvidenceSettings(store_dir=tmp_path / "files", max_bytes=64 * 1024),
        api=ApiSettings(jwt_secret="test-secret-" + "x" * 32, login_attempts_per_user=3),
    )


@pytest.fixture
def store() -> MemoryFileStore:
    return MemoryFileStore()


@pytest.fixture
def clock() -> list[datetime]:
    """The API's "now"; a test may move it (``clock[0] = …``)."""
    return [NOW]


def make_client(
    world: World, settings: Settings, store: MemoryFileStore, clock: list[datetime]
) -> TestClient:
    app = create_app(settings, world.db, store=store, clock=lambda: clock[0])
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def api_world(sqlite_world: World) -> World:
    add_admin_and_passwords(sqlite_world)
    return sqlite_world


@pytest.fixture
def client(
    api_world: World, api_settings: Settings, store: MemoryFileStore, clock: list[datetime]
) -> Iterator[TestClient]:
    with make_client(api_world, api_settings, store, clock) as c:
        yield c


Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def auth(api_world: World, api_settings: Settings) -> Auth:
    def headers(username: str) -> dict[str, str]:
        token = issue(api_settings.api, api_world[username], "access")
        return {"Authorization": f"Bearer {token}"}

    return headers
