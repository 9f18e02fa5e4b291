"""Balanced auto-assignment: least open work first, round-robin ties, never a conflict."""

from __future__ import annotations

from collections import Counter

from tests.support.world import NOW, World, new_draft, new_person

from awardflow.db.models import AppraiserConflict
from awardflow.services import assignment as svc
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import transition


def proposed(w: World, ctx: ServiceContext, unit: str, head: str, clerk: str, n: int) -> list[int]:
    ids = []
    for i in range(n):
        with w.db.write() as s:
            pid = new_person(s, w, f"as-{unit}-{i}", unit)
            nid = new_draft(s, w, ctx, pid, unit=unit, clerk=clerk)
            transition(s, ctx, nid, "propose", w.actor(head), now=NOW)
            ids.append(nid)
    return ids


def test_balanced_without_conflicts(world: World, ctx: ServiceContext) -> None:
    from awardflow.db.models import RoleGrant, User
    from awardflow.states import Role

    with world.db.write() as s:  # a clerk for thpt-b
        u = User(username="clerk_b", full_name="Lò Văn Chiến")
        s.add(u)
        s.flush()
        s.add(RoleGrant(user_id=u.id, role=Role.UNIT_CLERK, unit_id=world["thpt-b"]))
        world.ids["clerk_b"] = u.id
    own_school = proposed(world, ctx, "thpt-a", "head_a", "clerk_a", 3)
    other = proposed(world, ctx, "thpt-b", "head_b", "clerk_b", 5)
    with world.db.write() as s:
        report = svc.assign_proposed(s, ctx, now=NOW)
    assert report.unassignable == {}
    # appraiser2 teaches at thpt-a: none of its dossiers go to her
    assert {report.assigned[n] for n in own_school} == {world["appraiser1"]}
    load = Counter(report.assigned.values())
    assert load == {world["appraiser1"]: 4, world["appraiser2"]: 4}
    assert all(report.assigned[n] == world["appraiser2"] for n in other[:3])


def test_declared_conflict_and_no_candidate(world: World, ctx: ServiceContext) -> None:
    (nid,) = proposed(world, ctx, "thpt-a", "head_a", "clerk_a", 1)
    with world.db.write() as s:
        from awardflow.db.models import Nomination

        nom = s.get(Nomination, nid)
        assert nom is not None
        s.add(
            AppraiserConflict(
                user_id=world["appraiser1"],
                person_id=nom.person_id,
                reason="người thân của đối tượng",
            )
        )
    with world.db.write() as s:
        report = svc.assign_proposed(s, ctx, now=NOW)
    assert report.assigned == {}
    assert "người thân" in report.unassignable[nid]
    with world.db.write() as s:  # nothing changed: still waiting for a person to assign
        assert svc.assign_proposed(s, ctx, now=NOW).assigned == {}
