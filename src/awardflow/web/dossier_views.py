"""The dossier page's view model (issue 7, W2): ``/nominations/{id}`` for every role that may see
the nomination. Header, evidence, the appraisal checklist, the eligibility explanation, the
history, the last return with what changed since, and the actions this user may take now
(``allowed_triggers``) with the inputs each needs; nothing here writes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import local_date
from awardflow.db.models import AuditEvent, Evidence, Nomination
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import nominations as noms_repo
from awardflow.db.repositories import org as org_repo
from awardflow.db.repositories import web_unit as wq
from awardflow.errors import Reason
from awardflow.services import queries, transitions
from awardflow.services.context import ServiceContext
from awardflow.services.nominations import EDITABLE
from awardflow.services.visibility import require_nomination
from awardflow.states import Actor, Role, Trigger
from awardflow.states.eligibility.results import Explanation
from awardflow.states.lifecycle import TRIGGER_LABELS
from awardflow.states.lifecycle import NominationState as S
from awardflow.states.table import BY_TRIGGER
from awardflow.web.nomination_views import (
    FIELD_LABELS,
    KIND_LABELS,
    CriterionRow,
    EventRow,
    EvidenceRow,
    NominationRow,
    Pair,
    checklist_rows,
    criteria_for,
    event_rows,
    evidence_rows,
    fmt_moment,
    rows_for,
)

# --- a return and what changed since ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field edited since the return: its value now and, when the edit event recorded it,
    the value before (``None`` when the event names the field only)."""

    name: str
    label: Pair
    current: str
    by: str
    at: str
    before: str | None = None


@dataclass
class ReturnView:
    """The last return (by the appraiser or the authority) and what changed since it."""

    trigger: str
    reason: str
    by: str
    at: str
    field_changes: list[FieldChange] = field(default_factory=list)
    files_added: list[EvidenceRow] = field(default_factory=list)
    files_before: list[EvidenceRow] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.field_changes or self.files_added)


_RETURN_TRIGGERS = (Trigger.RETURN_TO_UNIT.value, Trigger.AUTHORITY_RETURN.value)


def _current_value(nom: Nomination, name: str) -> str:
    if name == "fields":
        parts = [f"{k}: {_plain(v)}" for k, v in sorted((nom.fields or {}).items())]
        return "; ".join(parts)
    return str(getattr(nom, name, "") or "")


def _plain(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _values_at_return(edits: Sequence[AuditEvent]) -> dict[str, str]:
    """A field's value when the dossier was returned: the ``before`` the first edit after the
    return recorded, when the edit event records one (today's events name the fields only)."""
    found: dict[str, str] = {}
    for e in edits:
        recorded = (e.data or {}).get("before")
        if isinstance(recorded, dict):
            for key, value in recorded.items():
                found.setdefault(str(key), _plain(value))
    return found


def return_view(
    session: Session, nom: Nomination, events: Sequence[AuditEvent], items: Sequence[Evidence]
) -> ReturnView | None:
    """The appraiser's reasons and the diff since: fields edited (from the audit chain's edit
    events, with their current values) and files added after the return (from the evidence
    rows), against the files the dossier had when it was returned."""
    last = next((e for e in reversed(events) if e.trigger in _RETURN_TRIGGERS), None)
    if last is None:
        return None
    view = ReturnView(
        trigger=last.trigger,
        reason=last.comment or "",
        by=last.actor_name,
        at=fmt_moment(last.at),
    )
    edits = [e for e in events if e.seq > last.seq and e.trigger == "edit"]
    before = _values_at_return(edits)
    seen: set[str] = set()
    for e in reversed(edits):  # the latest edit of each field says who changed it last
        for name in (e.data or {}).get("changed", []):
            key = str(name)
            if key in seen:
                continue
            seen.add(key)
            view.field_changes.append(
                FieldChange(
                    name=key,
                    label=FIELD_LABELS.get(key, (key, key)),
                    current=_current_value(nom, key),
                    by=e.actor_name,
                    at=fmt_moment(e.at),
                    before=before.get(key),
                )
            )
    added_ids = {
        int(e.data["evidence_id"])
        for e in events
        if e.seq > last.seq and e.trigger == "evidence_added" and "evidence_id" in (e.data or {})
    }
    rows = evidence_rows(session, items)
    view.files_added = [r for r in rows if r.id in added_ids]
    view.files_before = [r for r in rows if r.id not in added_ids]
    return view


def appraiser_choices(session: Session, office_path: str) -> list[tuple[int, str]]:
    """(user id, name) of the appraisers of an office, for the assign/reassign form."""
    ids = org_repo.users_with_role_under(session, Role.APPRAISER, office_path)
    names = wq.user_names(session, ids)
    return sorted(((i, names.get(i, str(i))) for i in ids), key=lambda p: p[1])


# --- actions -------------------------------------------------------------------------------------

#: Triggers whose guard asks for a typed reason, and the label of that box.
_REASON = ("Lý do", "Reason")
_COMMENT_LABELS: dict[Trigger, Pair] = {
    Trigger.RETURN_TO_UNIT: (
        "Lý do trả lại (những gì còn thiếu, chưa đạt)",
        "Why (what is missing)",
    ),
    Trigger.DECLINE: ("Lý do không đề xuất", "Why it is declined"),
    Trigger.WITHDRAW: ("Lý do rút hồ sơ", "Why it is withdrawn"),
    Trigger.POSTPONE: ("Lý do hoãn", "Why it is postponed"),
    Trigger.AUTHORITY_RETURN: _REASON,
    Trigger.REFUSE: _REASON,
    Trigger.RECOMMEND: ("Ý kiến thẩm định", "Appraisal opinion"),
}
_DANGER = frozenset({Trigger.DECLINE, Trigger.WITHDRAW, Trigger.REFUSE})
_CONFIRM: dict[Trigger, Pair] = {
    Trigger.WITHDRAW: (
        "Rút hồ sơ này? Không thể hoàn tác.",
        "Withdraw this nomination? This cannot be undone.",
    ),
    Trigger.DECLINE: ("Không đề xuất hồ sơ này?", "Decline this nomination?"),
}


@dataclass(frozen=True, slots=True)
class ActionView:
    """One trigger the user holds a role for: a button (with its inputs) or the reasons why not."""

    trigger: str
    label: Pair
    allowed: bool
    reasons: tuple[Reason, ...]
    comment_label: Pair | None = None
    comment_required: bool = False
    decision: bool = False
    assignee: bool = False
    danger: bool = False
    confirm: Pair | None = None


def action_view(
    trigger: Trigger, allowed: bool, reasons: Sequence[Reason], nom: Nomination
) -> ActionView:
    guards = {g.name for g in BY_TRIGGER[trigger].guards}
    comment = _COMMENT_LABELS.get(trigger)
    if comment is None and "reason_given" in guards:
        comment = _REASON
    required = "reason_given" in guards or (
        "opinion_written" in guards and not (nom.opinion or "").strip()
    )
    return ActionView(
        trigger=trigger.value,
        label=TRIGGER_LABELS[trigger],
        allowed=allowed,
        reasons=tuple(reasons),
        comment_label=comment,
        comment_required=required,
        decision="decision_recorded" in guards,
        assignee="assignee_given" in guards,
        danger=trigger in _DANGER,
        confirm=_CONFIRM.get(trigger),
    )


# --- the page ------------------------------------------------------------------------------------


@dataclass
class Dossier:
    nom: Nomination
    row: NominationRow
    campaign_title: str
    kind: Pair
    unit_name: str
    nominee_unit_name: str
    created: str
    evidence: list[EvidenceRow]
    criteria: list[CriterionRow]
    can_tick: bool
    explanation: Explanation | None
    override: str | None
    events: list[EventRow]
    actions: list[ActionView]
    blocked: list[ActionView]
    returned: ReturnView | None
    can_edit: bool
    appraisers: list[tuple[int, str]] = field(default_factory=list)
    extra_fields: list[tuple[Pair, str]] = field(default_factory=list)


def build(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    nomination_id: int,
    now: datetime,
    stored: Callable[[str], bool] | None = None,
) -> Dossier:
    """Everything the page shows, for an actor who may see the nomination (404 otherwise)."""
    nom = require_nomination(session, actor, nomination_id)
    campaign = campaigns_repo.campaign(session, nom.campaign_id)
    events = list(queries.history(session, actor, nomination_id))
    items = list(noms_repo.evidence_for(session, nomination_id))
    explanation, override = queries.eligibility(session, ctx, actor, nomination_id, now)
    verdicts = transitions.actions_for(session, ctx, nomination_id, actor, now)
    views = [action_view(v.trigger, v.allowed, v.reasons, nom) for v in verdicts]
    unit_path = org_repo.unit_path(session, nom.unit_id)
    unit_role = any(
        actor.holds(r, unit_path, nom.campaign_id) for r in (Role.UNIT_CLERK, Role.UNIT_HEAD)
    )
    names = wq.unit_names(session, [nom.unit_id, nom.nominee_unit_id])
    office = org_repo.unit_path(session, campaign.appraising_office_id) if campaign else ""
    wants_assignee = any(v.assignee for v in views if v.allowed)
    returned = return_view(session, nom, events, items) if _shows_return(nom) else None
    extra = [
        (FIELD_LABELS.get(f"fields.{k}", (k, k)), _plain(v))
        for k, v in sorted((nom.fields or {}).items())
    ]
    return Dossier(
        nom=nom,
        row=rows_for(session, [nom], now, ctx.calendar)[0],
        campaign_title=campaign.title if campaign else "",
        kind=KIND_LABELS.get(nom.nominee_kind.value, ("", "")),
        unit_name=names.get(nom.unit_id, ""),
        nominee_unit_name=names.get(nom.nominee_unit_id or 0, ""),
        created=fmt_moment(nom.created_at),
        evidence=evidence_rows(session, items, stored),
        criteria=checklist_rows(criteria_for(session, nom), nom.checklist),
        can_tick=nom.state is S.IN_APPRAISAL and nom.assignee_id == actor.user_id,
        explanation=explanation,
        override=override,
        events=event_rows(session, events),
        actions=[v for v in views if v.allowed],
        blocked=[v for v in views if not v.allowed],
        returned=returned,
        can_edit=unit_role and nom.state in EDITABLE,
        appraisers=appraiser_choices(session, office) if wants_assignee and office else [],
        extra_fields=extra,
    )


def _shows_return(nom: Nomination) -> bool:
    """A return matters while the dossier waits on the unit, or after it went back."""
    return nom.content_version_at_return is not None


def today(now: datetime) -> str:
    return local_date(now).isoformat()
