"""Submission upward: one package per round and authority, idempotent by batch key."""

from __future__ import annotations

from sqlalchemy import func, select
from tests.integration.test_council import MEMBERS, appraised, session_with, vote
from tests.support.world import NOW, World

from awardflow.db.models import Nomination, Submission, SubmissionItem
from awardflow.services import council as council_svc
from awardflow.services import submissions as svc
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import transition


def approved(world: World, ctx: ServiceContext) -> list[int]:
    ids = [appraised(world, ctx, p, "bang_khen_tinh") for p in ("p-lan", "p-minh")]
    ids.append(appraised(world, ctx, "p-lan", "giay_khen"))
    sid, _ = session_with(world, ctx, present=MEMBERS)
    for nid in ids:
        vote(world, ctx, sid, nid, dict.fromkeys(MEMBERS, "agree"))
    with world.db.write() as s:
        council_svc.close_session(s, ctx, world.actor("secretary"), sid, now=NOW)
    return ids


def test_package_submits_only_awards_beyond_authority(world: World, ctx: ServiceContext) -> None:
    bk1, bk2, gk = approved(world, ctx)
    with world.db.write() as s:
        sub = svc.prepare_submission(
            s, ctx, round_id=world["round"], authority_unit_id=world["snv"], now=NOW
        )
        assert sub is not None
        key = sub.batch_key
        assert [i["nomination_id"] for i in sub.manifest["items"]] == [bk1, bk2]
    with world.db.read() as s:
        states = {n.id: n.state.value for n in s.execute(select(Nomination)).scalars()}
    assert (states[bk1], states[bk2], states[gk]) == ("submitted", "submitted", "council_approved")
    with world.db.write() as s:  # a second run finds nothing new and changes nothing
        assert (
            svc.prepare_submission(
                s, ctx, round_id=world["round"], authority_unit_id=world["snv"], now=NOW
            )
            is None
        )
    with world.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 1
        assert s.scalar(select(func.count()).select_from(SubmissionItem)) == 2
    with world.db.write() as s:
        transition(
            s,
            ctx,
            bk1,
            "confer",
            world.actor("authority"),
            now=NOW,
            data={"decision_number": "88/QĐ-UBND", "decision_date": "2026-12-28"},
        )
        transition(
            s,
            ctx,
            bk2,
            "authority_return",
            world.actor("authority"),
            now=NOW,
            comment="Bổ sung báo cáo thành tích có xác nhận",
        )
    assert key.startswith(f"r{world['round']}-a{world['snv']}-")


def test_a_run_stopped_after_packaging_finishes_on_rerun(world: World, ctx: ServiceContext) -> None:
    bk1, bk2, _ = approved(world, ctx)
    with world.db.write() as s:  # the package exists, the items were never submitted
        key = svc.batch_key(world["round"], world["snv"], [bk1, bk2])
        sub = Submission(round_id=world["round"], authority_unit_id=world["snv"], batch_key=key)
        s.add(sub)
        s.flush()
        for nid in (bk1, bk2):
            s.add(SubmissionItem(submission_id=sub.id, nomination_id=nid))
    with world.db.write() as s:
        svc.prepare_submission(
            s, ctx, round_id=world["round"], authority_unit_id=world["snv"], now=NOW
        )
    with world.db.read() as s:
        assert {s.get(Nomination, n).state.value for n in (bk1, bk2)} == {"submitted"}  # type: ignore[union-attr]
        assert s.scalar(select(func.count()).select_from(Submission)) == 1


def test_director_who_signs_is_named_in_the_audit_log(world: World, ctx: ServiceContext) -> None:
    """Prepared by the director (the pages' and the API's sign-and-submit), each item's
    ``submit`` event names her; prepared by a supervisor, the system submits as the flow does."""
    from awardflow.db.models import AuditEvent
    from awardflow.services import records

    bk1, bk2, _ = approved(world, ctx)
    director = world.actor("director")
    with world.db.write() as s:
        sub = records.prepare(s, ctx, director, world["round"], world["snv"], NOW)
        assert sub is not None
    with world.db.read() as s:
        events = s.execute(
            select(AuditEvent.nomination_id, AuditEvent.actor_name, AuditEvent.actor_role).where(
                AuditEvent.trigger == "submit"
            )
        ).all()
    assert sorted(e.nomination_id for e in events) == sorted([bk1, bk2])
    assert {(e.actor_name, e.actor_role) for e in events} == {(director.name, "director")}
