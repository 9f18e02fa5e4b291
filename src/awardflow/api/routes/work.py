"""Queues, the supervisor's dashboard and bulk actions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic_core import to_json

from awardflow.api.auth import Me
from awardflow.api.deps import Limit, Offset, Services, Svc
from awardflow.api.schemas.common import ERRORS, Page
from awardflow.api.schemas.misc import BulkIn, BulkItemOut, BulkOut
from awardflow.api.schemas.nominations import NominationOut, nomination_dict
from awardflow.db.models import Nomination
from awardflow.services import queries, supervision

router = APIRouter(prefix="/api", tags=["work"], responses=ERRORS)
JSON = "application/json"


def _page(
    svc: Services, rows: Sequence[Nomination], total: int, limit: int, offset: int
) -> Page[NominationOut]:
    now = svc.now()
    return Page[NominationOut](
        items=[NominationOut.of(n, now) for n in rows], total=total, limit=limit, offset=offset
    )


def queue_json(page: queries.QueuePage, now: datetime, limit: int, offset: int) -> bytes:
    """A queue page as ``Page[NominationOut]`` JSON, serialized once from plain rows: no ORM
    objects, no models validated per row, and no second validation of the return value by
    FastAPI (the route returns the bytes; its ``response_model`` documents them)."""
    body = {
        "items": [nomination_dict(r, now) for r in page.rows],
        "total": page.total,
        "limit": limit,
        "offset": offset,
        "total_capped": page.capped,
    }
    return to_json(body)


@router.get("/queue", response_model=Page[NominationOut])
def my_queue(svc: Svc, actor: Me, limit: Limit = 50, offset: Offset = 0) -> Response:
    """My tasks, due first (appraiser: assigned in appraisal; unit: draft and returned;
    secretary: appraised; director: council-approved; authority: submitted to it). `total`
    counts up to 1,000: past that it is 1,000 and `total_capped` is true."""
    with svc.db.read_one_statement() as s:
        page = queries.my_queue(s, actor, limit, offset)
    return Response(queue_json(page, svc.now(), limit, offset), media_type=JSON)


@router.get("/queue/office", response_model=Page[NominationOut])
def office_queue(svc: Svc, actor: Me, limit: Limit = 50, offset: Offset = 0) -> Response:
    """Proposed dossiers nobody has claimed yet, due first. `total` counts up to 1,000: past
    that it is 1,000 and `total_capped` is true."""
    with svc.db.read_one_statement() as s:
        page = queries.office_queue(s, actor, limit, offset)
    return Response(queue_json(page, svc.now(), limit, offset), media_type=JSON)


@router.get("/dashboard")
def dashboard(svc: Svc, actor: Me) -> dict[str, Any]:
    with svc.db.read() as s:
        return queries.dashboard(s, actor, svc.now())


@router.get("/dashboard/stuck", response_model=Page[NominationOut])
def stuck(svc: Svc, actor: Me, limit: Limit = 50, offset: Offset = 0) -> Page[NominationOut]:
    with svc.db.read() as s:
        rows, total = queries.stuck_list(s, actor, limit, offset)
        return _page(svc, rows, total, limit, offset)


@router.post("/bulk/{action}", response_model=BulkOut)
def bulk(
    action: Annotated[str, Path(pattern="^(reassign|remind|extend)$")],
    body: BulkIn,
    svc: Svc,
    actor: Me,
) -> BulkOut:
    """reassign (data.assignee_id), remind, or extend (data.due_at, comment = reason);
    ``dry_run`` says per item what would happen and writes nothing."""
    with svc.db.read() if body.dry_run else svc.db.write() as s:
        items = supervision.bulk(
            s,
            svc.ctx,
            actor,
            action,
            body.nomination_ids,
            data=body.data,
            comment=body.comment,
            dry_run=body.dry_run,
            now=svc.now(),
        )
    return BulkOut(
        action=action,
        dry_run=body.dry_run,
        items=[
            BulkItemOut(nomination_id=i.nomination_id, ok=i.ok, result=i.result, reasons=i.reasons)
            for i in items
        ],
    )
