"""What the director's and the receiving authority's desks share (issue 7, W4): the checks of
a decision number and date and of a reason, the state machine's verdicts for a row, the
submissions upward an actor may see (``services.records.submissions``, the API's rule) with
their items, and the documents of a submission's package (tờ trình, danh sách, the whole zip)
from the same renderers as ``services.packages``."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.db.repositories import web_director as repo
from awardflow.errors import NotFound, Reason
from awardflow.reports.html import render as render_document
from awardflow.reports.pdf import html_to_pdf
from awardflow.reports.xlsx import nominee_list_workbook
from awardflow.services import records, transitions
from awardflow.services.context import ServiceContext
from awardflow.services.packages import MEDIA, build_package, cover_letter, package_context
from awardflow.states import Actor, Trigger
from awardflow.states.machine import Verdict

MAX_NUMBER = 80  # decisions.number is String(80)
MAX_REASON = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- form values shared by the director's and the authority's forms ---------------------------


def parse_day(raw: str) -> date | None:
    """``2026-11-20`` (a date input) or ``20/11/2026`` (typed by hand); None if neither."""
    raw = raw.strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw)
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def check_decision(number: str, day_raw: str, today: date) -> tuple[dict[str, Reason], date | None]:
    """Errors of a decision number and date (field → reason), and the parsed date."""
    errors: dict[str, Reason] = {}
    if not number:
        errors["decision_number"] = Reason(
            "decision_number_missing", "Hãy nhập số quyết định.", "Enter the decision number."
        )
    elif len(number) > MAX_NUMBER or _CONTROL.search(number):
        errors["decision_number"] = Reason(
            "decision_number_invalid",
            f"Số quyết định tối đa {MAX_NUMBER} ký tự, không chứa ký tự điều khiển.",
            f"The decision number has at most {MAX_NUMBER} characters, no control characters.",
        )
    day = parse_day(day_raw) if day_raw.strip() else None
    if not day_raw.strip():
        errors["decision_date"] = Reason(
            "decision_date_missing", "Hãy nhập ngày quyết định.", "Enter the decision date."
        )
    elif day is None:
        errors["decision_date"] = Reason(
            "decision_date_invalid",
            "Ngày quyết định không hợp lệ; hãy nhập theo dạng ngày/tháng/năm (dd/mm/yyyy).",
            "The decision date is not valid; enter it as dd/mm/yyyy.",
        )
    elif day > today:
        errors["decision_date"] = Reason(
            "decision_date_future",
            "Ngày quyết định không được sau ngày hôm nay.",
            "The decision date cannot be later than today.",
        )
    return errors, day


def check_reason(text: str) -> dict[str, Reason]:
    if not text:
        return {
            "reason": Reason(
                "reason_missing",
                "Hãy ghi rõ lý do (những gì còn thiếu hoặc chưa đạt).",
                "Give the reason (what is missing or not met).",
            )
        }
    if len(text) > MAX_REASON:
        return {
            "reason": Reason(
                "reason_too_long",
                f"Lý do dài quá {MAX_REASON} ký tự.",
                f"The reason is longer than {MAX_REASON} characters.",
            )
        }
    return {}


def verdicts(
    session: Session, ctx: ServiceContext, actor: Actor, nomination_id: int, now: datetime
) -> dict[Trigger, Verdict]:
    """The triggers this actor holds a role for now, allowed or with reasons."""
    return {v.trigger: v for v in transitions.actions_for(session, ctx, nomination_id, actor, now)}


def submissions(session: Session, actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
    """The visible submissions, newest first, with their items and counts per state."""
    rows, _total = records.submissions(session, actor, limit, 0)
    ids = [r.id for r in rows]
    headers = repo.submission_headers(session, ids)
    items = repo.submission_items(session, ids)
    out = []
    for sub in reversed(rows):
        counts: dict[str, int] = {}
        for item in items[sub.id]:
            counts[item["state"].value] = counts.get(item["state"].value, 0) + 1
        out.append(
            {
                "id": sub.id,
                "batch_key": sub.batch_key,
                "status": sub.status,
                "created_at": sub.created_at,
                "sent_at": sub.sent_at,
                "gateway_ref": sub.gateway_ref,
                **headers.get(sub.id, {"round": "", "campaign": "", "authority": ""}),
                "items": items[sub.id],
                "counts": counts,
            }
        )
    return out


# --- documents --------------------------------------------------------------------------------

SUBMISSION_DOCS = ("to-trinh.pdf", "danh-sach.pdf", "danh-sach.xlsx", "ho-so.zip")
_ZIP = "application/zip"


def _nominee_list(ctx: dict[str, Any]) -> tuple[str, str]:
    title = "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"
    return title, f"(Kèm theo Tờ trình của {ctx['lh'].body} - {ctx['round'].name})"


def submission_document(
    session: Session, actor: Actor, submission_id: int, name: str
) -> tuple[bytes, str]:
    """One document of a visible submission's package and its media type."""
    if name not in SUBMISSION_DOCS:
        raise NotFound("Không có tài liệu này.", "No such document.", field="name")
    records.submission(session, actor, submission_id)  # 404 unless visible to the actor
    if name == "ho-so.zip":
        return build_package(session, submission_id), _ZIP
    ctx = package_context(session, submission_id)
    if name == "to-trinh.pdf":
        return html_to_pdf(render_document("cover_letter.html", **cover_letter(ctx))), MEDIA["pdf"]
    title, subtitle = _nominee_list(ctx)
    if name == "danh-sach.xlsx":
        return nominee_list_workbook(title, subtitle, ctx["rows"]), MEDIA["xlsx"]
    html = render_document(
        "nominee_list.html", lh=ctx["lh"], title=title, subtitle=subtitle, rows=ctx["rows"]
    )
    return html_to_pdf(html), MEDIA["pdf"]
