"""Firing a trigger from a page: ``POST /nominations/{id}/actions/{trigger}`` for every area's
buttons, and ``fire()`` for a page that wants to handle the outcome itself.

The form sends ``version`` (the nomination's version when the page was drawn: a stale one is a
409, never a silent overwrite), ``comment``, data fields named ``data.<key>`` (for example
``data.decision_number``, ``data.decision_date``, ``data.assignee_id``), ``next`` (a local path
to return to) and optionally ``idempotency_key`` (a double submit then replays the first
result). Success: a flash and a 303 back to ``next``. Refusal (guard, stale version, not
permitted, not found, bad input): the reason in Vietnamese and English with the status of the
error (409, 403, 404, 422), the typed comment kept; for htmx just the reason box.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from awardflow.api.deps import IdPath
from awardflow.api.errors import status_of
from awardflow.db.repositories import idempotency as idem_repo
from awardflow.errors import AwardflowError, InvalidInput
from awardflow.services import transitions
from awardflow.services.visibility import require_nomination
from awardflow.web import i18n
from awardflow.web.deps import Page, PageCtx, page_router, safe_next

router = page_router()

_KEY = re.compile(r"^[A-Za-z0-9._:\-]{1,120}$")
MAX_COMMENT = 4000


@dataclass
class ActionOutcome:
    """What firing a trigger gave: ``result`` on success, else ``error`` (never both)."""

    result: transitions.TransitionResult | None = None
    error: AwardflowError | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None

    @property
    def status(self) -> int:
        return 200 if self.error is None else status_of(self.error)

    @property
    def reasons(self) -> list[Any]:
        return list(getattr(self.error, "reasons", []) or [])


@dataclass
class ActionForm:
    version: int | None
    comment: str | None
    data: dict[str, str]
    next: str
    idempotency_key: str | None


def parse_form(form: Mapping[str, Any], default_next: str) -> ActionForm:
    """The action fields of a submitted form; bad ``version`` or key is an ``InvalidInput``."""
    raw_version = str(form.get("version") or "").strip()
    if raw_version and not raw_version.isdigit():
        raise InvalidInput("Phiên bản hồ sơ không hợp lệ.", "Invalid version.", field="version")
    comment = str(form.get("comment") or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(
            f"Ý kiến dài quá {MAX_COMMENT} ký tự.",
            f"The comment is longer than {MAX_COMMENT} characters.",
            field="comment",
        )
    data = {
        key.removeprefix("data."): str(value).strip()
        for key, value in form.items()
        if key.startswith("data.") and len(key) > 5 and isinstance(value, str) and value.strip()
    }
    key = str(form.get("idempotency_key") or "").strip() or None
    if key is not None and not _KEY.match(key):
        raise InvalidInput("Khoá lặp lại không hợp lệ.", "Invalid idempotency key.")
    return ActionForm(
        version=int(raw_version) if raw_version else None,
        comment=comment or None,
        data=data,
        next=safe_next(str(form.get("next") or ""), default_next),
        idempotency_key=key,
    )


def fire(
    page: Page,
    nomination_id: int,
    trigger: str,
    *,
    version: int | None,
    comment: str | None = None,
    data: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> ActionOutcome:
    """Fire ``trigger`` for the page's actor through the transition service; never raises an
    error of the tree (it comes back in ``outcome.error``)."""
    key = f"u{page.actor.user_id}:web:{idempotency_key}" if idempotency_key else None
    try:
        try:
            with page.svc.db.write() as s:
                require_nomination(s, page.actor, nomination_id)
                result = transitions.transition(
                    s,
                    page.svc.ctx,
                    nomination_id,
                    trigger,
                    page.actor,
                    expected_version=version,
                    comment=comment,
                    data=dict(data or {}),
                    idempotency_key=key,
                    now=page.now(),
                )
        except IntegrityError:
            if key is None:
                raise
            with page.svc.db.read() as s:
                stored = idem_repo.get(s, key)
            if stored is None:
                raise
            result = transitions.TransitionResult(**{**stored.response, "replayed": True})
    except AwardflowError as err:
        return ActionOutcome(error=err)
    return ActionOutcome(result=result)


def success_flash(page: Page, result: transitions.TransitionResult) -> None:
    label = (i18n.trigger_label("vi", result.trigger), i18n.trigger_label("en", result.trigger))
    to = (i18n.state_label("vi", result.to_state), i18n.state_label("en", result.to_state))
    page.flash(
        f"Đã thực hiện “{label[0]}”. Hồ sơ chuyển sang trạng thái “{to[0]}”.",
        f"Done: “{label[1]}”. The nomination is now “{to[1]}”.",
    )


def refused_response(
    page: Page, outcome: ActionOutcome, trigger: str, form: ActionForm, nomination_id: int
) -> Response:
    """The refusal: the reason box (htmx) or the page with the reason and the kept comment."""
    assert outcome.error is not None
    err = outcome.error
    context: dict[str, Any] = {
        "message_vi": err.message_vi,
        "message_en": err.message_en,
        "reasons": outcome.reasons,
        "title_vi": "Không thực hiện được",
        "title_en": "Could not be done",
        "status_code": outcome.status,
    }
    if page.is_htmx:
        return page.render("errors/_box.html", status=outcome.status, **context)
    return page.render(
        "errors/refused.html",
        status=outcome.status,
        trigger=trigger,
        nomination_id=nomination_id,
        form=form,
        code=err.code,
        **context,
    )


@router.post("/nominations/{nomination_id}/actions/{trigger}")
async def post_action(
    nomination_id: IdPath, trigger: str, request: Request, page: PageCtx
) -> Response:
    form_data = await request.form()
    fields = {k: v for k, v in form_data.multi_items() if isinstance(v, str)}
    default_next = f"/nominations/{nomination_id}"
    try:
        form = parse_form(fields, default_next)
    except InvalidInput as err:
        form = ActionForm(None, None, {}, default_next, None)
        return refused_response(page, ActionOutcome(error=err), trigger, form, nomination_id)
    outcome = await run_in_threadpool(
        fire,
        page,
        nomination_id,
        trigger,
        version=form.version,
        comment=form.comment,
        data=form.data,
        idempotency_key=form.idempotency_key,
    )
    if outcome.result is None:
        return refused_response(page, outcome, trigger, form, nomination_id)
    success_flash(page, outcome.result)
    return page.redirect(form.next)
