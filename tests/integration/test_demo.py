"""The demo data set: five campaigns, every lifecycle state, users for every role, audit
chains that verify, and a second load that does nothing (SQLite only, small size)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from tests.conftest import AUDIT_KEY

from awardflow.db.models import AuditEvent, Campaign, Nomination, RoleGrant, User
from awardflow.db.session import Database
from awardflow.demo.builder import load_demo
from awardflow.services.audit import verify
from awardflow.services.context import ServiceContext
from awardflow.states import NominationState, Role

SEEDS = {
    "dien-bien-gddt-dmst-2026",
    "ha-noi-gddt-dmst-cds-2025",
    "lam-dong-gddt-dmst-cds-2025",
    "lao-cai-ubnd-dmst-2026",
    "tuyen-quang-sngv-dmst-2026",
}


def test_demo_load(sqlite_db: Database, ctx: ServiceContext, tmp_path: Path) -> None:
    users_file = tmp_path / "demo-users.txt"
    summary = load_demo(sqlite_db, ctx, per_campaign=19, users_file=users_file)

    assert not summary.already_loaded
    assert set(summary.states) == SEEDS
    assert summary.total == 5 * 19
    with sqlite_db.read() as s:
        assert set(s.execute(select(Campaign.code)).scalars()) == SEEDS
        states = {n.state for n in s.execute(select(Nomination)).scalars()}
        assert states == set(NominationState)

        assert list(verify(s, AUDIT_KEY)) == []
        last: dict[int, AuditEvent] = {}
        for event in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
            last[event.nomination_id] = event
        for nom in s.execute(select(Nomination)).scalars():
            assert last[nom.id].to_state == nom.state.value, nom.id

        roles = set(s.execute(select(RoleGrant.role)).scalars())
        assert roles == set(Role) - {Role.SYSTEM}
        users = {u.username: u for u in s.execute(select(User)).scalars()}
        assert "dienbien.head.thpt-lqd" in users and "admin" in users
        assert all(u.email and u.email.endswith("@demo.awardflow.vn") for u in users.values())
        assert all((u.password_hash or "").startswith("$argon2") for u in users.values())
        count = len(users)

    assert len(summary.users) == count
    listed = users_file.read_text(encoding="utf-8")
    assert all(u.username in listed for u in summary.users)

    again = load_demo(sqlite_db, ctx, per_campaign=19, users_file=users_file)
    assert again.already_loaded and again.total == 0 and not again.users
    with sqlite_db.read() as s:
        assert len(list(s.execute(select(User.id)).scalars())) == count
