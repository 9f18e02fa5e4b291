"""View models shared by the unit, appraiser and dossier pages (issue 7, W2): a nomination as a
list row, the dossier's evidence, criteria and history rows, and the words the templates show.

Texts are ``(vi, en)`` pairs; the templates pick one by the user's language. Nothing here
writes: the pages call the services for that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import TZ, WorkingCalendar, local_date
from awardflow.db.models import AuditEvent, Evidence, Nomination
from awardflow.db.repositories import web_unit as wq
from awardflow.states.lifecycle import (
    EVIDENCE_KIND_LABELS,
    ROLE_LABELS,
    STATE_LABELS,
    TRIGGER_LABELS,
    NominationState,
    Role,
    Trigger,
)

Pair = tuple[str, str]

#: Audit events that change no state, with their labels.
EVENT_LABELS: dict[str, Pair] = {
    "create": ("Lập hồ sơ", "Created"),
    "edit": ("Sửa nội dung hồ sơ", "Edited"),
    "evidence_added": ("Thêm minh chứng", "Evidence added"),
    "checklist": ("Đánh giá tiêu chí", "Criterion assessed"),
    "override_eligibility": ("Cho phép vượt điều kiện", "Eligibility overridden"),
    "extend_deadline": ("Gia hạn", "Deadline extended"),
}

#: The editable fields of a dossier, with their labels (``fields.*`` are keys of ``fields``).
FIELD_LABELS: dict[str, Pair] = {
    "nominee_name": ("Tên đối tượng", "Nominee name"),
    "achievement": ("Tóm tắt thành tích", "Achievements"),
    "fields": ("Thông tin bổ sung", "Further details"),
    "fields.achievement_key": ("Mã thành tích", "Achievement key"),
    "fields.initiative_ids": ("Mã sáng kiến", "Initiative codes"),
}

KIND_LABELS: dict[str, Pair] = {
    "individual": ("Cá nhân", "Individual"),
    "collective": ("Tập thể", "Collective"),
}

URGENCY_LABELS: dict[str, Pair] = {
    "overdue": ("Quá hạn", "Overdue"),
    "today": ("Đến hạn hôm nay", "Due today"),
    "soon": ("Sắp đến hạn", "Due soon"),
}

#: ``escalation_level`` counts the ladder's steps already fired in this stay (default ladder).
ESCALATION_LABELS: dict[int, Pair] = {
    1: ("Đã nhắc hạn", "Reminder sent"),
    2: ("Đã báo đến hạn", "Due notice sent"),
    3: ("Đã báo quá hạn lên lãnh đạo", "Overdue, escalated"),
}

#: Working days before the deadline that count as "due soon" (the default reminder offset + 1).
SOON_WORKING_DAYS = 3


def state_label(state: str | NominationState | None) -> Pair:
    if state is None:
        return ("", "")
    try:
        return STATE_LABELS[NominationState(state)]
    except ValueError:
        return (str(state), str(state))


def event_label(trigger: str) -> Pair:
    if trigger in EVENT_LABELS:
        return EVENT_LABELS[trigger]
    try:
        return TRIGGER_LABELS[Trigger(trigger)]
    except ValueError:
        return (trigger, trigger)


def role_label(role: str) -> Pair:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return (role, role)


def evidence_kind_label(kind: str) -> Pair:
    return EVIDENCE_KIND_LABELS.get(kind, (kind, kind))


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def fmt_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy; a moment is shown on its Vietnamese calendar day."""
    if value is None:
        return ""
    day = local_date(value) if isinstance(value, datetime) else value
    return day.strftime("%d/%m/%Y")


def fmt_moment(value: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in Vietnam time."""
    moment = aware(value)
    return moment.astimezone(TZ).strftime("%d/%m/%Y %H:%M") if moment else ""


def urgency(due_at: datetime | None, now: datetime, calendar: WorkingCalendar) -> str | None:
    """overdue | today | soon | None, from the deadline and the working-day calendar."""
    due = aware(due_at)
    if due is None:
        return None
    if due < now:
        return "overdue"
    today, due_day = local_date(now), local_date(due)
    if due_day <= today:
        return "today"
    if calendar.working_days_between(today, due_day) <= SOON_WORKING_DAYS:
        return "soon"
    return None


# --- list rows -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NominationRow:
    id: int
    nominee_name: str
    nominee_kind: Pair
    unit_name: str
    award_name: str
    round_name: str
    round_id: int
    state: str
    state_label: Pair
    due: str
    due_iso: str
    urgency: str | None
    urgency_label: Pair | None
    escalation_level: int
    escalation_label: Pair | None
    assignee_name: str
    stuck: bool
    version: int


def rows_for(
    session: Session, noms: Sequence[Nomination], now: datetime, calendar: WorkingCalendar
) -> list[NominationRow]:
    """List rows with names looked up in four queries for the whole page."""
    units = wq.unit_names(session, [n.unit_id for n in noms])
    users = wq.user_names(session, [n.assignee_id for n in noms])
    awards = wq.awards_by_id(session, [n.award_id for n in noms])
    rounds = wq.rounds_by_id(session, [n.round_id for n in noms])
    rows = []
    for n in noms:
        level = urgency(n.due_at, now, calendar) if n.state in _WAITING else None
        due = aware(n.due_at)
        rows.append(
            NominationRow(
                id=n.id,
                nominee_name=n.nominee_name,
                nominee_kind=KIND_LABELS.get(n.nominee_kind.value, ("", "")),
                unit_name=units.get(n.unit_id, ""),
                award_name=awards[n.award_id].name if n.award_id in awards else "",
                round_name=rounds[n.round_id].name if n.round_id in rounds else "",
                round_id=n.round_id,
                state=n.state.value,
                state_label=state_label(n.state),
                due=fmt_date(due) if n.state in _WAITING else "",
                due_iso=due.isoformat() if due else "",
                urgency=level,
                urgency_label=URGENCY_LABELS.get(level) if level else None,
                escalation_level=n.escalation_level,
                escalation_label=ESCALATION_LABELS.get(min(n.escalation_level, 3)),
                assignee_name=users.get(n.assignee_id or 0, ""),
                stuck=n.stuck,
                version=n.version,
            )
        )
    return rows


_WAITING = frozenset(STATE_LABELS) - {
    NominationState.AWARDED,
    NominationState.REJECTED,
    NominationState.WITHDRAWN,
    NominationState.LAPSED,
}


# --- dossier parts -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    id: int
    filename: str
    kind: Pair
    content_type: str
    size: str
    uploaded_at: str
    uploaded_by: str
    viewable: bool
    is_image: bool
    removed: bool
    available: bool = True


INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"


def evidence_rows(
    session: Session, items: Sequence[Evidence], stored: Callable[[str], bool] | None = None
) -> list[EvidenceRow]:
    """Rows for the evidence list; ``stored`` says whether the file store holds the bytes
    (the demo's evidence rows have none), so a missing file gets no view or download link."""
    users = wq.user_names(session, [e.uploaded_by_id for e in items])
    return [
        EvidenceRow(
            id=e.id,
            filename=e.filename,
            kind=evidence_kind_label(e.kind),
            content_type=e.content_type,
            size=_size(e.size),
            uploaded_at=fmt_moment(e.uploaded_at),
            uploaded_by=users.get(e.uploaded_by_id or 0, ""),
            viewable=e.content_type in INLINE_TYPES,
            is_image=e.content_type.startswith("image/"),
            removed=e.removed_at is not None,
            available=stored(e.sha256) if stored else True,
        )
        for e in items
    ]


@dataclass(frozen=True, slots=True)
class CriterionRow:
    code: str
    text: str
    required: bool
    met: bool | None
    note: str


def criteria_for(session: Session, nom: Nomination) -> list[dict[str, Any]]:
    """The checklist of the campaign version the nomination started on (as ``recommend``'s
    guard reads it), for the nominee's kind."""
    definition = wq.campaign_definition(session, nom.campaign_id, nom.campaign_version)
    return criteria_of(definition, nom.nominee_kind.value)


def criteria_of(definition: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    criteria = definition.get("criteria", {})
    found = criteria.get(kind, []) if isinstance(criteria, Mapping) else []
    return [dict(c) for c in found if isinstance(c, Mapping) and "code" in c]


def checklist_rows(
    criteria: Sequence[Mapping[str, Any]], checklist: Mapping[str, Any] | None
) -> list[CriterionRow]:
    ticked = checklist or {}
    rows = []
    for c in criteria:
        code = str(c["code"])
        entry = ticked.get(code) if isinstance(ticked.get(code), Mapping) else {}
        met = entry.get("met") if isinstance(entry, Mapping) else None
        rows.append(
            CriterionRow(
                code=code,
                text=str(c.get("text", "")),
                required=bool(c.get("required", True)),
                met=met if isinstance(met, bool) else None,
                note=str(entry.get("note", "")) if isinstance(entry, Mapping) else "",
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class EventRow:
    seq: int
    at: str
    at_iso: str
    trigger: str
    label: Pair
    from_state: Pair | None
    to_state: Pair
    changes_state: bool
    actor_name: str
    role: Pair
    comment: str
    details: list[Pair] = field(default_factory=list)


def _details(event: AuditEvent) -> list[Pair]:
    """What an event's data says, in words (field names, file names, criteria, dates)."""
    data = event.data or {}
    out: list[Pair] = []
    if event.trigger == "edit":
        for name in data.get("changed", []):
            vi, en = FIELD_LABELS.get(str(name), (str(name), str(name)))
            out.append((f"Đã sửa: {vi}", f"Changed: {en}"))
    elif event.trigger == "evidence_added":
        kind_vi, kind_en = evidence_kind_label(str(data.get("kind", "other")))
        name = str(data.get("filename", ""))
        out.append((f"{kind_vi}: {name}", f"{kind_en}: {name}"))
    elif event.trigger == "checklist":
        met = bool(data.get("met"))
        code = str(data.get("criterion", ""))
        out.append(
            (
                f"Tiêu chí {code}: {'Đạt' if met else 'Không đạt'}",
                f"Criterion {code}: {'met' if met else 'not met'}",
            )
        )
        if data.get("note"):
            note = str(data["note"])
            out.append((f"Ghi chú: {note}", f"Note: {note}"))
    elif "decision_number" in data:
        num, day = str(data.get("decision_number", "")), str(data.get("decision_date", ""))
        out.append((f"Quyết định số {num} ngày {day}", f"Decision {num} of {day}"))
    return out


def event_rows(session: Session, events: Sequence[AuditEvent]) -> list[EventRow]:
    del session  # names are stored on the event itself
    rows = []
    for e in events:
        moment = aware(e.at)
        rows.append(
            EventRow(
                seq=e.seq,
                at=fmt_moment(e.at),
                at_iso=moment.isoformat() if moment else "",
                trigger=e.trigger,
                label=event_label(e.trigger),
                from_state=state_label(e.from_state) if e.from_state else None,
                to_state=state_label(e.to_state),
                changes_state=e.from_state != e.to_state,
                actor_name=e.actor_name,
                role=role_label(e.actor_role),
                comment=e.comment or "",
                details=_details(e),
            )
        )
    return rows
