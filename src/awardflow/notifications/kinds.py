"""Message kinds and the typed context each one renders with (issue 5).

The outbox ``kind`` column holds a :class:`MessageKind` value. Every kind has a context class
(:data:`CONTEXT_OF`) and a template per language (``templates/{vi,en}/{kind}.j2``) that the
HTML and plain-text layouts both render, so each kind is one HTML + text pair per language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class MessageKind(StrEnum):
    PROPOSED = "proposed"
    ASSIGNED = "assigned"
    RETURNED = "returned"
    REPROPOSED = "reproposed"
    RECOMMENDED = "recommended"
    DECLINED = "declined"
    SCHEDULED_FOR_VOTE = "scheduled_for_vote"
    VOTE_PASSED = "vote_passed"
    VOTE_FAILED = "vote_failed"
    POSTPONED = "postponed"
    DECIDED = "decided"
    SUBMITTED = "submitted"
    AUTHORITY_RETURNED = "authority_returned"
    RESUBMITTED = "resubmitted"
    CONFERRED = "conferred"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"
    DEADLINE_REMINDER = "deadline_reminder"
    DEADLINE_DUE = "deadline_due"
    DEADLINE_OVERDUE = "deadline_overdue"
    SUMMARY_READY = "summary_ready"
    DAILY_DIGEST = "daily_digest"


K = MessageKind

#: The ladder's kinds; a digest user gets these in the daily digest unless escalated.
DEADLINE_KINDS = frozenset({K.DEADLINE_REMINDER, K.DEADLINE_DUE, K.DEADLINE_OVERDUE})


@dataclass(frozen=True, slots=True)
class NominationFacts:
    """What every nomination mail names: the dossier, its award, unit, round and deadline."""

    id: int
    nominee_name: str
    award_name: str
    unit_name: str
    round_name: str
    campaign_title: str
    state: str
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class LifecycleContext:
    """A transition happened: who did it, and the comment they wrote (if any)."""

    nomination: NominationFacts
    actor_name: str
    comment: str | None


@dataclass(frozen=True, slots=True)
class ReasonContext(LifecycleContext):
    """Returned, declined, refused, withdrawn: the reasons are the point of the mail."""

    reasons: str = ""


@dataclass(frozen=True, slots=True)
class VoteContext(LifecycleContext):
    """Scheduled for a vote, or its outcome: the council session."""

    session_name: str = ""
    session_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DecisionContext(LifecycleContext):
    """Decided or conferred: the decision's number and date."""

    decision_number: str = ""
    decision_date: date | None = None


@dataclass(frozen=True, slots=True)
class DeadlineContext:
    """A ladder level: the dossier, what is expected, and by when."""

    nomination: NominationFacts
    level: int
    due_at: datetime
    expected_action: str


@dataclass(frozen=True, slots=True)
class SummaryContext:
    """A round or phase summary (sơ kết, tổng kết) is ready; the report is attached if any."""

    summary_id: int
    title: str
    has_attachment: bool


@dataclass(frozen=True, slots=True)
class DigestTask:
    nomination_id: int
    nominee_name: str
    award_name: str
    state: str
    due_at: datetime | None
    expected_action: str


@dataclass(frozen=True, slots=True)
class DigestContext:
    """The daily digest: open tasks, soonest deadline first."""

    day: date
    tasks: tuple[DigestTask, ...] = field(default_factory=tuple)


Context = LifecycleContext | DeadlineContext | SummaryContext | DigestContext  # subclasses included

CONTEXT_OF: dict[MessageKind, type[Context]] = {
    K.PROPOSED: LifecycleContext,
    K.ASSIGNED: LifecycleContext,
    K.RETURNED: ReasonContext,
    K.REPROPOSED: LifecycleContext,
    K.RECOMMENDED: LifecycleContext,
    K.DECLINED: ReasonContext,
    K.SCHEDULED_FOR_VOTE: VoteContext,
    K.VOTE_PASSED: VoteContext,
    K.VOTE_FAILED: VoteContext,
    K.POSTPONED: VoteContext,
    K.DECIDED: DecisionContext,
    K.SUBMITTED: LifecycleContext,
    K.AUTHORITY_RETURNED: ReasonContext,
    K.RESUBMITTED: LifecycleContext,
    K.CONFERRED: DecisionContext,
    K.REFUSED: ReasonContext,
    K.WITHDRAWN: ReasonContext,
    K.LAPSED: LifecycleContext,
    K.DEADLINE_REMINDER: DeadlineContext,
    K.DEADLINE_DUE: DeadlineContext,
    K.DEADLINE_OVERDUE: DeadlineContext,
    K.SUMMARY_READY: SummaryContext,
    K.DAILY_DIGEST: DigestContext,
}


def nomination_id_of(ctx: Context) -> int | None:
    if isinstance(ctx, LifecycleContext | DeadlineContext):
        return ctx.nomination.id
    return None
