"""Creating a draft: what the unit gets, and each wrong input refused by field with nothing
stored (the draft's context is read in one statement, so every look-up is checked here)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from tests.support.world import NOW, World

from awardflow.db.models import AuditEvent, Campaign, Nomination, Round
from awardflow.errors import Forbidden, InvalidInput
from awardflow.services import audit, nominations
from awardflow.services.context import ServiceContext
from awardflow.states.lifecycle import NominationState as S


def _draft(w: World, ctx: ServiceContext, **overrides: Any) -> Nomination:
    kw: dict[str, Any] = {
        "round_id": w["round"],
        "award_id": w["giay_khen"],
        "unit_id": w["thpt-a"],
        "nominee_kind": "individual",
        "person_id": w["p-lan"],
        "achievement": "  Dẫn dắt chuyển đổi số  ",
        "now": NOW,
    }
    kw.update(overrides)
    actor = kw.pop("actor", w.actor("clerk_a"))
    with w.db.write() as s:
        return nominations.create_draft(s, ctx, actor, **kw)


def _counts(w: World) -> tuple[int, int]:
    with w.db.read() as s:
        noms = s.execute(select(func.count()).select_from(Nomination)).scalar_one()
        events = s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    return int(noms), int(events)


def test_a_draft_of_a_person_carries_the_round_award_and_campaign_version(
    world: World, ctx: ServiceContext
) -> None:
    nom = _draft(world, ctx)
    with world.db.read() as s:
        stored = s.get(Nomination, nom.id)
        assert stored is not None
        rnd = s.get(Round, world["round"])
        campaign = s.get(Campaign, stored.campaign_id)
        assert rnd is not None and campaign is not None
        assert stored.state is S.DRAFT
        assert stored.nominee_name == "Nguyễn Thị Lan"
        assert stored.achievement == "Dẫn dắt chuyển đổi số"
        assert stored.campaign_id == rnd.campaign_id
        assert stored.campaign_version == campaign.current_version
        assert stored.award_id == world["giay_khen"] and stored.unit_id == world["thpt-a"]
        assert stored.due_at is not None and stored.due_at.date() <= rnd.proposals_close
        events = s.execute(select(AuditEvent).where(AuditEvent.nomination_id == nom.id)).scalars()
        (create,) = list(events)
        assert (create.trigger, create.seq, create.to_state) == ("create", 1, "draft")
        assert create.data == {"award": "giay_khen", "round": rnd.code}
        assert stored.audit_seq == 1 and stored.audit_head == create.hash
        assert list(audit.verify(s, ctx.audit_key)) == []


def test_a_draft_of_a_collective_takes_the_units_name(world: World, ctx: ServiceContext) -> None:
    nom = _draft(
        world,
        ctx,
        nominee_kind="collective",
        person_id=None,
        nominee_unit_id=world["thpt-a"],
        award_id=world["giay_khen"],
    )
    assert nom.nominee_name == "Trường THPT Chuyên Lê Quý Đôn"
    assert nom.person_id is None and nom.nominee_unit_id == world["thpt-a"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"round_id": 987_654}, "round_id"),
        ({"award_id": 987_654}, "award_id"),
        ({"unit_id": 987_654}, "unit_id"),
        ({"nominee_kind": "team"}, "nominee_kind"),
        ({"person_id": None}, "person_id"),
        ({"person_id": 987_654}, "person_id"),
        ({"person_id": "p-hoa"}, "person_id"),  # a teacher of another school
        ({"nominee_kind": "collective", "person_id": None}, "nominee_unit_id"),
        ({"nominee_kind": "collective", "nominee_unit_id": 987_654}, "nominee_unit_id"),
        ({"nominee_kind": "collective", "nominee_unit_id": "thpt-b"}, "nominee_unit_id"),
    ],
)
def test_each_wrong_input_is_refused_by_field_and_nothing_is_stored(
    world: World, ctx: ServiceContext, overrides: dict[str, Any], field: str
) -> None:
    resolved = {k: world[v] if isinstance(v, str) and k.endswith("_id") else v
                for k, v in overrides.items()}  # fmt: skip
    before = _counts(world)
    with pytest.raises(InvalidInput) as refused:
        _draft(world, ctx, **resolved)
    assert refused.value.field == field
    assert refused.value.message_vi and refused.value.message_en
    assert _counts(world) == before


def test_an_award_of_another_campaign_is_refused(world: World, ctx: ServiceContext) -> None:
    with world.db.write() as s:
        other = Campaign(
            code="khac",
            title="Phong trào khác",
            organiser_level="department",
            stuck_after_days=5,
            organiser_unit_id=world["so"],
            appraising_office_id=world["tccb"],
        )
        s.add(other)
        s.flush()
        s.execute(
            Round.__table__.update().where(Round.id == world["round"]).values(campaign_id=other.id)
        )
    before = _counts(world)
    with pytest.raises(InvalidInput) as refused:
        _draft(world, ctx)
    assert refused.value.field == "award_id"
    assert _counts(world) == before


def test_another_units_clerk_may_not_create_a_draft_for_this_unit(
    world: World, ctx: ServiceContext
) -> None:
    before = _counts(world)
    with pytest.raises(Forbidden):
        _draft(world, ctx, actor=world.actor("head_b"))
    assert _counts(world) == before
