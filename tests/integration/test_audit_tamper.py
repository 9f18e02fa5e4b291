"""Tampering with audit rows directly in the database is reported by ``awardflow audit verify``."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from tests.support.cli import invoke
from tests.support.world import NOW, World, new_draft

from awardflow.db.session import Database
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import transition


@pytest.fixture
def chains(world: World, ctx: ServiceContext, cli_db: Database) -> list[int]:
    ids = []
    for person in ("p-lan", "p-minh"):
        with world.db.write() as s:
            nom_id = new_draft(s, world, ctx, world[person])
            transition(s, ctx, nom_id, "propose", world.actor("head_a"), now=NOW)
            transition(s, ctx, nom_id, "claim", world.actor("appraiser1"), now=NOW)
            ids.append(nom_id)
    return ids


def _verify() -> tuple[int, str]:
    return invoke("audit", "verify")


def _exec(db: Database, sql: str, **params: object) -> None:
    with db.engine.begin() as conn:
        if sql.startswith("DELETE FROM audit_events"):
            # a tamperer removes the outbox rows that point at the event too
            where = sql.split("WHERE", 1)[1]
            conn.execute(
                text(
                    "DELETE FROM notification_outbox WHERE audit_event_id IN "
                    f"(SELECT id FROM audit_events WHERE {where})"
                ),
                params,
            )
        conn.execute(text(sql), params)


def test_clean_chains_verify(world: World, chains: list[int]) -> None:
    code, out = _verify()
    assert code == 0
    assert "every chain verifies" in out


def test_edited_event_is_reported(world: World, chains: list[int]) -> None:
    _exec(
        world.db,
        "UPDATE audit_events SET comment = 'sửa lén' WHERE nomination_id = :n AND seq = 2",
        n=chains[0],
    )
    code, out = _verify()
    assert code == 1
    assert f"nomination {chains[0]}, event seq 2" in out
    assert "edited" in out
    assert f"nomination {chains[1]}" not in out


def test_deleted_event_is_reported(world: World, chains: list[int]) -> None:
    _exec(world.db, "DELETE FROM audit_events WHERE nomination_id = :n AND seq = 2", n=chains[1])
    code, out = _verify()
    assert code == 1
    assert f"nomination {chains[1]}" in out
    assert "deleted" in out


def test_deleted_last_event_is_reported(world: World, chains: list[int]) -> None:
    _exec(world.db, "DELETE FROM audit_events WHERE nomination_id = :n AND seq = 3", n=chains[0])
    code, out = _verify()
    assert code == 1
    assert "deleted" in out
    assert "head is seq 3" in out


def test_inserted_event_is_reported(world: World, chains: list[int]) -> None:
    _exec(
        world.db,
        "INSERT INTO audit_events (nomination_id, seq, trigger, from_state, to_state, "
        "actor_user_id, actor_name, actor_role, at, comment, data, prev_hash, hash) "
        "SELECT nomination_id, 4, 'decide', 'in_appraisal', 'awarded', actor_user_id, "
        "actor_name, actor_role, at, 'giả mạo', data, hash, hash FROM audit_events "
        "WHERE nomination_id = :n AND seq = 3",
        n=chains[0],
    )
    code, out = _verify()
    assert code == 1
    assert "inserted" in out
    assert f"nomination {chains[0]}, event seq 4" in out


def test_changed_state_is_reported(world: World, chains: list[int]) -> None:
    _exec(world.db, "UPDATE nominations SET state = 'awarded' WHERE id = :n", n=chains[1])
    code, out = _verify()
    assert code == 1
    assert "state_mismatch" in out
