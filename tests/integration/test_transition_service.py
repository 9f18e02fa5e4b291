"""The transition service end to end on SQLite and PostgreSQL: guards, deadlines, audit chain,
outbox rows, version checks, idempotency, and nothing written on refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests.conftest import AUDIT_KEY
from tests.support.world import (
    CRITERIA,
    DECISION,
    NOW,
    World,
    add_evidence,
    new_draft,
    open_council,
    package,
    tally,
)

from awardflow.db.models import AuditEvent, AwardHistory, Nomination, OutboxMessage
from awardflow.errors import (
    Forbidden,
    InvalidInput,
    MissingInput,
    TransitionRefused,
    UnknownTrigger,
    VersionConflict,
)
from awardflow.services import nominations as noms
from awardflow.services.audit import verify
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import actions_for, transition
from awardflow.states import Actor


def draft(w: World, ctx: ServiceContext, award: str = "giay_khen", person: str = "p-lan") -> int:
    with w.db.write() as s:
        nom_id = new_draft(s, w, ctx, w[person], award=award)
        return nom_id


def fire(
    w: World,
    ctx: ServiceContext,
    nid: int,
    trigger: str,
    who: str | Actor,
    now: datetime = NOW,
    **kw: object,
) -> object:
    actor = who if isinstance(who, Actor) else w.actor(who)
    with w.db.write() as s:
        return transition(s, ctx, nid, trigger, actor, now=now, **kw)  # type: ignore[arg-type]


def row(w: World, nid: int) -> Nomination:
    with w.db.read() as s:
        nom = s.get(Nomination, nid)
        assert nom is not None
        return nom


def to_appraised(w: World, ctx: ServiceContext, nid: int) -> None:
    fire(w, ctx, nid, "propose", "head_a")
    fire(w, ctx, nid, "claim", "appraiser1")
    with w.db.write() as s:
        for code in ("ca_nhan_1", "ca_nhan_2"):
            noms.record_criterion(s, ctx, nid, w.actor("appraiser1"), code, True, "Đạt", now=NOW)
    fire(w, ctx, nid, "recommend", "appraiser1", comment="Đủ điều kiện, đề nghị trình Hội đồng")


def test_full_lifecycle_to_awarded_by_decision(world: World, ctx: ServiceContext) -> None:
    nid = draft(world, ctx)
    to_appraised(world, ctx, nid)
    with world.db.write() as s:
        council = open_council(s, world)
    fire(world, ctx, nid, "schedule_vote", "secretary")
    with world.db.write() as s:
        tally(s, council.id, nid, agree=4, disagree=1)
    fire(world, ctx, nid, "pass_vote", Actor.system())
    result = fire(world, ctx, nid, "decide", "director", data=DECISION)
    nom = row(world, nid)
    assert nom.state.value == "awarded"
    assert nom.decision_number == "123/QĐ-SGDĐT"
    assert nom.due_at is None
    with world.db.read() as s:
        triggers = [
            e.trigger
            for e in s.execute(
                select(AuditEvent).where(AuditEvent.nomination_id == nid).order_by(AuditEvent.seq)
            ).scalars()
        ]
        history = s.execute(
            select(AwardHistory).where(AwardHistory.nomination_id == nid)
        ).scalar_one()
        assert list(verify(s, AUDIT_KEY)) == []
    assert triggers == [
        "create",
        "propose",
        "claim",
        "checklist",
        "checklist",
        "recommend",
        "schedule_vote",
        "pass_vote",
        "decide",
    ]
    assert history.award_code == "giay_khen"
    assert history.year == 2026
    assert result.to_state == "awarded"  # type: ignore[attr-defined]


def test_provincial_award_is_submitted_and_conferred(world: World, ctx: ServiceContext) -> None:
    nid = draft(world, ctx, award="bang_khen_tinh")
    with pytest.raises(TransitionRefused) as err:
        fire(world, ctx, nid, "propose", "head_a")
    assert [r.code for r in err.value.reasons] == ["evidence_missing"]
    assert "Báo cáo thành tích" in err.value.message_vi
    with world.db.write() as s:
        add_evidence(s, nid)
    to_appraised(world, ctx, nid)
    with world.db.write() as s:
        council = open_council(s, world)
    fire(world, ctx, nid, "schedule_vote", "secretary")
    with world.db.write() as s:
        tally(s, council.id, nid, agree=5)
    fire(world, ctx, nid, "pass_vote", Actor.system())
    with pytest.raises(TransitionRefused) as refused:
        fire(world, ctx, nid, "decide", "director", data=DECISION)
    assert refused.value.reasons[0].code == "beyond_authority"
    with world.db.write() as s:
        package(s, world, nid)
    fire(world, ctx, nid, "submit", Actor.system())
    fire(world, ctx, nid, "confer", "authority", data={**DECISION, "decision_number": "9/QĐ-UBND"})
    assert row(world, nid).state.value == "awarded"


def test_return_stops_the_department_clock(world: World, ctx: ServiceContext) -> None:
    nid = draft(world, ctx)
    fire(world, ctx, nid, "propose", "head_a")  # Thu 2026-10-01: 10 working days -> 10-15
    fire(world, ctx, nid, "claim", "appraiser1")
    assert row(world, nid).due_at.date().isoformat() == "2026-10-15"  # type: ignore[union-attr]
    later = NOW + timedelta(days=6)  # Wed 10-07: 4 working days used
    with pytest.raises(TransitionRefused):
        fire(world, ctx, nid, "return_to_unit", "appraiser1", now=later)  # no reason given
    fire(world, ctx, nid, "return_to_unit", "appraiser1", now=later, comment="Thiếu minh chứng")
    returned = row(world, nid)
    assert returned.dept_days_used == 4
    assert returned.due_at.date().isoformat() == "2026-10-14"  # type: ignore[union-attr]
    back = NOW + timedelta(days=13)  # Wed 10-14
    with pytest.raises(TransitionRefused) as err:
        fire(world, ctx, nid, "repropose", "head_a", now=back)
    assert err.value.reasons[0].code == "no_changes"
    with world.db.write() as s:
        old = row(world, nid).achievement
        noms.edit(s, ctx, nid, world.actor("clerk_a"), {"achievement": "Bổ sung số liệu"}, now=back)
    with world.db.read() as s:  # the edit event keeps the old value (the page shows old → new)
        edit_event = s.scalars(
            select(AuditEvent).where(AuditEvent.nomination_id == nid, AuditEvent.trigger == "edit")
        ).one()
        assert edit_event.data == {"changed": ["achievement"], "before": {"achievement": old}}
    fire(world, ctx, nid, "repropose", "head_a", now=back)
    resumed = row(world, nid)
    assert resumed.state.value == "in_appraisal"
    assert resumed.assignee_id == world["appraiser1"]
    # 6 working days left from 10-14 -> 10-22 (the clock resumed, it did not restart)
    assert resumed.due_at.date().isoformat() == "2026-10-22"  # type: ignore[union-attr]


def test_refusals_write_nothing(world: World, ctx: ServiceContext) -> None:
    nid = draft(world, ctx)
    before = row(world, nid)
    for trigger, who, exc in (
        ("claim", "appraiser1", TransitionRefused),  # wrong state
        ("propose", "head_b", Forbidden),  # another unit's head
        ("propose", "clerk_a", Forbidden),  # a clerk may not propose
        ("bogus", "head_a", UnknownTrigger),
    ):
        with pytest.raises(exc):
            fire(world, ctx, nid, trigger, who)
    fire(world, ctx, nid, "propose", "head_a")
    with pytest.raises(MissingInput) if False else pytest.raises(TransitionRefused) as err:
        fire(world, ctx, nid, "assign", "supervisor", data={})
    assert err.value.reasons[0].field == "assignee_id"
    with pytest.raises(TransitionRefused) as conflict:
        fire(world, ctx, nid, "assign", "supervisor", data={"assignee_id": world["appraiser2"]})
    assert conflict.value.reasons[0].code == "appraiser_conflict"
    after = row(world, nid)
    assert after.version == before.version + 1
    assert after.state.value == "proposed"
    with world.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 2
        assert list(verify(s, AUDIT_KEY)) == []


def test_version_conflict_and_idempotency(world: World, ctx: ServiceContext) -> None:
    nid = draft(world, ctx)
    v = row(world, nid).version
    with pytest.raises(VersionConflict) as stale:
        fire(world, ctx, nid, "propose", "head_a", expected_version=v + 5)
    assert stale.value.current_version == v
    first = fire(world, ctx, nid, "propose", "head_a", expected_version=v, idempotency_key="k-1")
    again = fire(world, ctx, nid, "propose", "head_a", expected_version=v, idempotency_key="k-1")
    assert again.replayed
    assert again.version == first.version
    with pytest.raises(InvalidInput):
        fire(world, ctx, nid, "withdraw", "head_a", idempotency_key="k-1", comment="x")
    with world.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 2


def test_outbox_rows_per_transition(world: World, ctx: ServiceContext) -> None:
    nid = draft(world, ctx)
    fire(world, ctx, nid, "propose", "head_a")
    fire(world, ctx, nid, "claim", "appraiser1")
    with world.db.read() as s:
        rows = s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    assert [(r.kind, r.recipient_role, r.recipient_user_id) for r in rows] == [
        ("proposed", "appraiser", None),
        ("proposed", "supervisor", None),
        ("assigned", None, world["appraiser1"]),
    ]
    assert len({r.dedupe_key for r in rows}) == 3


def test_quota_duplicates_eligibility_and_lapse(world: World, ctx: ServiceContext) -> None:
    ids = [draft(world, ctx, "bang_khen_tinh", p) for p in ("p-lan", "p-minh")]
    dup = draft(world, ctx, "bang_khen_tinh", "p-lan")
    for nid in (*ids, dup):
        with world.db.write() as s:
            add_evidence(s, nid)
    for nid in ids:
        fire(world, ctx, nid, "propose", "head_a")
    with pytest.raises(TransitionRefused) as err:
        fire(world, ctx, dup, "propose", "head_a")
    assert {r.code for r in err.value.reasons} == {"quota_exceeded", "duplicate_nomination"}
    # Lapse only after the draft's deadline (proposals close 2026-11-10)
    with pytest.raises(TransitionRefused):
        fire(world, ctx, dup, "lapse", Actor.system())
    fire(world, ctx, dup, "lapse", Actor.system(), now=datetime(2026, 11, 11, tzinfo=UTC))
    assert row(world, dup).state.value == "lapsed"


def test_actions_for_lists_what_the_user_may_do(world: World, ctx: ServiceContext) -> None:
    nid = draft(world, ctx)
    with world.db.read() as s:
        head = {
            v.trigger.value: v.allowed for v in actions_for(s, ctx, nid, world.actor("head_a"), NOW)
        }
        clerk = actions_for(s, ctx, nid, world.actor("clerk_a"), NOW)
    assert head == {"propose": True, "withdraw": True}
    assert clerk == []


def test_eligibility_blocks_propose_until_a_supervisor_overrides(
    world: World, ctx: ServiceContext
) -> None:
    from datetime import date

    from awardflow.db.models import ExclusionRecord

    with world.db.write() as s:
        s.add(
            ExclusionRecord(
                person_id=world["p-minh"],
                kind="discipline",
                start=date(2026, 6, 1),
                level="khiển trách",
            )
        )
    nid = draft(world, ctx, person="p-minh")
    with pytest.raises(TransitionRefused) as err:
        fire(world, ctx, nid, "propose", "head_a")
    assert err.value.reasons[0].code == "not_eligible"
    assert "kỷ luật" in err.value.message_vi.lower()
    with world.db.write() as s, pytest.raises(Forbidden):
        noms.override_eligibility(s, ctx, nid, world.actor("head_a"), "Tự cho phép", now=NOW)
    with world.db.write() as s:
        noms.override_eligibility(
            s,
            ctx,
            nid,
            world.actor("supervisor"),
            "Kỷ luật đã được xóa theo quyết định 45/QĐ",
            now=NOW,
        )
    fire(world, ctx, nid, "propose", "head_a")
    with world.db.read() as s:
        events = [
            e.trigger
            for e in s.execute(
                select(AuditEvent).where(AuditEvent.nomination_id == nid).order_by(AuditEvent.seq)
            ).scalars()
        ]
    assert events == ["create", "override_eligibility", "propose"]


def test_provincial_award_needs_the_chain(world: World, ctx: ServiceContext) -> None:
    """Lò Thị Hoa (thpt-b) has CSTĐ cơ sở 2025–2026; a new teacher without history does not."""
    from awardflow.db.models import Person

    with world.db.write() as s:
        s.add(Person(code="p-new", full_name="Mùa A Dính", unit_id=world["thpt-a"]))
        s.flush()
        world.ids["p-new"] = s.execute(select(Person.id).where(Person.code == "p-new")).scalar_one()
    nid = draft(world, ctx, award="bang_khen_tinh", person="p-new")
    with world.db.write() as s:
        add_evidence(s, nid)
    with pytest.raises(TransitionRefused) as err:
        fire(world, ctx, nid, "propose", "head_a")
    assert err.value.reasons[0].code == "not_eligible"
    assert "Chiến sĩ thi đua cơ sở" in err.value.message_vi


def test_checklist_comes_from_the_version_the_nomination_started_on(
    world: World, ctx: ServiceContext
) -> None:
    from awardflow.db.models import Campaign, CampaignVersion

    nid = draft(world, ctx)
    with world.db.write() as s:  # the campaign is reloaded with one more required criterion
        extra = {"code": "moi", "text": "Tiêu chí mới", "required": True}
        individual = [*CRITERIA["individual"], extra]
        s.add(
            CampaignVersion(
                campaign_id=world["campaign"],
                version=2,
                fingerprint="1" * 64,
                definition={"criteria": {**CRITERIA, "individual": individual}},
            )
        )
        campaign = s.get(Campaign, world["campaign"])
        assert campaign is not None
        campaign.current_version = 2
    to_appraised(world, ctx, nid)  # ticks only version 1's two criteria
    assert row(world, nid).state.value == "appraised"
    newer = draft(world, ctx, person="p-minh")
    fire(world, ctx, newer, "propose", "head_a")
    fire(world, ctx, newer, "claim", "appraiser1")
    with world.db.write() as s:
        for code in ("ca_nhan_1", "ca_nhan_2"):
            noms.record_criterion(s, ctx, newer, world.actor("appraiser1"), code, True, now=NOW)
    with pytest.raises(TransitionRefused) as err:
        fire(world, ctx, newer, "recommend", "appraiser1", comment="Đạt")
    assert err.value.reasons[0].code == "checklist_incomplete"
    assert "moi" in err.value.message_vi
