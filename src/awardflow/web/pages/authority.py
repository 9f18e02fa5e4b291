"""Pages under /authority (W4): the receiving authority's desk — the submissions sent to it,
and per item: confer (decision number and date), return with a reason, or refuse."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from awardflow.api.deps import IdPath
from awardflow.campaigns.calendar import local_date
from awardflow.states import Role
from awardflow.web import authority_views as views
from awardflow.web.deps import Page, PageCtx, page_router
from awardflow.web.pages.actions import fire, success_flash
from awardflow.web.submission_views import submission_document

router = page_router()


def _inbox(page: Page, status: int = 200, answer: Any = None, refused: Any = None) -> Response:
    with page.svc.db.read() as s:
        subs = views.inbox(s, page.svc.ctx, page.actor, page.now())
    shown = answer is not None and any(
        item["id"] == answer.nomination_id for sub in subs for item in sub["items"]
    )
    return page.render(
        "authority/inbox.html",
        answer_shown=shown,
        status=status,
        submissions=subs,
        waiting=sum(sub["waiting"] for sub in subs),
        answer=answer,
        refused=refused,
        today=local_date(page.now()).isoformat(),
    )


@router.get("/authority")
def authority_desk(page: PageCtx) -> Response:
    page.require(Role.AUTHORITY)
    return _inbox(page)


@router.post("/authority/nominations/{nomination_id}/{trigger}")
async def answer(nomination_id: IdPath, trigger: str, request: Request, page: PageCtx) -> Response:
    page.require(Role.AUTHORITY)
    data = await request.form()
    fields = {k: v for k, v in data.items() if isinstance(v, str)}
    return await run_in_threadpool(_answer, page, nomination_id, trigger, fields)


def _answer(page: Page, nomination_id: int, trigger: str, fields: dict[str, str]) -> Response:
    form = views.parse_answer(nomination_id, trigger, fields, page.now())
    if form.errors:
        return _inbox(page, 422, answer=form)
    comment, data = views.answer_data(form)
    outcome = fire(page, nomination_id, trigger, version=form.version, comment=comment, data=data)
    if outcome.result is None:
        return _inbox(page, outcome.status, answer=form, refused=outcome)
    success_flash(page, outcome.result)
    return page.redirect(f"/authority#item-{nomination_id}")


@router.get("/authority/submissions/{submission_id}/{name}")
def document(submission_id: IdPath, name: str, page: PageCtx) -> Response:
    page.require(Role.AUTHORITY)
    with page.svc.db.read() as s:
        body, media = submission_document(s, page.actor, submission_id, name)
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="trinh-{submission_id}-{name}"'},
    )
