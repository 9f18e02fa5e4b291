"""The bulk actions of the supervisor's dashboard: the form as typed (kept when it comes back
with an error) and the dry run of ``services.supervision.bulk`` in words, per dossier."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import end_of_day
from awardflow.db.repositories import web_supervisor as repo
from awardflow.services import supervision
from awardflow.services.supervision import BulkItem
from awardflow.services.visibility import nomination_filter
from awardflow.states import Actor
from awardflow.web.i18n import fmt_datetime, role_label, t
from awardflow.web.supervisor_views import WorkItem, work_item

MAX_COMMENT = 2000
ACTIONS = {
    "reassign": ("Phân công lại", "Reassign"),
    "extend": ("Gia hạn xử lý", "Extend the deadline"),
    "remind": ("Nhắc việc", "Send a reminder"),
}


@dataclass
class BulkForm:
    """What the supervisor typed in the bulk form, kept as typed when it is sent back."""

    ids: list[int] = field(default_factory=list)
    action: str = "reassign"
    assignee_id: str = ""
    due_date: str = ""
    comment: str = ""

    @classmethod
    def parse(cls, form: Mapping[str, Any], ids: list[str]) -> BulkForm:
        return cls(
            ids=[int(i) for i in ids if i.strip().isdigit()][:500],
            action=str(form.get("action") or ""),
            assignee_id=str(form.get("assignee_id") or "").strip(),
            due_date=str(form.get("due_date") or "").strip(),
            comment=str(form.get("comment") or "").strip(),
        )

    def errors(self, lang: str, appraisers: set[int]) -> dict[str, str]:
        """Form-level problems, by field; per-dossier refusals come from the dry run."""
        errors: dict[str, str] = {}
        if not self.ids:
            errors["ids"] = t(
                lang, "Hãy chọn ít nhất một hồ sơ trong bảng.", "Select at least one dossier."
            )
        if self.action not in supervision.BULK_ACTIONS:
            errors["action"] = t(lang, "Hãy chọn một thao tác.", "Choose an action.")
        if self.action == "reassign" and not (
            self.assignee_id.isdigit() and int(self.assignee_id) in appraisers
        ):
            errors["assignee_id"] = t(
                lang,
                "Hãy chọn chuyên viên thẩm định nhận hồ sơ.",
                "Choose the appraiser to assign.",
            )
        if self.action == "extend":
            if self.deadline() is None:
                errors["due_date"] = t(
                    lang, "Hãy nhập hạn mới (ngày/tháng/năm).", "Enter the new deadline (a date)."
                )
            if not self.comment:
                errors["comment"] = t(lang, "Hãy ghi lý do gia hạn.", "Give the reason.")
        if len(self.comment) > MAX_COMMENT:
            errors["comment"] = t(
                lang,
                f"Lý do dài quá {MAX_COMMENT} ký tự.",
                f"The reason is longer than {MAX_COMMENT} characters.",
            )
        return errors

    def deadline(self) -> datetime | None:
        """The new deadline: the end of the chosen day in Vietnam, as every deadline is."""
        try:
            return end_of_day(date.fromisoformat(self.due_date))
        except ValueError:
            return None

    def data(self) -> dict[str, Any]:
        if self.action == "reassign":
            return {"assignee_id": int(self.assignee_id)}
        if self.action == "extend":
            due = self.deadline()
            return {"due_at": due.isoformat() if due else ""}
        return {}


@dataclass(frozen=True, slots=True)
class PreviewItem:
    """One selected dossier in the bulk preview: what would happen, or why not."""

    id: int
    item: WorkItem | None  # None when the dossier is closed or out of the actor's sight
    ok: bool
    what: str
    reasons: list[str]


def preview_items(
    session: Session, actor: Actor, items: list[BulkItem], now: datetime, lang: str
) -> list[PreviewItem]:
    """The dry run of ``supervision.bulk`` in words, per item."""
    rows, _ = repo.work_rows(
        session,
        nomination_filter(actor),
        now,
        attention_only=False,
        limit=len(items) or 1,
        ids=[i.nomination_id for i in items],
    )
    by_id = {r.id: work_item(r, now) for r in rows}
    users: set[int] = set()
    units: set[int] = set()
    for i in items:
        target = i.result.get("reminded") or {}
        users.update(x for x in (target.get("recipient_user_id"),) if x)
        units.update(x for x in (target.get("recipient_unit_id"),) if x)
    names = repo.user_names(session, users)
    unit_names = repo.unit_names(session, units)
    out = []
    for i in items:
        reasons = [
            t(lang, str(r.get("message", "")), str(r.get("message_en", ""))) for r in i.reasons
        ]
        what = _would(lang, i.result, names, unit_names) if i.ok else ""
        out.append(PreviewItem(i.nomination_id, by_id.get(i.nomination_id), i.ok, what, reasons))
    return out


def _would(lang: str, result: dict[str, Any], users: dict[int, str], units: dict[int, str]) -> str:
    if "reminded" in result:
        target = result["reminded"]
        if target.get("recipient_user_id"):
            who = users.get(int(target["recipient_user_id"]), "?")
        else:
            unit = units.get(int(target.get("recipient_unit_id") or 0), "")
            who = f"{role_label(lang, target.get('recipient_role') or '')} — {unit}"
        return t(lang, f"Gửi nhắc việc tới: {who}", f"Send a reminder to: {who}")
    would = result.get("would")
    if isinstance(would, dict):
        old = would.get("old_due_at")
        new = datetime.fromisoformat(str(would["new_due_at"]))
        before = (
            fmt_datetime(datetime.fromisoformat(old), lang) if old else t(lang, "chưa có", "none")
        )
        after = fmt_datetime(new, lang)
        return t(lang, f"Hạn xử lý: {before} → {after}", f"Deadline: {before} → {after}")
    trigger = str(result.get("trigger", ""))
    return t(
        lang,
        "Phân công thẩm định" if trigger == "assign" else "Phân công lại",
        "Assign" if trigger == "assign" else "Reassign",
    )
