"""The director's decisions, submissions upward, the notification inbox, and the stored
summaries (sơ kết, tổng kết)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from awardflow.api.auth import Me
from awardflow.api.deps import IdPath, Limit, Offset, Svc
from awardflow.api.schemas.common import ERRORS, Ack, Page
from awardflow.api.schemas.misc import (
    DecisionCreate,
    DecisionOut,
    InboxOut,
    SubmissionOut,
    SubmissionPrepare,
    SummaryDetail,
    SummaryOut,
)
from awardflow.services import decisions, records
from awardflow.services.documents import summary_document

router = APIRouter(prefix="/api", tags=["records"], responses=ERRORS)


def _submission(row: object, ids: list[int]) -> SubmissionOut:
    out = SubmissionOut.model_validate(row)
    out.nomination_ids = ids
    return out


@router.post("/decisions", status_code=201, response_model=DecisionOut)
def decide(body: DecisionCreate, svc: Svc, actor: Me) -> DecisionOut:
    """The director's decision: ``decide`` for each listed nomination of the round (all or
    none: a refused one answers with its own error and ``nomination_id``), then the decision
    recorded with its sổ vàng numbers in the order listed."""
    ids = [i.nomination_id for i in body.items]
    versions = {i.nomination_id: i.version for i in body.items if i.version is not None}
    with svc.db.write() as s:
        decision = decisions.decide(
            s,
            svc.ctx,
            actor,
            round_id=body.round_id,
            nomination_ids=ids,
            number=body.decision_number,
            day=body.decision_date,
            versions=versions,
            now=svc.now(),
        )
        return DecisionOut(
            id=decision.id,
            number=decision.number,
            date=decision.date,
            issuer_unit_id=decision.issuer_unit_id,
            nomination_ids=list(dict.fromkeys(ids)),
        )


@router.post("/submissions/prepare", response_model=SubmissionOut | None)
def prepare_submission(body: SubmissionPrepare, svc: Svc, actor: Me) -> SubmissionOut | None:
    """Package the round's council-approved dossiers for the authority and submit them
    (supervisor, director or admin); null when nothing waits."""
    with svc.db.write() as s:
        sub = records.prepare(s, svc.ctx, actor, body.round_id, body.authority_unit_id, svc.now())
        return None if sub is None else _submission(sub, records.item_ids(s, sub.id))


@router.get("/submissions", response_model=Page[SubmissionOut])
def list_submissions(
    svc: Svc, actor: Me, limit: Limit = 50, offset: Offset = 0
) -> Page[SubmissionOut]:
    with svc.db.read() as s:
        rows, total = records.submissions(s, actor, limit, offset)
        items = [_submission(r, records.item_ids(s, r.id)) for r in rows]
    return Page[SubmissionOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/submissions/{submission_id}", response_model=SubmissionOut)
def get_submission(submission_id: IdPath, svc: Svc, actor: Me) -> SubmissionOut:
    with svc.db.read() as s:
        row = records.submission(s, actor, submission_id)
        return _submission(row, records.item_ids(s, row.id))


@router.get("/notifications", response_model=list[InboxOut])
def inbox(svc: Svc, actor: Me, unread: bool = False, limit: Limit = 50) -> list[InboxOut]:
    with svc.db.read() as s:
        return [InboxOut.model_validate(i) for i in records.inbox(s, actor, unread, limit)]


@router.post("/notifications/{item_id}/read", response_model=Ack)
def mark_read(item_id: IdPath, svc: Svc, actor: Me) -> Ack:
    with svc.db.write() as s:
        records.mark_read(s, actor, item_id, svc.now())
    return Ack()


@router.get("/summaries", response_model=Page[SummaryOut])
def list_summaries(svc: Svc, actor: Me, limit: Limit = 50, offset: Offset = 0) -> Page[SummaryOut]:
    with svc.db.read() as s:
        rows, total = records.summaries(s, actor, limit, offset)
        items = [SummaryOut.model_validate(r) for r in rows]
    return Page[SummaryOut](items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/summaries/{summary_id}",
    response_model=SummaryDetail,
    responses={
        200: {
            "content": {
                "text/html": {},
                "application/pdf": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        }
    },
)
def get_summary(
    summary_id: IdPath,
    svc: Svc,
    actor: Me,
    format: Annotated[Literal["json", "html", "pdf", "xlsx"], Query()] = "json",
) -> Response:
    """The stored summary as JSON, its web page, or the PDF report / XLSX workbook rendered by
    the same renderers as ``awardflow report summary``."""
    with svc.db.read() as s:
        row = records.summary(s, actor, summary_id)
        if format == "html":
            return HTMLResponse(row.html)
        if format in ("pdf", "xlsx"):
            body = summary_document(s, summary_id, format)
            return Response(
                body,
                media_type=_MEDIA[format],
                headers={
                    "Content-Disposition": f'attachment; filename="summary-{summary_id}.{format}"'
                },
            )
        return JSONResponse(SummaryDetail.model_validate(row).model_dump(mode="json"))


_MEDIA = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
