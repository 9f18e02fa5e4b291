"""Pages under /director (W4): the director's desk — decide awards within the department's
authority (decision number and date), sign and submit the rest upward, see what the authority
returned, the submissions made and the decisions issued, and download their documents."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from awardflow.api.deps import IdPath
from awardflow.api.errors import status_of
from awardflow.campaigns.calendar import local_date
from awardflow.errors import AwardflowError, ItemRefused
from awardflow.services import records
from awardflow.states import Role
from awardflow.web import director_views as views
from awardflow.web import submission_views
from awardflow.web.deps import Page, PageCtx, page_router

router = page_router()

_SIGN_MISSING = (
    "Hãy xác nhận đã xem danh sách và ký tờ trình trước khi trình.",
    "Confirm that you reviewed the list and sign the cover letter before submitting.",
)


def _desk(page: Page, status: int = 200, **state: Any) -> Response:
    with page.svc.db.read() as s:
        desk = views.desk(s, page.svc.ctx, page.actor, page.now())
    context: dict[str, Any] = {"decide_form": None, "submit_form": None, **state}
    today = local_date(page.now()).isoformat()
    return page.render("director/desk.html", status=status, desk=desk, today=today, **context)


@router.get("/director")
def director_desk(page: PageCtx) -> Response:
    page.require(Role.DIRECTOR)
    return _desk(page)


@router.post("/director/decide")
async def decide(request: Request, page: PageCtx) -> Response:
    page.require(Role.DIRECTOR)
    data = await request.form()
    fields = {k: v for k, v in data.items() if isinstance(v, str)}
    ids = [v for v in data.getlist("ids") if isinstance(v, str)]
    return await run_in_threadpool(_decide, page, fields, ids)


def _decide(page: Page, fields: dict[str, str], ids: list[str]) -> Response:
    form = views.parse_decide(fields, ids)
    errors, day = views.check_decide(form, page.now())
    state: dict[str, Any] = {"form": form, "errors": errors, "refused": None, "refused_id": None}
    state["reasons"] = []
    if errors or day is None:
        return _desk(page, 422, decide_form=state)
    try:
        with page.svc.db.write() as s:
            decision = views.decide_batch(s, page.svc.ctx, page.actor, form, day, page.now())
            number, count = decision.number, len(form.ids)
    except ItemRefused as refused:
        reasons = list(getattr(refused.error, "reasons", []))
        state.update(refused=refused.error, refused_id=refused.nomination_id, reasons=reasons)
        return _desk(page, status_of(refused.error), decide_form=state)
    except AwardflowError as err:
        state.update(refused=err, reasons=list(getattr(err, "reasons", [])))
        return _desk(page, status_of(err), decide_form=state)
    page.flash(
        f"Đã quyết định khen thưởng {count} hồ sơ theo Quyết định số {number}.",
        f"{count} nomination(s) awarded by decision {number}.",
    )
    return page.redirect("/director#decisions")


@router.post("/director/submit")
async def submit(request: Request, page: PageCtx) -> Response:
    page.require(Role.DIRECTOR)
    data = await request.form()
    fields = {k: v for k, v in data.items() if isinstance(v, str)}
    return await run_in_threadpool(_submit, page, fields)


def _submit(page: Page, fields: dict[str, str]) -> Response:
    round_id, authority = fields.get("round_id", ""), fields.get("authority_unit_id", "")
    state: dict[str, Any] = {"round_id": round_id, "authority_unit_id": authority, "error": None}
    if not (round_id.isdigit() and authority.isdigit()):
        missing = ("Thiếu đợt xét hoặc cấp nhận.", "The round or authority is missing.")
        return _desk(page, 422, submit_form={**state, "error": missing})
    if fields.get("signed") != "yes":
        return _desk(page, 422, submit_form={**state, "error": _SIGN_MISSING})
    try:
        with page.svc.db.write() as s:
            sub = records.prepare(
                s, page.svc.ctx, page.actor, int(round_id), int(authority), page.now()
            )
            done = (sub.id, len(records.item_ids(s, sub.id))) if sub is not None else None
    except AwardflowError as err:
        error = (err.message_vi, err.message_en)
        return _desk(page, status_of(err), submit_form={**state, "error": error})
    if done is None:
        page.flash("Không còn hồ sơ nào chờ trình.", "Nothing is waiting to be submitted.", "info")
        return page.redirect("/director")
    page.flash(
        f"Đã ký tờ trình và trình {done[1]} hồ sơ lên cấp có thẩm quyền.",
        f"Cover letter signed; {done[1]} nomination(s) submitted to the authority.",
    )
    return page.redirect(f"/director#submission-{done[0]}")


def _download(body: bytes, media: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/director/submissions/{submission_id}/{name}")
def submission_document(submission_id: IdPath, name: str, page: PageCtx) -> Response:
    page.require(Role.DIRECTOR)
    with page.svc.db.read() as s:
        body, media = submission_views.submission_document(s, page.actor, submission_id, name)
    return _download(body, media, f"trinh-{submission_id}-{name}")


@router.get("/director/decisions/{decision_id}/{name}")
def decision_document(decision_id: IdPath, name: str, page: PageCtx) -> Response:
    page.require(Role.DIRECTOR)
    with page.svc.db.read() as s:
        body, media = views.decision_document(s, page.actor, decision_id, name)
    return _download(body, media, f"quyet-dinh-{decision_id}-{name}")
