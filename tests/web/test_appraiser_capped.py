"""The appraiser's page past the queue cap, without a browser, on SQLite and PostgreSQL: like the
API's queues, each list counts at most 1,000 dossiers; past that the heading and the pager say
"hơn 1.000" / "more than 1,000" and the next link still leads on, page after page, due first.
Below the cap the total is exact. The lists are rendered from the page's own template."""

from __future__ import annotations

import html as markup
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from tests.support.world import NOW, World
from tests.support.world import add_nominations as world_add

from awardflow.db.repositories import api_queries as q
from awardflow.services.context import ServiceContext
from awardflow.services.queries import office_filter
from awardflow.states.lifecycle import NominationState as S
from awardflow.web import appraiser_views as av
from awardflow.web.render import RenderState, render_html

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
CAP = 1000


def add_nominations(
    world: World, count: int, state: S, assignee: str | None = None, **values: Any
) -> list[int]:
    """As ``tests.support.world.add_nominations``, the first due ten days after NOW and the next
    an hour apart."""
    return world_add(world, count, state, assignee, first_due=NOW + 10 * DAY, every=HOUR, **values)


def page_of(world: World, ctx: ServiceContext, **params: int) -> av.AppraiserPage:
    """The page's data for appraiser1 with this query string (round, unit, award, page, qpage)."""
    filters = av.Filters.parse({k: str(v) for k, v in params.items()})
    with world.db.read() as s:
        return av.build(s, ctx, world.actor("appraiser1"), filters, NOW)


def html(view: av.AppraiserPage, lang: str = "vi") -> str:
    return render_html("appraiser/_lists.html", {"view": view}, RenderState(lang=lang))


def section(text: str, title_id: str) -> str:
    """One list's section of the rendered lists (``tasks-title`` or ``queue-title``)."""
    start = text.index(f'id="{title_id}"')
    end = text.find("</section>", start)
    return text[start:end]


def heading(part: str) -> str:
    text = re.sub(r"<[^>]+>", "", part.split("</h2>", 1)[0].split(">", 1)[1])
    return markup.unescape(text).strip()


def pager(part: str) -> tuple[str | None, str, str | None]:
    """(previous link, position text, next link) of a section's pager."""
    found = re.search(r'<nav class="pagination".*?</nav>', part, re.S)
    assert found, "no pager"
    nav = found.group(0)
    prev = re.search(r'rel="prev" href="([^"]+)"', nav)
    nxt = re.search(r'rel="next" href="([^"]+)"', nav)
    info = re.search(r'class="page-info">([^<]*)<', nav)
    assert info
    return (
        prev.group(1).replace("&amp;", "&") if prev else None,
        info.group(1),
        nxt.group(1).replace("&amp;", "&") if nxt else None,
    )


def shown(part: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-nomination="(\d+)"', part)]


def test_past_the_cap_the_queue_says_more_than_1000_and_pages_on_due_first(
    world: World, ctx: ServiceContext
) -> None:
    queued = add_nominations(world, CAP + 5, S.PROPOSED)
    add_nominations(world, 2, S.PROPOSED, "appraiser2")  # claimed: in nobody's queue
    tasks = add_nominations(world, 3, S.IN_APPRAISAL, "appraiser1")

    first = page_of(world, ctx)
    assert [r.row.id for r in first.queue] == queued[: av.PAGE_SIZE]
    text = html(first)
    queue, mine = section(text, "queue-title"), section(text, "tasks-title")
    assert heading(queue) == "Hồ sơ chờ nhận của phòng (hơn 1.000)"
    assert pager(queue) == (None, "1–20 / hơn 1.000", "/appraiser?qpage=2")
    assert shown(queue) == queued[:20]
    # below the cap the total is exact, and one page has no pager
    assert heading(mine) == "Việc của tôi (3)"
    assert shown(mine) == tasks and "pagination" not in mine
    english = section(html(first, "en"), "queue-title")
    assert heading(english) == "The office's unassigned dossiers (more than 1,000)"
    assert pager(english)[1] == "1–20 / more than 1,000"

    second = page_of(world, ctx, qpage=2)
    queue = section(html(second), "queue-title")
    assert shown(queue) == queued[20:40]
    assert pager(queue) == ("/appraiser?", "21–40 / hơn 1.000", "/appraiser?qpage=3")
    # the last full page under the cap still leads on, past the cap …
    at_cap = section(html(page_of(world, ctx, qpage=50)), "queue-title")
    assert shown(at_cap) == queued[980:1000]
    assert pager(at_cap)[1:] == ("981–1.000 / hơn 1.000", "/appraiser?qpage=51")
    # … to the last page, which has no next link
    last = section(html(page_of(world, ctx, qpage=51)), "queue-title")
    assert shown(last) == queued[1000:]
    assert pager(last) == ("/appraiser?qpage=50", "1.001–1.005 / hơn 1.000", None)
    # a page past the end is empty but still knows the (capped) total
    past = page_of(world, ctx, qpage=60)
    assert past.queue == [] and (past.queue_pager.total, past.queue_pager.capped) == (CAP, True)
    assert heading(section(html(past), "queue-title")).endswith("(hơn 1.000)")


def test_filters_narrow_the_capped_lists_and_exactly_1000_is_exact(
    world: World, ctx: ServiceContext
) -> None:
    add_nominations(world, CAP - 4, S.PROPOSED)
    other = add_nominations(world, 3, S.PROPOSED, award_id=world["bang_khen_tinh"])
    at_b = add_nominations(world, 4, S.PROPOSED, unit_id=world["thpt-b"], due_at=NOW)
    tasks = add_nominations(world, 25, S.IN_APPRAISAL, "appraiser1")

    everything = page_of(world, ctx)  # 1,003 waiting: more than the cap
    assert (everything.queue_pager.total, everything.queue_pager.capped) == (CAP, True)
    assert [r.row.id for r in everything.queue][:4] == at_b  # due first
    # the award's filter leaves exactly 1,000 (996 + the 4 at thpt-b): not "more than"
    award = page_of(world, ctx, award=world["giay_khen"])
    assert (award.queue_pager.total, award.queue_pager.capped) == (CAP, False)
    text = section(html(award), "queue-title")
    assert heading(text) == "Hồ sơ chờ nhận của phòng (1.000)"
    assert pager(text) == (None, "1–20 / 1.000", f"/appraiser?award={world['giay_khen']}&qpage=2")
    last = page_of(world, ctx, award=world["giay_khen"], qpage=50)
    assert pager(section(html(last), "queue-title"))[1:] == ("981–1.000 / 1.000", None)
    narrowed = page_of(world, ctx, award=world["bang_khen_tinh"])
    assert [r.row.id for r in narrowed.queue] == other
    assert (narrowed.queue_pager.total, narrowed.queue_pager.capped) == (3, False)
    unit_b = page_of(world, ctx, unit=world["thpt-b"], round=world["round"])
    assert [r.row.id for r in unit_b.queue] == at_b and unit_b.queue_pager.total == 4
    assert unit_b.tasks == [] and unit_b.tasks_pager.total == 0
    # my tasks: 25, exact, two pages
    mine = section(html(page_of(world, ctx, page=2)), "tasks-title")
    assert heading(mine) == "Việc của tôi (25)"
    assert shown(mine) == tasks[20:]
    assert pager(mine) == ("/appraiser?", "21–25 / 25", None)


def test_each_list_is_one_statement_page_and_capped_total(
    world: World, ctx: ServiceContext
) -> None:
    """What the page's two lists send: one SELECT each (the rows and the total from one
    snapshot); only a page past the end counts with a second one."""
    queued = add_nominations(world, CAP + 1, S.PROPOSED)
    sent: list[str] = []

    def grab(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append(statement)

    actor = world.actor("appraiser1")
    with world.db.read() as s:
        event.listen(world.db.engine, "before_cursor_execute", grab)
        try:
            for filters, expected in (
                (av.Filters(), 1),
                (av.Filters(round_id=world["round"], unit_id=world["thpt-a"], qpage=3), 1),
                (av.Filters(qpage=99), 2),
            ):
                sent.clear()
                found = q.capped_nominations(
                    s, office_filter(actor), filters.query(filters.qpage), CAP
                )
                assert len(sent) == expected, sent
                assert (found.total, found.capped) == (CAP, True)
                start = (filters.qpage - 1) * av.PAGE_SIZE
                assert [n.id for n in found.rows] == queued[start : start + av.PAGE_SIZE]
                assert found.more is (start + av.PAGE_SIZE < len(queued))
        finally:
            event.remove(world.db.engine, "before_cursor_execute", grab)
