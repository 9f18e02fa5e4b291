"""The queue pages (``GET /api/queue``, ``GET /api/queue/office``): due first, the total counted
up to a cap (``total_capped`` says there are more), and the page's JSON built from plain rows
exactly as ``NominationOut`` would build it, matching the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import jsonschema
import pytest
from sqlalchemy import select
from tests.api.conftest import make_client
from tests.api.helpers import ok
from tests.api.testclient import TestClient
from tests.support.world import NOW, World, add_nominations

from awardflow.api.auth import issue
from awardflow.api.schemas.common import Page
from awardflow.api.schemas.nominations import NominationOut, nomination_dict
from awardflow.db.models import Nomination
from awardflow.db.repositories.api_queries import QUEUE_COLUMNS
from awardflow.services import queries
from awardflow.services.evidence import MemoryFileStore
from awardflow.settings import Settings
from awardflow.states.lifecycle import NominationState as S

DAY = timedelta(days=1)


def office(world: World, cap: int, offset: int = 0, limit: int = 2) -> queries.QueuePage:
    with world.db.read() as s:
        return queries.office_queue(s, world.actor("appraiser1"), limit, offset, cap)


def mine(world: World, user: str, cap: int, offset: int = 0) -> queries.QueuePage:
    with world.db.read() as s:
        return queries.my_queue(s, world.actor(user), 2, offset, cap)


def test_the_total_is_exact_up_to_the_cap_then_capped(world: World) -> None:
    unassigned = add_nominations(world, 5, S.PROPOSED)
    add_nominations(world, 1, S.PROPOSED, "appraiser2")  # claimed: in nobody's office queue
    tasks = add_nominations(world, 4, S.IN_APPRAISAL, "appraiser1")
    add_nominations(world, 3, S.IN_APPRAISAL, "appraiser2")

    more = office(world, cap=3)
    assert (more.total, more.capped) == (3, True)
    assert [r["id"] for r in more.rows] == unassigned[:2]  # the page is unaffected by the cap
    for cap in (5, 6, 1000):  # exactly the cap is not "more than" it
        page = office(world, cap=cap)
        assert (page.total, page.capped) == (5, False), cap

    assert (mine(world, "appraiser1", cap=3).total, mine(world, "appraiser1", cap=3).capped) == (
        3,
        True,
    )
    exact = mine(world, "appraiser1", cap=4)
    assert (exact.total, exact.capped) == (4, False)
    assert [r["id"] for r in exact.rows] == tasks[:2]
    assert mine(world, "appraiser2", cap=2).capped and mine(world, "appraiser2", cap=3).total == 3
    empty = mine(world, "head_b", cap=3)
    assert (empty.rows, empty.total, empty.capped) == ([], 0, False)


def test_a_page_past_the_end_still_counts(world: World) -> None:
    unassigned = add_nominations(world, 5, S.PROPOSED)
    last = office(world, cap=1000, offset=4)
    assert [r["id"] for r in last.rows] == unassigned[4:]
    assert (last.total, last.capped) == (5, False)
    for cap, expected in ((1000, (5, False)), (3, (3, True))):
        past = office(world, cap=cap, offset=7)
        assert (past.rows, past.total, past.capped) == ([], *expected)


def test_due_first_then_by_id_undated_last(world: World) -> None:
    later = add_nominations(world, 2, S.PROPOSED, due_at=NOW + 9 * DAY)
    undated = add_nominations(world, 1, S.PROPOSED, due_at=None)
    sooner = add_nominations(world, 2, S.PROPOSED, due_at=NOW + 2 * DAY)
    pages = [office(world, cap=1000, offset=o, limit=2).rows for o in (0, 2, 4)]
    assert [r["id"] for rows in pages for r in rows] == sooner + later + undated


def test_page_rows_are_what_the_response_model_gives(world: World) -> None:
    """``nomination_dict`` (no ORM object, no validation) equals ``NominationOut.of`` for rows
    with every kind of value: JSON fields, checklist, dates, nulls, overdue or not."""
    ids = add_nominations(world, 1, S.IN_APPRAISAL, "appraiser1", due_at=NOW - DAY, stuck=True)
    ids += add_nominations(
        world,
        1,
        S.AWARDED,
        due_at=None,
        fields={"chức_vụ": "Giáo viên", "năm": [2025, 2026]},
        checklist={"ca_nhan_1": {"met": True, "note": "Đủ"}},
        opinion="Đề nghị khen",
        decision_number="123/QĐ-SGDĐT",
        decision_date=date(2026, 12, 20),
        escalation_level=2,
        eligibility_override="Đặc cách",
    )
    ids += add_nominations(world, 1, S.PROPOSED, nominee_kind="collective", person_id=None)
    with world.db.read() as s:
        for nid in ids:
            row = s.execute(select(*QUEUE_COLUMNS).where(Nomination.id == nid)).mappings().one()
            expected = NominationOut.of(s.get_one(Nomination, nid), NOW).model_dump()
            assert nomination_dict(row, NOW) == expected


# --- over HTTP --------------------------------------------------------------------------------


@pytest.fixture
def world_client(
    world: World, api_settings: Settings, store: MemoryFileStore, clock: list[datetime]
) -> Iterator[TestClient]:
    """The API over ``world`` on each database in turn (on PostgreSQL the queue routes read
    outside a transaction, a path of their own)."""
    with make_client(world, api_settings, store, clock) as c:
        yield c


def check_page(body: dict[str, Any], document: dict[str, Any]) -> None:
    """``body`` matches ``Page[NominationOut]`` as the OpenAPI document publishes it, and is
    exactly what the model renders (its fields, nothing else, the same values)."""
    schema = {"$ref": "#/components/schemas/Page_NominationOut_", **document}
    jsonschema.Draft202012Validator(schema).validate(body)
    assert Page[NominationOut].model_validate(body).model_dump(mode="json") == body


def test_queues_cap_their_total_at_1000(
    world_client: TestClient, world: World, api_settings: Settings
) -> None:
    unassigned = add_nominations(world, 1001, S.PROPOSED)
    tasks = add_nominations(world, 3, S.IN_APPRAISAL, "appraiser1")

    def get(path: str, user: str = "appraiser1", **params: int) -> Any:
        token = issue(api_settings.api, world[user], "access")
        headers = {"Authorization": f"Bearer {token}"}
        return ok(world_client.get(path, params=params, headers=headers))

    document = ok(world_client.get("/openapi.json"))
    capped = get("/api/queue/office", limit=20)
    check_page(capped, document)
    assert (capped["total"], capped["total_capped"]) == (1000, True)
    assert [n["id"] for n in capped["items"]] == unassigned[:20]
    assert capped["items"][0]["state"] == "proposed" and not capped["items"][0]["overdue"]
    last = get("/api/queue/office", limit=5, offset=1000)
    assert [n["id"] for n in last["items"]] == unassigned[1000:]
    assert (last["total"], last["total_capped"], last["offset"]) == (1000, True, 1000)
    past = get("/api/queue/office", offset=1005)
    assert (past["items"], past["total"], past["total_capped"]) == ([], 1000, True)

    exact = get("/api/queue")
    check_page(exact, document)
    assert [n["id"] for n in exact["items"]] == tasks
    assert (exact["total"], exact["total_capped"], exact["limit"]) == (3, False, 50)
    assert exact["items"][0]["assignee_id"] == world["appraiser1"]

    none = get("/api/queue", "appraiser2")
    check_page(none, document)
    assert (none["items"], none["total"], none["total_capped"]) == ([], 0, False)


def test_the_document_describes_the_capped_total(client: TestClient) -> None:
    document = ok(client.get("/openapi.json"))
    page = document["components"]["schemas"]["Page_NominationOut_"]
    assert page["properties"]["total_capped"]["type"] == "boolean"
    assert page["properties"]["total_capped"]["default"] is False
    for path in ("/api/queue", "/api/queue/office"):
        ok_response = document["paths"][path]["get"]["responses"]["200"]
        schema = ok_response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Page_NominationOut_"}, path
