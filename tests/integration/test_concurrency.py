"""Eight workers firing conflicting triggers at the same nominations: exactly one wins each race,
the rest get the conflict error, no lost update, every chain verifies (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select
from tests.conftest import AUDIT_KEY
from tests.support.world import NOW, World, new_draft, new_person

from awardflow.db.models import AuditEvent, Nomination
from awardflow.errors import Conflict
from awardflow.services.audit import verify
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import transition
from awardflow.states import Actor

WORKERS = 8
NOMINATIONS = 6


def test_conflicting_triggers_one_winner_each(world: World, ctx: ServiceContext) -> None:
    ids = []
    for i in range(NOMINATIONS):
        with world.db.write() as s:
            nom_id = new_draft(s, world, ctx, new_person(s, world, f"gv-{i}"))
            ids.append(nom_id)
    with world.db.write() as s:
        for nid in ids:
            # proposed; then everybody races: half claim, half withdraw, all with one version
            transition(s, ctx, nid, "propose", world.actor("head_a"), now=NOW)
    with world.db.read() as s:
        version = s.get(Nomination, ids[0]).version  # type: ignore[union-attr]
    head, appraiser = world.actor("head_a"), world.actor("appraiser1")
    barrier = threading.Barrier(WORKERS)
    outcomes: Counter[str] = Counter()
    winners: dict[int, list[str]] = {nid: [] for nid in ids}
    lock = threading.Lock()

    def work(i: int) -> None:
        barrier.wait()
        for nid in ids:
            trigger, actor = ("claim", appraiser) if i % 2 else ("withdraw", head)
            try:
                with world.db.write() as s:
                    transition(
                        s,
                        ctx,
                        nid,
                        trigger,
                        actor,
                        expected_version=version,
                        comment="Rút hồ sơ",
                        now=NOW,
                    )
                with lock:
                    outcomes["won"] += 1
                    winners[nid].append(trigger)
            except Conflict:
                with lock:
                    outcomes["conflict"] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert outcomes == {"won": NOMINATIONS, "conflict": NOMINATIONS * (WORKERS - 1)}
    with world.db.read() as s:
        for nid in ids:
            nom = s.get(Nomination, nid)
            assert nom is not None
            assert nom.version == version + 1
            expected = {"claim": "in_appraisal", "withdraw": "withdrawn"}[winners[nid][0]]
            assert len(winners[nid]) == 1
            assert nom.state.value == expected
        events = s.scalar(select(func.count()).select_from(AuditEvent))
        assert events == NOMINATIONS * 3  # create, propose, and the one winner
        assert list(verify(s, AUDIT_KEY)) == []


def test_racing_without_expected_version_serialises(world: World, ctx: ServiceContext) -> None:
    """Without If-Match, the row lock serialises: one claim wins, the rest see a refused state."""
    with world.db.write() as s:
        nom_id = new_draft(s, world, ctx, world["p-lan"])
        transition(s, ctx, nom_id, "propose", world.actor("head_a"), now=NOW)
        nid = nom_id
    results: list[str] = []
    barrier = threading.Barrier(WORKERS)

    def work() -> None:
        barrier.wait()
        try:
            with world.db.write() as s:
                transition(
                    s,
                    ctx,
                    nid,
                    "assign",
                    Actor.system(),
                    data={"assignee_id": world["appraiser1"]},
                    now=NOW,
                )
            results.append("won")
        except Conflict as err:
            results.append(err.code)

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(results) == ["transition_refused"] * (WORKERS - 1) + ["won"]
