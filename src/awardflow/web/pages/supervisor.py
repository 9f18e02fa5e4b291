"""``/supervisor``: the supervisor's dashboard. Counts per phase and state, the stuck and
overdue dossiers first, aging and funnel charts, workload per appraiser, the deadline forecast,
failed notifications with a retry button, and bulk reassign / extend / remind with a dry-run
preview before anything is written (``services.supervision.bulk``, as ``POST /api/bulk``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from awardflow.api.deps import IdPath
from awardflow.db.repositories import web_supervisor as repo
from awardflow.errors import NotFound
from awardflow.services import notifications, supervision
from awardflow.services.visibility import campaign_filter, is_admin, nomination_filter
from awardflow.states import Role
from awardflow.web import supervisor_bulk as bulk
from awardflow.web import supervisor_views as views
from awardflow.web.deps import Page, PageCtx, page_router
from awardflow.web.supervisor_bulk import ACTIONS, BulkForm
from awardflow.web.supervisor_forecast import WINDOW

router = page_router()


def _dashboard(page: Page, form: BulkForm, errors: dict[str, str], status: int = 200) -> Response:
    show_all = page.request.query_params.get("show") == "all"
    with page.svc.db.read() as s:
        board = views.dashboard(
            s, page.actor, page.svc.ctx.calendar, page.now(), page.lang, show_all=show_all
        )
        if form.ids:  # selected dossiers stay in the table even when not stuck or overdue
            shown = {w.row.id for w in board.work}
            missing = [i for i in form.ids if i not in shown]
            if missing:
                rows, _ = repo.work_rows(
                    s,
                    nomination_filter(page.actor),
                    page.now(),
                    attention_only=False,
                    limit=len(missing),
                    ids=missing,
                )
                board.work += [views.work_item(r, page.now()) for r in rows]
    return page.render(
        "supervisor/dashboard.html",
        status=status,
        board=board,
        form=form,
        errors=errors,
        actions=ACTIONS,
        window=WINDOW,
    )


@router.get("/supervisor")
def dashboard(page: PageCtx) -> Response:
    page.require(Role.SUPERVISOR)
    return _dashboard(page, BulkForm(), {})


async def _bulk_form(request: Request) -> tuple[BulkForm, Mapping[str, Any]]:
    form = await request.form()
    ids = [str(v) for v in form.getlist("ids")]
    return BulkForm.parse(form, ids), form


def _checked(page: Page, form: BulkForm) -> dict[str, str]:
    with page.svc.db.read() as s:
        appraisers = {
            uid for uid, _ in repo.appraisers(s, campaign_filter(page.actor, with_office=True))
        }
    return form.errors(page.lang, appraisers)


def _preview(page: Page, form: BulkForm) -> Response:
    errors = _checked(page, form)
    if errors:
        return _dashboard(page, form, errors, status=422)
    now = page.now()
    with page.svc.db.read() as s:
        items = supervision.bulk(
            s,
            page.svc.ctx,
            page.actor,
            form.action,
            form.ids,
            data=form.data(),
            comment=form.comment or None,
            dry_run=True,
            now=now,
        )
        preview = bulk.preview_items(s, page.actor, items, now, page.lang)
    return page.render(
        "supervisor/preview.html",
        form=form,
        items=preview,
        action_label=page.t(*ACTIONS[form.action]),
        ok_ids=[p.id for p in preview if p.ok],
    )


@router.post("/supervisor/bulk/preview")
async def bulk_preview(request: Request, page: PageCtx) -> Response:
    page.require(Role.SUPERVISOR)
    form, _ = await _bulk_form(request)
    return await run_in_threadpool(_preview, page, form)


def _apply(page: Page, form: BulkForm) -> Response:
    errors = _checked(page, form)
    if errors:
        return _dashboard(page, form, errors, status=422)
    with page.svc.db.write() as s:
        items = supervision.bulk(
            s,
            page.svc.ctx,
            page.actor,
            form.action,
            form.ids,
            data=form.data(),
            comment=form.comment or None,
            dry_run=False,
            now=page.now(),
        )
    done = [i for i in items if i.ok]
    vi, en = ACTIONS[form.action]
    page.flash(
        f"{vi}: đã thực hiện {len(done)}/{len(items)} hồ sơ.",
        f"{en}: done for {len(done)} of {len(items)} dossiers.",
        "success" if len(done) == len(items) else "info",
    )
    for item in items:
        for reason in item.reasons:
            page.flash(
                f"Hồ sơ #{item.nomination_id}: {reason.get('message', '')}",
                f"Dossier #{item.nomination_id}: {reason.get('message_en', '')}",
                "error",
            )
    return page.redirect("/supervisor")


@router.post("/supervisor/bulk/apply")
async def bulk_apply(request: Request, page: PageCtx) -> Response:
    page.require(Role.SUPERVISOR)
    form, _ = await _bulk_form(request)
    return await run_in_threadpool(_apply, page, form)


@router.post("/supervisor/notifications/{outbox_id}/retry")
def retry_notification(outbox_id: IdPath, page: PageCtx) -> Response:
    """Put one failed notification back in the queue (``awardflow notify retry``)."""
    page.require(Role.SUPERVISOR)
    with page.svc.db.read() as s:
        allowed = repo.failed_visible_ids(
            s, nomination_filter(page.actor), [outbox_id], include_unlinked=is_admin(page.actor)
        )
    if not allowed:
        raise NotFound(
            "Không có thông báo gửi lỗi này (hoặc đã được gửi lại).",
            "No such failed notification (or it was already retried).",
            field="outbox_id",
        )
    notifications.retry(page.svc.db, allowed, page.now())
    page.flash(
        f"Đã đưa thông báo #{outbox_id} trở lại hàng đợi gửi.",
        f"Notification #{outbox_id} is back in the sending queue.",
    )
    return page.redirect("/supervisor#failed")
