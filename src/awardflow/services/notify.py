"""Which notifications a transition causes, and to whom (DESIGN §2: the transition service
writes the outbox rows in the same transaction). Recipients are resolved at send time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from awardflow.db.models import AuditEvent, Campaign, Nomination
from awardflow.states.lifecycle import Role, Trigger


@dataclass(frozen=True, slots=True)
class Recipient:
    """A user (``"assignee"``) or a role at one of the nomination's units."""

    who: str  # assignee | unit | organiser | office | authority
    role: Role | None = None


ASSIGNEE = Recipient("assignee")
UNIT_CLERK = Recipient("unit", Role.UNIT_CLERK)
UNIT_HEAD = Recipient("unit", Role.UNIT_HEAD)
OFFICE_APPRAISERS = Recipient("office", Role.APPRAISER)
SUPERVISOR = Recipient("organiser", Role.SUPERVISOR)
DIRECTOR = Recipient("organiser", Role.DIRECTOR)
COUNCIL = Recipient("organiser", Role.COUNCIL_MEMBER)

_UNIT = (UNIT_CLERK, UNIT_HEAD)

RULES: dict[Trigger, tuple[str, tuple[Recipient, ...]]] = {
    Trigger.PROPOSE: ("proposed", (OFFICE_APPRAISERS, SUPERVISOR)),
    Trigger.ASSIGN: ("assigned", (ASSIGNEE,)),
    Trigger.CLAIM: ("assigned", (ASSIGNEE,)),
    Trigger.REASSIGN: ("assigned", (ASSIGNEE,)),
    Trigger.RETURN_TO_UNIT: ("returned", _UNIT),
    Trigger.REPROPOSE: ("reproposed", (ASSIGNEE,)),
    Trigger.RECOMMEND: ("recommended", _UNIT),
    Trigger.DECLINE: ("declined", _UNIT),
    Trigger.SCHEDULE_VOTE: ("scheduled_for_vote", (COUNCIL,)),
    Trigger.PASS_VOTE: ("vote_passed", (*_UNIT, DIRECTOR)),
    Trigger.FAIL_VOTE: ("vote_failed", _UNIT),
    Trigger.POSTPONE: ("postponed", _UNIT),
    Trigger.DECIDE: ("decided", _UNIT),
    Trigger.SUBMIT: ("submitted", _UNIT),
    Trigger.AUTHORITY_RETURN: ("authority_returned", (SUPERVISOR, DIRECTOR)),
    Trigger.RESUBMIT: ("resubmitted", _UNIT),
    Trigger.CONFER: ("conferred", _UNIT),
    Trigger.REFUSE: ("refused", _UNIT),
    Trigger.WITHDRAW: ("withdrawn", (ASSIGNEE, SUPERVISOR)),
    Trigger.LAPSE: ("lapsed", _UNIT),
}


def outbox_rows(
    trigger: Trigger, nomination: Nomination, campaign: Campaign, event: AuditEvent
) -> list[dict[str, Any]]:
    """One row per recipient; the dedupe key makes a repeat of the same event a no-op."""
    kind, recipients = RULES[trigger]
    unit_of = {
        "unit": nomination.unit_id,
        "organiser": campaign.organiser_unit_id,
        "office": campaign.appraising_office_id,
        "authority": campaign.authority_unit_id,
    }
    rows: list[dict[str, Any]] = []
    for r in recipients:
        row: dict[str, Any] = {
            "kind": kind,
            "nomination_id": nomination.id,
            "audit_event_id": event.id,
            "payload": {"trigger": trigger.value, "seq": event.seq, "comment": event.comment},
            "recipient_user_id": None,
            "recipient_role": None,
            "recipient_unit_id": None,
        }
        if r.who == "assignee":
            if nomination.assignee_id is None:
                continue
            row["recipient_user_id"] = nomination.assignee_id
            target = f"u{nomination.assignee_id}"
        else:
            assert r.role is not None
            row["recipient_role"] = r.role.value
            row["recipient_unit_id"] = unit_of[r.who]
            target = f"{r.role.value}@{unit_of[r.who]}"
        row["dedupe_key"] = f"n{nomination.id}:e{event.seq}:{kind}:{target}"
        rows.append(row)
    return rows
