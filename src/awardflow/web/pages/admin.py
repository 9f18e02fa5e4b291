"""Pages under /admin (W4): campaigns (upload a YAML definition: every problem with its file,
line and field, nothing stored; a campaign's phases, rounds, award forms and schedule), the
unit tree, users and role grants, and the working-day calendar's overrides."""

from __future__ import annotations

from typing import Any

from fastapi import Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from awardflow.api.deps import IdPath
from awardflow.api.errors import status_of
from awardflow.campaigns.errors import CampaignFileError
from awardflow.db.repositories import org as org_repo
from awardflow.errors import AwardflowError
from awardflow.services import directory
from awardflow.states import Role
from awardflow.web import admin_users_views as users_views
from awardflow.web import admin_views as views
from awardflow.web.deps import Page, PageCtx, page_router

router = page_router()
PAGE_SIZE = 50


async def _fields(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str)}


# --- campaigns --------------------------------------------------------------------------------


def _campaigns(page: Page, status: int = 200, **upload: Any) -> Response:
    with page.svc.db.read() as s:
        rows = views.campaigns(s)
    state = {"problems": [], "error": None, "filename": "", **upload}
    return page.render("admin/campaigns.html", status=status, campaigns=rows, upload=state)


@router.get("/admin")
def campaigns(page: PageCtx) -> Response:
    page.require(Role.ADMIN)
    return _campaigns(page)


@router.post("/admin/campaigns")
async def upload_campaign(request: Request, page: PageCtx) -> Response:
    page.require(Role.ADMIN)
    form = await request.form()
    file = form.get("file")
    data, name = b"", ""
    if isinstance(file, UploadFile):
        name = (file.filename or "").rsplit("/", 1)[-1][:200]
        try:
            data = await file.read(views.MAX_UPLOAD + 1)
        finally:
            await file.close()
    return await run_in_threadpool(_upload, page, data, name or "upload.yaml")


def _upload(page: Page, data: bytes, name: str) -> Response:
    try:
        text = views.decode_upload(data)
        with page.svc.db.write() as s:
            result = directory.load_campaign_text(s, page.actor, text, name)
    except CampaignFileError as err:
        return _campaigns(page, 422, problems=list(err.problems), filename=name)
    except AwardflowError as err:
        return _campaigns(page, status_of(err), error=err, filename=name)
    if result.unchanged:
        page.flash(
            f"Tệp {name} không có thay đổi; phong trào giữ phiên bản {result.version}.",
            f"{name} changes nothing; the campaign stays at version {result.version}.",
            "info",
        )
    else:
        page.flash(
            f"Đã nạp {name}: phiên bản {result.version}.",
            f"Loaded {name}: version {result.version}.",
        )
    return page.redirect(f"/admin/campaigns/{result.campaign_id}")


@router.get("/admin/campaigns/{campaign_id}")
def campaign(campaign_id: IdPath, page: PageCtx) -> Response:
    page.require(Role.ADMIN)
    with page.svc.db.read() as s:
        detail = views.campaign_detail(s, campaign_id)
        return page.render("admin/campaign.html", labels=views.LABELS, **detail)


# --- units ------------------------------------------------------------------------------------


def _units(page: Page, status: int = 200, form: views.UnitForm | None = None) -> Response:
    with page.svc.db.read() as s:
        tree = views.unit_tree(s)
    return page.render(
        "admin/units.html",
        status=status,
        tree=tree,
        form=form or views.UnitForm(),
        kinds=views.UNIT_KINDS,
    )


@router.get("/admin/units")
def units(page: PageCtx) -> Response:
    page.require(Role.ADMIN)
    return _units(page)


@router.post("/admin/units")
async def add_unit(request: Request, page: PageCtx) -> Response:
    page.require(Role.ADMIN)
    return await run_in_threadpool(_add_unit, page, await _fields(request))


def _add_unit(page: Page, fields: dict[str, str]) -> Response:
    form = views.parse_unit(fields)
    if form.errors:
        return _units(page, 422, form)
    try:
        with page.svc.db.write() as s:
            unit = views.add_unit(s, page.actor, form)
            unit_id = unit.id
    except AwardflowError as err:
        form.errors.update(views.field_error(err, "code"))
        return _units(page, status_of(err), form)
    page.flash(f"Đã thêm đơn vị {form.name}.", f"Unit {form.name} added.")
    return page.redirect(f"/admin/units#unit-{unit_id}")


# --- users and grants -------------------------------------------------------------------------


def _users(
    page: Page,
    status: int = 200,
    *,
    search: str = "",
    offset: int = 0,
    form: users_views.UserForm | None = None,
) -> Response:
    with page.svc.db.read() as s:
        rows, total = users_views.users(s, search, PAGE_SIZE, offset)
    return page.render(
        "admin/users.html",
        status=status,
        rows=rows,
        total=total,
        limit=PAGE_SIZE,
        offset=offset,
        search=search,
        form=form or users_views.UserForm(),
    )


@router.get("/admin/users")
def users(
    page: PageCtx,
    q: str = Query("", max_length=80),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> Response:
    page.require(Role.ADMIN)
    return _users(page, search=q.strip(), offset=offset)


@router.post("/admin/users")
async def create_user(request: Request, page: PageCtx) -> Response:
    page.require(Role.ADMIN)
    return await run_in_threadpool(_create_user, page, await _fields(request))


def _create_user(page: Page, fields: dict[str, str]) -> Response:
    form, password = users_views.parse_user(fields)
    if form.errors:
        return _users(page, 422, form=form)
    try:
        with page.svc.db.write() as s:
            user_id = users_views.create_user(s, page.actor, form, password).id
    except AwardflowError as err:
        form.errors.update(views.field_error(err, "username"))
        return _users(page, status_of(err), form=form)
    page.flash(
        f"Đã tạo người dùng {form.username}. Hãy cấp vai trò cho người này.",
        f"User {form.username} created. Now grant them a role.",
    )
    return page.redirect(f"/admin/users/{user_id}")


def _user(
    page: Page, user_id: int, status: int = 200, form: users_views.GrantForm | None = None
) -> Response:
    with page.svc.db.read() as s:
        detail = users_views.user_detail(s, user_id)
        choices = users_views.options(s)
    roles = [(r.value, page.t(*users_views.role_pair(r))) for r in users_views.GRANTABLE]
    return page.render(
        "admin/user.html",
        status=status,
        form=form or users_views.GrantForm(user_id),
        roles=roles,
        **detail,
        **choices,
    )


@router.get("/admin/users/{user_id}")
def user(user_id: IdPath, page: PageCtx) -> Response:
    page.require(Role.ADMIN)
    return _user(page, user_id)


@router.post("/admin/users/{user_id}/grants")
async def grant_role(user_id: IdPath, request: Request, page: PageCtx) -> Response:
    page.require(Role.ADMIN)
    return await run_in_threadpool(_grant, page, user_id, await _fields(request))


def _grant(page: Page, user_id: int, fields: dict[str, str]) -> Response:
    form = users_views.parse_grant(user_id, fields)
    if form.errors:
        return _user(page, user_id, 422, form)
    try:
        with page.svc.db.write() as s:
            users_views.grant(s, page.actor, form)
    except AwardflowError as err:
        form.errors.update(views.field_error(err, "role"))
        return _user(page, user_id, status_of(err), form)
    page.flash("Đã cấp vai trò.", "Role granted.")
    return page.redirect(f"/admin/users/{user_id}")


@router.post("/admin/grants/{grant_id}/revoke")
def revoke(grant_id: IdPath, page: PageCtx) -> Response:
    page.require(Role.ADMIN)
    with page.svc.db.write() as s:
        user_id = users_views.revoke_grant(s, page.actor, grant_id).user_id
    page.flash("Đã thu hồi vai trò.", "Role revoked.")
    return page.redirect(f"/admin/users/{user_id}")


# --- calendar ---------------------------------------------------------------------------------


def _calendar(page: Page, status: int = 200, form: views.DayForm | None = None) -> Response:
    with page.svc.db.read() as s:
        rows = list(org_repo.calendar_overrides(s))
    return page.render(
        "admin/calendar.html",
        status=status,
        overrides=rows,
        form=form or views.DayForm(),
        kinds=views.DAY_KINDS,
        kind_options=[(k, page.t(*pair)) for k, pair in views.DAY_KINDS.items()],
    )


@router.get("/admin/calendar")
def calendar(page: PageCtx) -> Response:
    page.require(Role.ADMIN)
    return _calendar(page)


@router.post("/admin/calendar")
async def add_override(request: Request, page: PageCtx) -> Response:
    page.require(Role.ADMIN)
    return await run_in_threadpool(_add_override, page, await _fields(request))


def _add_override(page: Page, fields: dict[str, str]) -> Response:
    form = views.parse_override(fields)
    if form.errors:
        return _calendar(page, 422, form)
    with page.svc.db.write() as s:
        replaced = views.add_override(s, page.actor, form)
    with page.svc.db.read() as s:
        page.svc.ctx.reload_calendar(s)  # deadlines from now on count the new day
    label = views.DAY_KINDS[form.kind]
    day = form.day.strftime("%d/%m/%Y") if form.day else ""
    verb = ("Đã thay", "Replaced") if replaced else ("Đã thêm", "Added")
    page.flash(f"{verb[0]}: {day} — {label[0]}.", f"{verb[1]}: {day} — {label[1]}.")
    return page.redirect("/admin/calendar")
