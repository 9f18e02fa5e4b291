"""The admin pages' view models and form checks (issue 7, W4): campaigns (upload through the
campaign loader), the unit tree, the calendar's overrides.

Writes go through the services (``directory.load_campaign_text``; users and grants in
``admin_users_views``). Two things have no service yet and are thin functions here, over the
existing repositories: adding a unit (``org.add_unit``) and adding a calendar override
(``org.upsert_calendar_override``, as ``awardflow calendar add`` does).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import DayKind, WorkingCalendar
from awardflow.db.models import CalendarOverride, Unit
from awardflow.db.repositories import api_lookups as lk
from awardflow.db.repositories import org as org_repo
from awardflow.db.repositories import web_admin as repo
from awardflow.errors import AwardflowError, Conflict, InvalidInput, Reason
from awardflow.services import directory
from awardflow.services.visibility import require_admin
from awardflow.states import Actor
from awardflow.web.submission_views import parse_day

MAX_UPLOAD = 2_000_000
UNIT_KINDS: dict[str, tuple[str, str]] = {
    "school": ("Trường học", "School"),
    "unit": ("Đơn vị", "Unit"),
    "office": ("Phòng, ban", "Office"),
    "department": ("Sở, ngành", "Department"),
    "commune": ("Xã, phường", "Commune"),
    "enterprise": ("Doanh nghiệp", "Enterprise"),
    "cooperative": ("Hợp tác xã", "Cooperative"),
    "province": ("Tỉnh", "Province"),
    "authority": ("Cấp có thẩm quyền", "Authority"),
}
DAY_KINDS: dict[str, tuple[str, str]] = {
    DayKind.WORKDAY.value: ("Ngày làm việc bù", "Make-up working day"),
    DayKind.DAY_OFF.value: ("Ngày nghỉ thêm", "Extra day off"),
}
#: Labels of the campaign page's codes (vi, en).
LABELS: dict[str, tuple[str, str]] = {
    "organiser": ("Đơn vị tổ chức phong trào", "The organiser"),
    "unit": ("Thủ trưởng đơn vị", "The unit's head"),
    "province": ("Cấp tỉnh", "Province"),
    "centre": ("Trung ương", "Central level"),
    "annual": ("Hằng năm", "Annual"),
    "midterm": ("Sơ kết", "Midterm review"),
    "final": ("Tổng kết", "Final review"),
    "thematic": ("Chuyên đề", "Thematic"),
    "adhoc": ("Đột xuất", "Ad hoc"),
    "individual": ("Cá nhân", "Individual"),
    "collective": ("Tập thể", "Collective"),
    "grassroots": ("Cơ sở", "Grassroots"),
    "ministry": ("Bộ, ngành", "Ministry"),
    "state": ("Nhà nước", "State"),
    "department": ("Sở, ngành", "Department"),
}
_CODE = re.compile(r"^[a-z0-9][a-z0-9/_.-]{0,79}$")
Errors = dict[str, Reason]


def required(vi: str, en: str) -> Reason:
    return Reason("required", vi, en)


def field_error(err: AwardflowError, default: str) -> Errors:
    """A service's error, shown next to its field (or ``default``)."""
    return {err.field or default: Reason(err.code, err.message_vi, err.message_en)}


# --- campaigns --------------------------------------------------------------------------------


def decode_upload(data: bytes) -> str:
    if not data:
        raise InvalidInput(
            "Hãy chọn tệp YAML của phong trào.", "Choose the campaign's YAML file.", field="file"
        )
    if len(data) > MAX_UPLOAD:
        raise InvalidInput(
            f"Tệp lớn quá {MAX_UPLOAD // 1_000_000} MB.",
            f"The file is larger than {MAX_UPLOAD // 1_000_000} MB.",
            field="file",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "Tệp không phải văn bản UTF-8.", "The file is not UTF-8 text.", field="file"
        ) from None


def campaigns(session: Session) -> list[dict[str, Any]]:
    rows, _ = lk.campaigns(session, 500, 0)
    return [
        {
            "id": c.id,
            "code": c.code,
            "title": c.title,
            "version": c.current_version,
            "level": c.organiser_level,
            "rounds": len(c.rounds),
            "awards": len(c.awards),
        }
        for c in rows
    ]


def campaign_detail(session: Session, campaign_id: int) -> dict[str, Any]:
    c = directory.campaign(session, campaign_id)
    unit_ids = [
        u
        for u in (
            c.organiser_unit_id,
            c.appraising_office_id,
            c.authority_unit_id,
            c.central_authority_unit_id,
        )
        if u is not None
    ]
    names = {u: (org_repo.unit(session, u) or Unit(name="")).name for u in unit_ids}
    phases = {p.id: p.name for p in c.phases}
    return {
        "campaign": c,
        "organiser": names.get(c.organiser_unit_id, ""),
        "office": names.get(c.appraising_office_id, ""),
        "authority": names.get(c.authority_unit_id or 0, ""),
        "central": names.get(c.central_authority_unit_id or 0, ""),
        "phases": list(c.phases),
        "rounds": [{"row": r, "phase": phases.get(r.phase_id or 0, "")} for r in c.rounds],
        "awards": list(c.awards),
        "versions": repo.versions(session, c.id),
    }


# --- units ------------------------------------------------------------------------------------


def unit_tree(session: Session) -> list[dict[str, Any]]:
    """Every unit, parents before children, with its depth in the tree."""
    return [
        {
            "id": u.id,
            "code": u.code,
            "name": u.name,
            "kind": u.kind,
            "depth": max(0, u.path.count("/") - 2),
            "participants": u.participants,
        }
        for u in directory.units(session)
    ]


@dataclass
class UnitForm:
    code: str = ""
    name: str = ""
    kind: str = "school"
    parent_id: str = ""
    participants: str = ""
    errors: Errors = field(default_factory=dict)


def parse_unit(form: Mapping[str, str]) -> UnitForm:
    f = UnitForm(
        code=form.get("code", "").strip(),
        name=form.get("name", "").strip(),
        kind=form.get("kind", "").strip(),
        parent_id=form.get("parent_id", "").strip(),
        participants=form.get("participants", "").strip(),
    )
    if not _CODE.match(f.code):
        f.errors["code"] = Reason(
            "code_invalid",
            "Mã đơn vị: 1–80 ký tự thường không dấu, số, '-', '_', '.', '/'.",
            "Unit code: 1–80 lower-case letters without accents, digits, '-', '_', '.', '/'.",
        )
    if not f.name or len(f.name) > 300:
        f.errors["name"] = required("Hãy nhập tên đơn vị (tối đa 300 ký tự).", "Enter the "
                                     "unit's name (at most 300 characters).")  # fmt: skip
    if f.kind not in UNIT_KINDS:
        f.errors["kind"] = required("Hãy chọn loại đơn vị.", "Choose the kind of unit.")
    if f.parent_id and not f.parent_id.isdigit():
        f.errors["parent_id"] = required("Đơn vị cấp trên không hợp lệ.", "Invalid parent unit.")
    if f.participants and not (f.participants.isdigit() and int(f.participants) <= 10_000_000):
        f.errors["participants"] = Reason(
            "participants_invalid",
            "Số người tham gia phải là số nguyên không âm.",
            "Participants must be a whole number, zero or more.",
        )
    return f


def add_unit(session: Session, actor: Actor, f: UnitForm) -> Unit:
    require_admin(actor)
    parent = org_repo.unit(session, int(f.parent_id)) if f.parent_id else None
    if f.parent_id and parent is None:
        raise InvalidInput(
            "Không có đơn vị cấp trên này.", "No such parent unit.", field="parent_id"
        )
    if org_repo.unit_by_code(session, f.code) is not None:
        raise Conflict("Mã đơn vị đã được dùng.", "This unit code is taken.", field="code")
    participants = int(f.participants) if f.participants else None
    unit = Unit(code=f.code, name=f.name, kind=f.kind, participants=participants)
    org_repo.add_unit(session, unit, parent)
    session.flush()
    return unit


# --- calendar overrides -----------------------------------------------------------------------


@dataclass
class DayForm:
    day_raw: str = ""
    kind: str = DayKind.WORKDAY.value
    note: str = ""
    errors: Errors = field(default_factory=dict)
    day: date | None = None


def parse_override(form: Mapping[str, str]) -> DayForm:
    f = DayForm(
        day_raw=form.get("day", "").strip(),
        kind=form.get("kind", "").strip(),
        note=form.get("note", "").strip(),
    )
    f.day = parse_day(f.day_raw) if f.day_raw else None
    if f.day is None:
        f.errors["day"] = Reason(
            "day_invalid",
            "Hãy nhập ngày theo dạng ngày/tháng/năm (dd/mm/yyyy).",
            "Enter the day as dd/mm/yyyy.",
        )
    if f.kind not in DAY_KINDS:
        f.errors["kind"] = required("Hãy chọn loại ngày.", "Choose the kind of day.")
    if not f.note or len(f.note) > 300:
        f.errors["note"] = required(
            "Hãy ghi căn cứ (thông báo của Chính phủ…), tối đa 300 ký tự.",
            "Give the basis (the government's notice…), at most 300 characters.",
        )
    if f.day is not None and f.kind in DAY_KINDS and not f.errors:
        working = WorkingCalendar().is_working_day(f.day)  # without any override
        if working == (f.kind == DayKind.WORKDAY.value):
            f.errors["kind"] = Reason(
                "no_change",
                "Ngày này vốn đã là ngày làm việc."
                if working
                else "Ngày này vốn đã là ngày nghỉ (cuối tuần hoặc ngày lễ).",
                "This day is already a working day."
                if working
                else "This day is already a day off (weekend or public holiday).",
            )
    return f


def add_override(session: Session, actor: Actor, f: DayForm) -> bool:
    """Add or replace the override of ``f.day``; True when one of that day was replaced. The
    caller rebuilds the calendar deadlines use (``ServiceContext.reload_calendar``) after the
    commit."""
    require_admin(actor)
    assert f.day is not None
    replaced = any(o.day == f.day for o in org_repo.calendar_overrides(session))
    org_repo.upsert_calendar_override(
        session, CalendarOverride(day=f.day, kind=DayKind(f.kind), note=f.note)
    )
    session.flush()
    return replaced
