"""The appraiser page's filter dropdowns, without a browser, on SQLite and PostgreSQL: they offer
the rounds, award forms and units of the campaigns her office appraises — also a round nobody
has proposed to yet — and nothing of a campaign appraised by another office; a chosen value
stays selected; and building them reads no nomination, so their statements are the same few
whether the office holds three dossiers or three hundred."""

from __future__ import annotations

import html as markup
import re
from datetime import date
from typing import Any

from sqlalchemy import event
from tests.support.world import World
from tests.web.test_appraiser_capped import add_nominations, page_of

from awardflow.campaigns.catalogue import AwardLevel
from awardflow.db.models import Award, Campaign, Round, Unit
from awardflow.db.repositories import org as org_repo
from awardflow.db.repositories import web_appraiser as wa
from awardflow.services.context import ServiceContext
from awardflow.states.lifecycle import NominationState as S
from awardflow.web import appraiser_views as av
from awardflow.web.render import RenderState, render_html


def _unit(world: World, code: str, name: str, kind: str, parent: str | None) -> None:
    with world.db.write() as s:
        above = s.get(Unit, world[parent]) if parent else None
        unit = org_repo.add_unit(s, Unit(code=code, name=name, kind=kind), above)
        world.ids[code] = unit.id


def _campaign(world: World, code: str, organiser: str, office: str) -> None:
    """A campaign with one round (``<code>-round``) and one award (``<code>-award``)."""
    with world.db.write() as s:
        campaign = Campaign(
            code=code,
            title=f"Phong trào {code}",
            organiser_unit_id=world[organiser],
            appraising_office_id=world[office],
        )
        s.add(campaign)
        s.flush()
        rnd = Round(
            campaign_id=campaign.id,
            code="2026",
            name=f"Đợt {code}",
            kind="annual",
            opens=date(2026, 2, 1),
        )
        award = Award(
            campaign_id=campaign.id,
            code="giay_khen",
            name=f"Giấy khen {code}",
            level=AwardLevel.GRASSROOTS,
            deciding_authority="organiser",
            nominee_kinds=["individual"],
            round_kinds=["annual"],
            threshold=0.5,
            required_evidence=[],
        )
        s.add_all([rnd, award])
        s.flush()
        world.ids.update({code: campaign.id, f"{code}-round": rnd.id, f"{code}-award": award.id})


def _setup(world: World) -> None:
    """Besides the world's campaign (organised by "so", appraised by "tccb"): a newer round of
    it that nobody has proposed to; a campaign of "so" appraised by another office ("vp"); a
    campaign of another department ("so2", school "thpt-c"). Each other campaign holds a
    proposed, unassigned dossier, the world's campaign one in the old round."""
    with world.db.write() as s:
        rnd = Round(
            campaign_id=world["campaign"],
            code="2027",
            name="Năm học 2026–2027",
            kind="annual",
            opens=date(2027, 1, 4),
        )
        s.add(rnd)
        s.flush()
        world.ids["new-round"] = rnd.id
    _unit(world, "vp", "Văn phòng Sở", "office", "so")
    _unit(world, "so2", "Sở Y tế", "department", None)
    _unit(world, "tccb2", "Phòng Tổ chức Sở Y tế", "office", "so2")
    _unit(world, "thpt-c", "Bệnh viện Đa khoa tỉnh", "hospital", "so2")
    _campaign(world, "vp-campaign", "so", "vp")
    _campaign(world, "so2-campaign", "so2", "tccb2")
    add_nominations(world, 1, S.PROPOSED)
    for code, unit in (("vp-campaign", "thpt-b"), ("so2-campaign", "thpt-c")):
        add_nominations(
            world,
            1,
            S.PROPOSED,
            campaign_id=world[code],
            round_id=world[f"{code}-round"],
            award_id=world[f"{code}-award"],
            unit_id=world[unit],
        )


def _options(text: str, name: str) -> tuple[list[str], str | None]:
    """The option labels of one filter select and the value of the selected one."""
    found = re.search(rf'<select id="f-{name}" name="{name}"[^>]*>(.*?)</select>', text, re.S)
    assert found, name
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', found.group(1))
    chosen = [value for value, selected, _ in options if selected]
    return [markup.unescape(label) for _, _, label in options], chosen[0] if chosen else None


def _page_html(view: av.AppraiserPage) -> str:
    """The whole page as the route renders it for a user-less layout (the header is not
    under test)."""
    layout = {"lang": "vi", "htmx_path": "", "user": None, "areas": [], "flashes": []}
    return render_html("appraiser/queue.html", {"view": view, **layout}, RenderState(lang="vi"))


def test_dropdowns_offer_the_office_campaigns_rounds_awards_and_units(
    world: World, ctx: ServiceContext
) -> None:
    _setup(world)
    view = page_of(world, ctx)
    # newest first, also the round with no dossier yet; never the other offices' campaigns
    assert [r.id for r in view.rounds] == [world["new-round"], world["round"]]
    assert [a.id for a in view.awards] == [world["giay_khen"], world["bang_khen_tinh"]]
    # the units of the organiser's subtree, by name: not the other department's
    assert [u.code for u in view.units] == ["tccb", "so", "thpt-a", "thpt-b", "vp"]

    text = _page_html(view)
    rounds, chosen = _options(text, "round")
    assert rounds == ["Tất cả", "Năm học 2026–2027", "Năm học 2025–2026"] and chosen is None
    awards, _ = _options(text, "award")
    assert awards == ["Tất cả", "Giấy khen của Giám đốc Sở", "Bằng khen của Chủ tịch UBND tỉnh"]
    units, _ = _options(text, "unit")
    assert "Sở Y tế" not in units and "Bệnh viện Đa khoa tỉnh" not in units
    assert "Trường THPT Mường Nhé" in units

    # a chosen value narrows the lists as before and stays selected; the options stay the same
    narrowed = page_of(world, ctx, round=world["new-round"], unit=world["thpt-b"])
    assert narrowed.queue == [] and narrowed.queue_pager.total == 0
    assert [r.id for r in narrowed.rounds] == [r.id for r in view.rounds]
    text = _page_html(narrowed)
    assert _options(text, "round")[1] == str(world["new-round"])
    assert _options(text, "unit")[1] == str(world["thpt-b"])
    assert _options(text, "award")[1] is None
    old = page_of(world, ctx, round=world["round"], award=world["giay_khen"])
    assert [r.row.round_id for r in old.queue] == [world["round"]]
    assert _options(_page_html(old), "award")[1] == str(world["giay_khen"])


def test_a_supervisor_of_the_department_is_offered_every_campaign_it_organises(
    world: World,
) -> None:
    """``campaign_filter(with_office=True)`` also covers organiser-side grants (their dossiers
    are in the queue too): the supervisor of "so" sees both of its campaigns, not "so2"'s."""
    _setup(world)
    with world.db.read() as s:
        campaigns = av.campaigns_filter(world.actor("supervisor"))
        rounds = [r.id for r in wa.rounds_of_campaigns(s, campaigns)]
        awards = {a.campaign_id for a in wa.awards_of_campaigns(s, campaigns)}
    assert rounds == [world["new-round"], world["vp-campaign-round"], world["round"]]
    assert awards == {world["campaign"], world["vp-campaign"]}


def test_the_dropdowns_read_no_nomination_and_do_not_grow_with_them(
    world: World, ctx: ServiceContext
) -> None:
    _setup(world)
    actor = world.actor("appraiser1")
    sent: list[str] = []

    def grab(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    def dropdowns() -> tuple[list[int], list[int], list[int]]:
        campaigns = av.campaigns_filter(actor)
        sent.clear()
        with world.db.read() as s:
            event.listen(world.db.engine, "before_cursor_execute", grab)
            try:
                return (
                    [r.id for r in wa.rounds_of_campaigns(s, campaigns)],
                    [u.id for u in wa.units_of_campaigns(s, campaigns)],
                    [a.id for a in wa.awards_of_campaigns(s, campaigns)],
                )
            finally:
                event.remove(world.db.engine, "before_cursor_execute", grab)

    few = dropdowns()
    few_sent = [s for s in sent if s.lstrip().upper().startswith("SELECT")]
    assert len(few_sent) == 3, few_sent
    assert not any(re.search(r"\bnominations\b", s) for s in few_sent), few_sent
    add_nominations(world, 150, S.PROPOSED)
    add_nominations(world, 150, S.IN_APPRAISAL, "appraiser1", unit_id=world["thpt-b"])
    many = dropdowns()
    many_sent = [s for s in sent if s.lstrip().upper().startswith("SELECT")]
    assert many == few and many_sent == few_sent
    # and they are what the page shows
    view = page_of(world, ctx)
    assert (
        [r.id for r in view.rounds],
        [u.id for u in view.units],
        [a.id for a in view.awards],
    ) == (few)
