"""Pages under /unit (W2): the unit's nominations (clerk, head) by round and state; a new draft
with the campaign's criteria and the eligibility check shown live (htmx, or a "check" button
without JavaScript); editing a draft or a returned dossier with its version (a stale form is
a conflict that keeps what was typed); uploading evidence, checked by content.

Registered in ``web.pages.ROUTERS``; templates in ``templates/unit/``; see docs/web.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from awardflow.api.deps import IdPath
from awardflow.api.errors import status_of
from awardflow.api.routes.evidence import read_limited
from awardflow.errors import AwardflowError, InvalidInput, VersionConflict
from awardflow.services import evidence, nominations
from awardflow.services.visibility import require_nomination
from awardflow.states import Role
from awardflow.states.lifecycle import EVIDENCE_KIND_LABELS
from awardflow.web.deps import Page, PageCtx, page_router, safe_next
from awardflow.web.unit_views import (
    UNIT_ROLES,
    DraftChoices,
    DraftForm,
    draft_choices,
    preview,
    proposing_unit,
    unit_list,
)

router = page_router()

#: Form fields the services name in their errors, mapped to the form's own names.
_FIELD_OF = {"round_id": "round_id", "award_id": "award_id", "unit_id": "unit_id"}


@router.get("/unit")
def nominations_list(page: PageCtx, request: Request) -> Response:
    page.require(*UNIT_ROLES)
    with page.svc.db.read() as s:
        view = unit_list(s, page.actor, page.svc.ctx.calendar, request.query_params, page.now())
    return page.render("unit/list.html", view=view, is_head=page.user.has(Role.UNIT_HEAD))


# --- a new draft -------------------------------------------------------------------------------


def _draft_page(
    page: Page,
    form: DraftForm,
    *,
    status: int = 200,
    error: AwardflowError | None = None,
) -> Response:
    with page.svc.db.read() as s:
        choices = draft_choices(s, page.actor, page.now())
        if not form.unit_id and len(choices.units) == 1:
            form.unit_id = str(choices.units[0].id)
        if not form.round_id and len(choices.rounds) == 1:
            form.round_id = str(choices.rounds[0][0].id)
        offered = [a for a, c in choices.awards if str(c.id) in _campaign_of(choices, form)]
        if not form.award_id and len(offered) == 1:
            form.award_id = str(offered[0].id)
        shown = preview(s, page.actor, form, page.now())
    field = _FIELD_OF.get(error.field or "", error.field) if error else None
    return page.render(
        "unit/new.html",
        status=status,
        form=form,
        choices=choices,
        preview=shown,
        error=error,
        error_field=field,
        limits={"name": 300, "achievement": 20000, "key": 200},
    )


def _campaign_of(choices: DraftChoices, form: DraftForm) -> set[str]:
    return {str(r.campaign_id) for r, _ in choices.rounds if str(r.id) == form.round_id}


@router.get("/unit/new")
def new_draft(page: PageCtx, request: Request) -> Response:
    page.require(*UNIT_ROLES)
    form = DraftForm.from_form(
        {"round_id": request.query_params.get("round", ""), "nominee_kind": "individual"}
    )
    return _draft_page(page, form)


async def _form_fields(request: Request) -> dict[str, str]:
    """The text fields of a posted form (any uploaded file in it is closed, not kept)."""
    data = await request.form()
    try:
        return {k: v for k, v in data.multi_items() if isinstance(v, str)}
    finally:
        await data.close()


@router.post("/unit/preview")
async def draft_preview(page: PageCtx, request: Request) -> Response:
    """The live part of the draft form: criteria and eligibility for what is typed so far."""
    page.require(*UNIT_ROLES)
    form = DraftForm.from_form(await _form_fields(request))

    def run() -> Any:
        with page.svc.db.read() as s:
            return preview(s, page.actor, form, page.now())

    shown = await run_in_threadpool(run)
    return page.render("unit/_preview.html", preview=shown)


@router.post("/unit/new")
async def create_draft(page: PageCtx, request: Request) -> Response:
    page.require(*UNIT_ROLES)
    fields = await _form_fields(request)
    form = DraftForm.from_form(fields)
    if fields.get("intent") == "preview":  # the "check" button, without JavaScript
        return await run_in_threadpool(_draft_page, page, form)
    return await run_in_threadpool(_create, page, form)


def _create(page: Page, form: DraftForm) -> Response:
    try:
        if (long := form.too_long()) is not None:
            name, (vi, en) = long
            raise InvalidInput(vi, en, field=name)
        with page.svc.db.write() as s:
            unit_id = proposing_unit(s, page.actor, form)
            round_id, award_id = form.int_of("round_id"), form.int_of("award_id")
            for name, value, vi, en in (
                ("unit_id", unit_id, "Hãy chọn đơn vị đề nghị.", "Choose the proposing unit."),
                ("round_id", round_id, "Hãy chọn đợt xét khen thưởng.", "Choose the round."),
                ("award_id", award_id, "Hãy chọn hình thức khen thưởng.", "Choose the award."),
            ):
                if value is None:
                    raise InvalidInput(vi, en, field=name)
            assert unit_id is not None and round_id is not None and award_id is not None
            nom = nominations.create_draft(
                s,
                page.svc.ctx,
                page.actor,
                round_id=round_id,
                award_id=award_id,
                unit_id=unit_id,
                nominee_kind=form.kind(),
                person_id=form.int_of("person_id"),
                nominee_unit_id=form.int_of("nominee_unit_id"),
                nominee_name=form.nominee_name.strip() or None,
                achievement=form.achievement,
                fields=form.extra_fields(),
                now=page.now(),
            )
            nid = nom.id
    except AwardflowError as err:
        return _draft_page(page, form, status=status_of(err), error=err)
    page.flash(
        f"Đã lập hồ sơ #{nid} (dự thảo). Hãy tải lên minh chứng.",
        f"Nomination #{nid} created (draft). Upload its evidence next.",
    )
    return page.redirect(f"/nominations/{nid}")


# --- editing a draft or a returned dossier ------------------------------------------------


def _edit_page(
    page: Page,
    nomination_id: int,
    form: DraftForm | None = None,
    *,
    status: int = 200,
    error: AwardflowError | None = None,
) -> Response:
    with page.svc.db.read() as s:
        nom = require_nomination(s, page.actor, nomination_id)
        current = DraftForm.of(nom)
        state = nom.state
    conflict = isinstance(error, VersionConflict)
    shown = form or current
    if conflict and form is not None:
        shown.version = current.version  # a second save deliberately replaces the other's
    return page.render(
        "unit/edit.html",
        status=status,
        nomination_id=nomination_id,
        state=state,
        form=shown,
        current=current if conflict else None,
        error=error,
        error_field=error.field if error else None,
        limits={"name": 300, "achievement": 20000, "key": 200},
    )


@router.get("/unit/nominations/{nomination_id}/edit")
def edit_draft(nomination_id: IdPath, page: PageCtx) -> Response:
    page.require(*UNIT_ROLES)
    return _edit_page(page, nomination_id)


@router.post("/unit/nominations/{nomination_id}/edit")
async def save_draft(nomination_id: IdPath, page: PageCtx, request: Request) -> Response:
    page.require(*UNIT_ROLES)
    form = DraftForm.from_form(await _form_fields(request))
    return await run_in_threadpool(_save, page, nomination_id, form)


def _save(page: Page, nomination_id: int, form: DraftForm) -> Response:
    try:
        if (long := form.too_long()) is not None:
            name, (vi, en) = long
            raise InvalidInput(vi, en, field=name)
        version = form.int_of("version")
        if version is None:
            raise InvalidInput("Thiếu phiên bản hồ sơ.", "The version is missing.", field="version")
        with page.svc.db.write() as s:
            nom = require_nomination(s, page.actor, nomination_id)
            changes: Mapping[str, Any] = {
                "nominee_name": form.nominee_name,
                "achievement": form.achievement,
                "fields": form.extra_fields(nom.fields),
            }
            before = nom.content_version
            nom = nominations.edit(
                s,
                page.svc.ctx,
                nomination_id,
                page.actor,
                changes,
                expected_version=version,
                now=page.now(),
            )
            changed = nom.content_version != before
    except AwardflowError as err:
        return _edit_page(page, nomination_id, form, status=status_of(err), error=err)
    if changed:
        page.flash("Đã lưu thay đổi của hồ sơ.", "Changes saved.")
    else:
        page.flash("Không có gì thay đổi.", "Nothing changed.", "info")
    return page.redirect(f"/nominations/{nomination_id}")


# --- evidence ------------------------------------------------------------------------------------


@router.post("/unit/nominations/{nomination_id}/evidence")
async def upload_evidence(nomination_id: IdPath, page: PageCtx, request: Request) -> Response:
    page.require(*UNIT_ROLES)
    data = await request.form()
    kind = str(data.get("kind") or "other")
    next_path = safe_next(str(data.get("next") or ""), f"/nominations/{nomination_id}")
    upload = data.get("file")
    try:
        return await run_in_threadpool(
            _store_upload,
            page,
            nomination_id,
            kind,
            upload if isinstance(upload, UploadFile) else None,
            next_path,
        )
    finally:
        await data.close()


def _store_upload(
    page: Page, nomination_id: int, kind: str, upload: UploadFile | None, next_path: str
) -> Response:
    settings = page.svc.settings.evidence
    try:
        if upload is None or not (upload.filename or "").strip():
            raise InvalidInput("Hãy chọn tệp để tải lên.", "Choose a file to upload.", field="file")
        content = read_limited(upload, settings.max_bytes)  # type: ignore[arg-type]
        item = evidence.Upload(filename=upload.filename or "", data=content, kind=kind)
        with page.svc.db.write() as s:
            require_nomination(s, page.actor, nomination_id)
            row = evidence.upload_evidence(
                s,
                page.svc.ctx,
                page.svc.store,
                settings,
                nomination_id,
                page.actor,
                item,
                now=page.now(),
            )
            name = row.filename
    except AwardflowError as err:
        return page.render(
            "unit/upload.html",
            status=status_of(err),
            nomination_id=nomination_id,
            error=err,
            kind=kind if kind in EVIDENCE_KIND_LABELS else "other",
            kinds=list(EVIDENCE_KIND_LABELS.items()),
            next=next_path,
        )
    page.flash(f"Đã tải lên minh chứng “{name}”.", f"Evidence “{name}” uploaded.")
    return page.redirect(next_path)
