"""``/council``: council sessions (Hội đồng TĐKT). The secretary creates and opens a session,
records attendance, sets the agenda from the dossiers awaiting the council, enters the written
votes of absent members and closes; a member reads each dossier's summary and marks her secret
ballot paper (phiếu bầu) for the agenda, sent at once; after closing everyone in scope sees
the tallies, outcomes, the ranking against the quota, and downloads the minutes (biên bản) as
PDF or DOCX.

Every change is one call of ``services.council`` (quorum, thresholds, secrecy live there) or of
the transition service (``schedule_vote`` / ``postpone`` when the agenda changes). A member's
page never shows what anyone chose, her own choice included: after a ballot it says only
"đã bỏ phiếu", and the vote form is gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from awardflow.api.deps import IdPath
from awardflow.api.errors import status_of
from awardflow.db.repositories import council as council_repo
from awardflow.db.repositories import web_council as repo
from awardflow.errors import AwardflowError, Conflict, InvalidInput, NotFound
from awardflow.services import council, documents, transitions
from awardflow.services.visibility import campaign_filter, require_council_session
from awardflow.states import Role, Trigger
from awardflow.web import council_views as views
from awardflow.web.council_forms import NewSession, ids
from awardflow.web.deps import Page, PageCtx, page_router

router = page_router()

COUNCIL_ROLES = (Role.COUNCIL_SECRETARY, Role.COUNCIL_MEMBER)
MAX_REASON = 2000


def _not_found(session_id: int) -> NotFound:
    return NotFound("Không có phiên họp này.", "No such council session.", field="session_id")


# --- the list and a new session ---------------------------------------------------------------


def _list(page: Page, form: NewSession, errors: dict[str, str], status: int = 200) -> Response:
    with page.svc.db.read() as s:
        listing = views.session_list(s, page.actor, page.lang)
    return page.render(
        "council/list.html", status=status, listing=listing, form=form, errors=errors
    )


@router.get("/council")
def sessions(page: PageCtx) -> Response:
    page.require(*COUNCIL_ROLES)
    return _list(page, NewSession(), {})


def _create(page: Page, form: NewSession) -> Response:
    with page.svc.db.read() as s:
        listing = views.session_list(s, page.actor, page.lang)
    rounds = {rid for rid, _ in listing.rounds}
    people = {uid for uid, _ in listing.members}
    errors = form.errors(page.lang, rounds, people)
    if errors:
        return _list(page, form, errors, status=422)
    try:
        with page.svc.db.write() as s:
            row = council.create_session(
                s,
                page.svc.ctx,
                page.actor,
                round_id=int(form.round_id),
                name=form.name,
                member_user_ids=form.members,
                chair_user_id=int(form.chair),
                secretary_user_id=page.actor.user_id or 0,
                quorum=form.quorum_value(),
                now=page.now(),
            )
            new_id = row.id
    except InvalidInput as err:
        return _list(page, form, {err.field or "name": page.t(err.message_vi, err.message_en)}, 422)
    page.flash("Đã tạo phiên họp.", "The session was created.")
    return page.redirect(f"/council/{new_id}")


@router.post("/council")
async def create(request: Request, page: PageCtx) -> Response:
    page.require(Role.COUNCIL_SECRETARY)
    form = NewSession.parse(await request.form())
    return await run_in_threadpool(_create, page, form)


# --- one session ------------------------------------------------------------------------------


def _session_page(
    page: Page,
    session_id: int,
    *,
    errors: Mapping[str, str] | None = None,
    status: int = 200,
    kept: Mapping[str, Any] | None = None,
) -> Response:
    with page.svc.db.read() as s:
        view = views.session_view(s, page.actor, session_id, page.lang)
    if view is None:
        raise _not_found(session_id)
    return page.render(
        "council/session.html",
        status=status,
        s=view,
        errors=dict(errors or {}),
        kept=dict(kept or {}),
        choices=views.CHOICES,
    )


@router.get("/council/{session_id}")
def session_page(session_id: IdPath, page: PageCtx) -> Response:
    page.require(*COUNCIL_ROLES)
    return _session_page(page, session_id)


def _visible(page: Page, session_id: int) -> None:
    with page.svc.db.read() as s:
        require_council_session(s, page.actor, session_id)


@router.post("/council/{session_id}/open")
async def open_session(session_id: IdPath, request: Request, page: PageCtx) -> Response:
    """Open the session with the agenda the secretary ticked: the service schedules every
    appraised dossier of the round; those left unticked are deferred at once (``postpone``
    with the reason below), so the audit log shows both steps."""
    chosen = set(ids((await request.form()).getlist("agenda")))
    return await run_in_threadpool(_open, page, session_id, chosen)


def _open(page: Page, session_id: int, chosen: set[int]) -> Response:
    _visible(page, session_id)
    with page.svc.db.read() as s:
        row = repo.session_row(s, campaign_filter(page.actor), session_id)
        if row is None:
            raise _not_found(session_id)
        found = council_repo.open_session_for_round(s, row.session.round_id)
        other = found.name if found is not None and found.id != session_id else None
    if other is not None:
        raise InvalidInput(
            f"Đợt xét này đang có phiên họp mở: {other}. Hãy kết thúc phiên họp đó trước.",
            f"This round already has an open session: {other}. Close it first.",
            field="session_id",
        )
    with page.svc.db.write() as s:
        scheduled = council.open_session(s, page.svc.ctx, page.actor, session_id, now=page.now())
        for nid in scheduled:
            if nid not in chosen:
                transitions.transition(
                    s,
                    page.svc.ctx,
                    nid,
                    Trigger.POSTPONE,
                    page.actor,
                    comment="Chưa đưa vào chương trình phiên họp này.",
                    now=page.now(),
                )
    kept = len([n for n in scheduled if n in chosen])
    page.flash(
        f"Đã mở phiên họp; chương trình có {kept} hồ sơ.",
        f"The session is open; {kept} dossiers on the agenda.",
    )
    return page.redirect(f"/council/{session_id}")


@router.post("/council/{session_id}/attendance")
async def attendance(session_id: IdPath, request: Request, page: PageCtx) -> Response:
    form = await request.form()
    members = ids(form.getlist("member"))
    present = set(ids(form.getlist("present")))
    return await run_in_threadpool(_attendance, page, session_id, members, present)


def _attendance(page: Page, session_id: int, members: list[int], present: set[int]) -> Response:
    _visible(page, session_id)
    with page.svc.db.write() as s:
        for uid in members:
            council.record_attendance(
                s, page.svc.ctx, page.actor, session_id, uid, uid in present, now=page.now()
            )
    page.flash(
        f"Đã ghi nhận điểm danh: {len(present)}/{len(members)} thành viên có mặt.",
        f"Attendance recorded: {len(present)} of {len(members)} members present.",
    )
    return page.redirect(f"/council/{session_id}#attendance")


@router.post("/council/{session_id}/agenda")
async def agenda(session_id: IdPath, request: Request, page: PageCtx) -> Response:
    """Add dossiers awaiting the council (``schedule_vote``) and defer items (``postpone``,
    with the reason typed)."""
    form = await request.form()
    add = ids(form.getlist("add"))
    defer = ids(form.getlist("defer"))
    reason = str(form.get("reason") or "").strip()
    return await run_in_threadpool(_agenda, page, session_id, add, defer, reason)


def _agenda(page: Page, session_id: int, add: list[int], defer: list[int], reason: str) -> Response:
    _visible(page, session_id)
    kept = {"add": add, "defer": defer, "reason": reason}
    if not add and not defer:
        errors = {"agenda": page.t("Hãy chọn hồ sơ để thêm hoặc hoãn xét.", "Select dossiers.")}
        return _session_page(page, session_id, errors=errors, status=422, kept=kept)
    if defer and not reason:
        errors = {"reason": page.t("Hãy ghi lý do hoãn xét.", "Give the reason for deferring.")}
        return _session_page(page, session_id, errors=errors, status=422, kept=kept)
    if len(reason) > MAX_REASON:
        errors = {"reason": page.t("Lý do quá dài.", "The reason is too long.")}
        return _session_page(page, session_id, errors=errors, status=422, kept=kept)
    with page.svc.db.read() as s:
        view = views.session_view(s, page.actor, session_id, page.lang)
    if view is None:
        raise _not_found(session_id)
    on_agenda = {a.dossier.id for a in view.agenda if a.on_agenda}
    if view.status != "open":
        raise Conflict("Phiên họp không mở.", "The session is not open.")
    if any(a.ballots for a in view.agenda if a.dossier.id in defer):
        errors = {
            "agenda": page.t(
                "Không hoãn được hồ sơ đã có phiếu bầu.", "An item with ballots cannot be deferred."
            )
        }
        return _session_page(page, session_id, errors=errors, status=409, kept=kept)
    with page.svc.db.write() as s:
        for nid in add:
            transitions.transition(
                s, page.svc.ctx, nid, Trigger.SCHEDULE_VOTE, page.actor, now=page.now()
            )
        for nid in defer:
            if nid not in on_agenda:
                continue
            transitions.transition(
                s, page.svc.ctx, nid, Trigger.POSTPONE, page.actor, comment=reason, now=page.now()
            )
    page.flash(
        f"Đã cập nhật chương trình: thêm {len(add)}, hoãn {len(defer)} hồ sơ.",
        f"Agenda updated: {len(add)} added, {len(defer)} deferred.",
    )
    return page.redirect(f"/council/{session_id}#agenda")


@router.post("/council/{session_id}/ballot-paper")
async def ballot_paper(session_id: IdPath, request: Request, page: PageCtx) -> Response:
    """One member's ballot paper (phiếu bầu): a choice on each dossier she marked, sent at
    once and taken all or none; the answer never repeats a choice."""
    form = await request.form()
    marked = {
        key.removeprefix("choice-"): str(value)
        for key, value in form.items()
        if key.startswith("choice-")
    }
    return await run_in_threadpool(_ballot_paper, page, session_id, marked)


def _ballot_paper(page: Page, session_id: int, marked: dict[str, str]) -> Response:
    _visible(page, session_id)
    votes = {int(k): v for k, v in marked.items() if k.isdigit()}
    errors: dict[str, str] = {}
    if not votes:
        errors["ballot_paper"] = page.t(
            "Hãy đánh dấu lựa chọn cho ít nhất một hồ sơ trên phiếu bầu.",
            "Mark your choice on at least one dossier of the ballot paper.",
        )
    for nid, choice in votes.items():
        if choice not in council.CHOICES:
            errors[f"choice-{nid}"] = page.t(
                "Hãy chọn đồng ý, không đồng ý hoặc không biểu quyết.",
                "Choose agree, disagree or abstain.",
            )
    kept = {"paper": {str(k): v for k, v in votes.items()}}
    if errors:
        return _session_page(page, session_id, errors=errors, status=422, kept=kept)
    try:
        with page.svc.db.write() as s:
            taken = council.cast_ballot_paper(
                s, page.svc.ctx, page.actor, session_id, votes, now=page.now()
            )
    except AwardflowError as err:
        # the refused dossier is named by the field (votes.<id>); the paper comes back as marked
        item = (err.field or "").removeprefix("votes.")
        key = f"choice-{item}" if item.isdigit() else "ballot_paper"
        errors = {key: page.t(err.message_vi, err.message_en)}
        return _session_page(page, session_id, errors=errors, status=status_of(err), kept=kept)
    page.flash(
        f"Đã ghi nhận phiếu bầu của bạn: {taken} hồ sơ.",
        f"Your ballot paper was recorded: {taken} dossier(s).",
    )
    return page.redirect(f"/council/{session_id}#agenda")


@router.post("/council/{session_id}/written")
async def written(session_id: IdPath, request: Request, page: PageCtx) -> Response:
    """The secretary enters an absent member's written vote on one item."""
    form = await request.form()
    kept = {
        "member": str(form.get("member") or ""),
        "item": str(form.get("item") or ""),
        "choice": str(form.get("choice") or ""),
    }
    return await run_in_threadpool(_written, page, session_id, kept)


def _written(page: Page, session_id: int, kept: dict[str, str]) -> Response:
    _visible(page, session_id)
    errors: dict[str, str] = {}
    if not kept["member"].isdigit():
        errors["written_member"] = page.t("Hãy chọn thành viên vắng mặt.", "Choose the member.")
    if not kept["item"].isdigit():
        errors["written_item"] = page.t("Hãy chọn hồ sơ.", "Choose the dossier.")
    if kept["choice"] not in council.CHOICES:
        errors["written_choice"] = page.t("Hãy chọn nội dung phiếu.", "Choose the vote.")
    if errors:
        return _session_page(page, session_id, errors=errors, status=422, kept=kept)
    try:
        with page.svc.db.write() as s:
            council.cast_ballot(
                s,
                page.svc.ctx,
                page.actor,
                session_id,
                int(kept["item"]),
                kept["choice"],
                written_for=int(kept["member"]),
                now=page.now(),
            )
    except InvalidInput as err:
        errors = {"written_member": page.t(err.message_vi, err.message_en)}
        return _session_page(page, session_id, errors=errors, status=422, kept=kept)
    page.flash("Đã ghi nhận phiếu bằng văn bản.", "The written vote was recorded.")
    return page.redirect(f"/council/{session_id}#written")


@router.post("/council/{session_id}/close")
async def close(session_id: IdPath, request: Request, page: PageCtx) -> Response:
    form = await request.form()
    tiebreak = ids(form.getlist("tiebreak"))
    return await run_in_threadpool(_close, page, session_id, tiebreak)


def _close(page: Page, session_id: int, tiebreak: list[int]) -> Response:
    _visible(page, session_id)
    order: dict[int, list[int]] = {}
    if tiebreak:
        with page.svc.db.read() as s:
            for _item, d in repo.agenda(s, session_id):
                if d.id in tiebreak:
                    order.setdefault(d.award_id, []).append(d.id)
    try:
        with page.svc.db.write() as s:
            council.close_session(
                s, page.svc.ctx, page.actor, session_id, chair_tiebreak=order, now=page.now()
            )
    except InvalidInput as err:
        if err.field != "chair_tiebreak":
            raise
        errors = {"tiebreak": page.t(err.message_vi, err.message_en)}
        return _session_page(page, session_id, errors=errors, status=422)
    page.flash("Đã kết thúc phiên họp.", "The session is closed.")
    return page.redirect(f"/council/{session_id}#results")


@router.get("/council/{session_id}/minutes.{fmt}")
def minutes(session_id: IdPath, fmt: str, page: PageCtx) -> Response:
    """The minutes (biên bản) as PDF or DOCX, rendered from the stored minutes."""
    page.require(*COUNCIL_ROLES, Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN)
    if fmt not in ("pdf", "docx"):
        raise NotFound("Không có định dạng này.", "No such format.", field="fmt")
    with page.svc.db.read() as s:
        require_council_session(s, page.actor, session_id)
        data = documents.minutes_document(s, session_id, "pdf" if fmt == "pdf" else "docx")
    media = {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }[fmt]
    name = f"bien-ban-phien-hop-{session_id}.{fmt}"
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
