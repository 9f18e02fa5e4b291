"""Pages under /appraiser and the shared dossier page (W2).

- ``/appraiser``: the appraiser's tasks due first (coloured by urgency, with the escalation
  level) and the office's unassigned queue with a claim button; filters by round, unit and
  award in the query string (works without JavaScript; htmx swaps only the lists).
- ``/nominations/{id}``: the dossier for every role that may see it (404 otherwise):
  evidence viewer, appraisal checklist, eligibility explanation, history, the last return with
  what changed since, and the actions the user may take now (posted to the action helper).
- ``/nominations/{id}/evidence/{eid}``: one evidence file, inline (PDF, images) or as a
  download, only for those who may see the nomination.
- ``POST /nominations/{id}/checklist``: the assigned appraiser ticks criteria with notes.

Registered in ``web.pages.ROUTERS``; templates in ``templates/appraiser/`` and
``templates/dossier/``; see docs/web.md."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from awardflow.api.deps import IdPath
from awardflow.api.errors import status_of
from awardflow.db.repositories import web_unit as wq
from awardflow.errors import AwardflowError, InvalidInput, NotFound
from awardflow.services import evidence, nominations
from awardflow.services.visibility import require_nomination
from awardflow.states import Role
from awardflow.states.lifecycle import EVIDENCE_KIND_LABELS
from awardflow.web import appraiser_views as av
from awardflow.web.deps import Page, PageCtx, page_router
from awardflow.web.dossier_views import build, today
from awardflow.web.nomination_views import INLINE_TYPES, CriterionRow

router = page_router()

MAX_NOTE = 2000


@router.get("/appraiser")
def appraiser_queue(page: PageCtx, request: Request) -> Response:
    page.require(Role.APPRAISER)
    filters = av.Filters.parse(request.query_params)
    with page.svc.db.read() as s:
        view = av.build(s, page.svc.ctx, page.actor, filters, page.now())
    template = "appraiser/_lists.html" if page.is_htmx else "appraiser/queue.html"
    return page.render(template, view=view)


# --- the dossier ---------------------------------------------------------------------------------


def _dossier_page(
    page: Page,
    nomination_id: int,
    *,
    status: int = 200,
    checklist: dict[str, tuple[str, str]] | None = None,
    error: AwardflowError | None = None,
    view: int | None = None,
) -> Response:
    with page.svc.db.read() as s:
        dossier = build(
            s, page.svc.ctx, page.actor, nomination_id, page.now(), page.svc.store.exists
        )
    if checklist is not None:  # what the appraiser typed, kept when it was refused
        dossier.criteria = [
            CriterionRow(
                c.code,
                c.text,
                c.required,
                {"1": True, "0": False}.get(checklist.get(c.code, ("", ""))[0], c.met),
                checklist.get(c.code, ("", c.note))[1],
            )
            for c in dossier.criteria
        ]
    return page.render(
        "dossier/page.html",
        status=status,
        d=dossier,
        n=dossier.nom,
        error=error,
        kinds=list(EVIDENCE_KIND_LABELS.items()),
        today=today(page.now()),
        viewing=next(
            (e for e in dossier.evidence if e.id == view and e.viewable and e.available), None
        ),
    )


@router.get("/nominations/{nomination_id}")
def dossier_page(nomination_id: IdPath, page: PageCtx, request: Request) -> Response:
    raw = request.query_params.get("view", "")
    view = int(raw) if raw.isdigit() and len(raw) <= 9 else None
    return _dossier_page(page, nomination_id, view=view)


@router.get("/nominations/{nomination_id}/evidence/{evidence_id}")
def evidence_file(
    nomination_id: IdPath, evidence_id: IdPath, page: PageCtx, request: Request
) -> Response:
    """The file itself: only for those who may see the nomination (404 otherwise, like the
    API). PDF and images may be shown inline (the dossier's viewer frames this route)."""
    with page.svc.db.read() as s:
        require_nomination(s, page.actor, nomination_id)
        row = wq.evidence_item(s, nomination_id, evidence_id)
        if row is None:
            raise NotFound("Không có minh chứng này.", "No such evidence.", field="evidence_id")
        data = evidence.read_file(page.svc.store, row)
        name, media = row.filename, row.content_type
    inline = request.query_params.get("inline") == "1" and media in INLINE_TYPES
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    disposition = (
        f'{"inline" if inline else "attachment"}; filename="{ascii_name}"; '
        f"filename*=UTF-8''{quote(name)}"
    )
    # the dossier page frames this response: same-origin framing only, and nothing active
    policy = "frame-ancestors 'self'" if media == "application/pdf" else _STRICT
    return Response(
        data,
        media_type=media,
        headers={
            "content-disposition": disposition,
            "x-content-type-options": "nosniff",
            "x-frame-options": "SAMEORIGIN",
            "content-security-policy": policy,
            "cache-control": "private, no-store",
        },
    )


_STRICT = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


@router.post("/nominations/{nomination_id}/checklist")
async def tick_criteria(nomination_id: IdPath, page: PageCtx, request: Request) -> Response:
    """Record every criterion whose tick or note changed, in one transaction."""
    data = await request.form()
    try:
        fields = {k: v for k, v in data.multi_items() if isinstance(v, str)}
    finally:
        await data.close()
    return await run_in_threadpool(_tick, page, nomination_id, fields)


def _typed(fields: dict[str, Any]) -> dict[str, tuple[str, str]]:
    codes = {k.split(".", 1)[1] for k in fields if k.startswith(("met.", "note.")) and "." in k}
    return {c: (str(fields.get(f"met.{c}", "")), str(fields.get(f"note.{c}", ""))) for c in codes}


def _tick(page: Page, nomination_id: int, fields: dict[str, Any]) -> Response:
    typed = _typed(fields)
    try:
        if any(len(note) > MAX_NOTE for _, note in typed.values()):
            raise InvalidInput(
                f"Ghi chú dài quá {MAX_NOTE} ký tự.",
                f"A note is longer than {MAX_NOTE} characters.",
                field="note",
            )
        saved = 0
        with page.svc.db.write() as s:
            nom = require_nomination(s, page.actor, nomination_id)
            stored = dict(nom.checklist or {})
            for code, (met, note) in sorted(typed.items()):
                if met not in ("1", "0"):
                    continue
                old = stored.get(code) or {}
                if old.get("met") == (met == "1") and old.get("note", "") == note.strip():
                    continue
                nominations.record_criterion(
                    s,
                    page.svc.ctx,
                    nomination_id,
                    page.actor,
                    code,
                    met == "1",
                    note,
                    now=page.now(),
                )
                saved += 1
    except AwardflowError as err:
        return _dossier_page(page, nomination_id, status=status_of(err), checklist=typed, error=err)
    page.flash(f"Đã lưu đánh giá {saved} tiêu chí.", f"Saved the assessment of {saved} criteria.")
    return page.redirect(f"/nominations/{nomination_id}#checklist")
