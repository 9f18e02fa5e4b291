"""Nomination, evidence, action and history shapes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from awardflow.api.schemas.common import Id
from awardflow.db.models import AuditEvent, Evidence, Nomination
from awardflow.states import Verdict
from awardflow.states.lifecycle import STATE_LABELS, TRIGGER_LABELS


class NominationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    round_id: Id
    award_id: Id
    unit_id: Id
    nominee_kind: Literal["individual", "collective"]
    person_id: Id | None = None
    nominee_unit_id: Id | None = None
    nominee_name: str | None = Field(None, max_length=300)
    achievement: str = Field("", max_length=20000)
    fields: dict[str, Any] = Field(default_factory=dict)


class NominationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nominee_name: str | None = Field(None, min_length=1, max_length=300)
    achievement: str | None = Field(None, max_length=20000)
    fields: dict[str, Any] | None = None


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class NominationOut(BaseModel):
    id: int
    campaign_id: int
    round_id: int
    award_id: int
    unit_id: int
    nominee_kind: str
    person_id: int | None
    nominee_unit_id: int | None
    nominee_name: str
    achievement: str
    fields: dict[str, Any]
    checklist: dict[str, Any]
    opinion: str | None
    state: str
    state_label: str
    state_label_en: str
    version: int
    content_version: int
    assignee_id: int | None
    state_entered_at: datetime
    due_at: datetime | None
    overdue: bool
    escalation_level: int
    stuck: bool
    eligibility_override: str | None
    decision_number: str | None
    decision_date: date | None

    @classmethod
    def of(cls, n: Nomination, now: datetime) -> NominationOut:
        return cls(**nomination_dict({k: getattr(n, k) for k in _READ}, now))


def nomination_dict(row: Mapping[Any, Any], now: datetime) -> dict[str, Any]:
    """A nomination's ``NominationOut`` values from a row of its columns
    (``api_queries.QUEUE_COLUMNS``): the queue pages serialize these without building a model
    (the database's values are trusted), and ``NominationOut.of`` validates them."""
    out = {k: row[k] for k in _PLAIN}
    due = _aware(row["due_at"])
    vi, en = STATE_LABELS[row["state"]]
    out.update(
        nominee_kind=row["nominee_kind"].value,
        fields=dict(row["fields"] or {}),
        checklist=dict(row["checklist"] or {}),
        state=row["state"].value,
        state_label=vi,
        state_label_en=en,
        state_entered_at=_aware(row["state_entered_at"]) or now,
        due_at=due,
        overdue=due is not None and due < now,
    )
    return out


_PLAIN = (
    "id",
    "campaign_id",
    "round_id",
    "award_id",
    "unit_id",
    "person_id",
    "nominee_unit_id",
    "nominee_name",
    "achievement",
    "opinion",
    "version",
    "content_version",
    "assignee_id",
    "escalation_level",
    "stuck",
    "eligibility_override",
    "decision_number",
    "decision_date",
)
#: every column :func:`nomination_dict` reads
_READ = (*_PLAIN, "nominee_kind", "fields", "checklist", "state", "state_entered_at", "due_at")


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: str | None = Field(None, max_length=5000)
    data: dict[str, Any] = Field(default_factory=dict)


class TransitionOut(BaseModel):
    nomination_id: int
    trigger: str
    from_state: str
    to_state: str
    version: int
    event_seq: int
    due_at: str | None
    replayed: bool = False


class ReasonOut(BaseModel):
    code: str
    message: str
    message_en: str
    field: str | None = None


class ActionOut(BaseModel):
    trigger: str
    label: str
    label_en: str
    allowed: bool
    role: str | None
    reasons: list[ReasonOut]

    @classmethod
    def of(cls, v: Verdict) -> ActionOut:
        vi, en = TRIGGER_LABELS[v.trigger]
        return cls(
            trigger=v.trigger.value,
            label=vi,
            label_en=en,
            allowed=v.allowed,
            role=v.role.value if v.role else None,
            reasons=[ReasonOut(**r.as_dict()) for r in v.reasons],
        )


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    nomination_id: int
    sha256: str
    filename: str
    content_type: str
    size: int
    kind: str
    uploaded_by_id: int | None
    uploaded_at: datetime
    removed_at: datetime | None

    @classmethod
    def of(cls, e: Evidence) -> EvidenceOut:
        return cls.model_validate(e)


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    seq: int
    trigger: str
    from_state: str | None
    to_state: str
    actor_user_id: int | None
    actor_name: str
    actor_role: str
    at: datetime
    comment: str | None
    data: dict[str, Any]

    @classmethod
    def of(cls, e: AuditEvent) -> EventOut:
        return cls.model_validate(e)


class CriterionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    criterion: str = Field(min_length=1, max_length=120)
    met: bool
    note: str = Field("", max_length=5000)


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=5000)


class RuleOut(BaseModel):
    rule: str
    name: str
    name_en: str
    source: str
    passed: bool
    facts: str
    facts_en: str


class EligibilityOut(BaseModel):
    award_code: str
    ruleset: str
    passed: bool
    override: str | None
    rules: list[RuleOut]
