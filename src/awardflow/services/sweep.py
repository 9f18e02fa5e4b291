"""The deadline sweep (DESIGN §2, "Deadlines and escalation"): reminders, due and overdue
notices fired once per level per stay in a state, stuck marking, and lapses.

Set-based: for every campaign version, waiting state and ladder level it computes one cut-off
(the latest deadline whose notice is due today, in working days) and claims the matching rows in
batches; the per-row work is only building outbox rows. Lapses go through the transition service,
as every state change must, in its batch form (one locked select, executemany writes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import WorkingCalendar, end_of_day, local_date
from awardflow.campaigns.escalation import default_escalation
from awardflow.db.models import Campaign
from awardflow.db.repositories import outbox as outbox_repo
from awardflow.db.repositories import sweep as repo
from awardflow.errors import AwardflowError
from awardflow.services.context import ServiceContext
from awardflow.services.transition_batch import BatchItem, transition_many
from awardflow.states import Actor, NominationState, Role, Trigger
from awardflow.states.lifecycle import TRIGGER_LABELS, WAITING

LAPSING = (NominationState.DRAFT, NominationState.RETURNED, NominationState.AUTHORITY_RETURNED)
_KIND = {"reminder": "deadline_reminder", "due": "deadline_due", "overdue": "deadline_overdue"}


@dataclass
class SweepReport:
    escalated: dict[str, int] = field(default_factory=dict)
    notifications: int = 0
    stuck: int = 0
    lapsed: int = 0
    lapse_errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "escalated": self.escalated,
            "notifications": self.notifications,
            "stuck": self.stuck,
            "lapsed": self.lapsed,
            "lapse_errors": self.lapse_errors,
        }


def shift_working_days(cal: WorkingCalendar, day: date, n: int) -> date:
    """The working day ``n`` working days after (n > 0) or before (n < 0) ``day``'s working day."""
    if n >= 0:
        return cal.add_working_days(day, n) if n else cal.previous_working_day(day)
    current = cal.previous_working_day(day)
    for _ in range(-n):
        current = cal.previous_working_day(current - timedelta(days=1))
    return current


def latest_due_date(cal: WorkingCalendar, today: date, offset: int) -> date:
    """The latest deadline date whose notice at ``offset`` working days is due by ``today``."""
    if offset > 0:
        return shift_working_days(cal, today, -offset)
    if offset < 0:
        return cal.add_working_days(today, -offset)
    return today


def _ladders(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    states = (definition.get("escalation") or {}).get("states")
    if states:
        return dict(states)
    return default_escalation().model_dump(mode="json")["states"]  # type: ignore[no-any-return]


def _expected(state: NominationState) -> dict[str, str]:
    triggers = {
        NominationState.DRAFT: Trigger.PROPOSE,
        NominationState.RETURNED: Trigger.REPROPOSE,
        NominationState.PROPOSED: Trigger.ASSIGN,
        NominationState.IN_APPRAISAL: Trigger.RECOMMEND,
        NominationState.APPRAISED: Trigger.SCHEDULE_VOTE,
        NominationState.IN_COUNCIL: Trigger.PASS_VOTE,
        NominationState.COUNCIL_APPROVED: Trigger.DECIDE,
        NominationState.SUBMITTED: Trigger.CONFER,
        NominationState.AUTHORITY_RETURNED: Trigger.RESUBMIT,
    }
    vi, en = TRIGGER_LABELS[triggers[state]]
    return {"vi": vi, "en": en}


def _recipients(campaign: Campaign, row: dict[str, Any], roles: list[str]) -> list[dict[str, Any]]:
    targets: list[dict[str, Any]] = []
    for name in roles:
        role = Role(name)
        if role is Role.APPRAISER and row["assignee_id"] is not None:
            targets.append(
                {
                    "recipient_user_id": row["assignee_id"],
                    "recipient_role": None,
                    "recipient_unit_id": None,
                    "target": f"u{row['assignee_id']}",
                }
            )
            continue
        unit = {
            Role.UNIT_CLERK: row["unit_id"],
            Role.UNIT_HEAD: row["unit_id"],
            Role.APPRAISER: campaign.appraising_office_id,
            Role.AUTHORITY: campaign.authority_unit_id,
        }.get(role, campaign.organiser_unit_id)
        targets.append(
            {
                "recipient_user_id": None,
                "recipient_role": role.value,
                "recipient_unit_id": unit,
                "target": f"{role.value}@{unit}",
            }
        )
    return targets


def _outbox_rows(
    campaign: Campaign, state: NominationState, step: dict[str, Any], claimed: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    kind = _KIND[step["name"]]
    rows = []
    for row in claimed:
        stay = row["state_entered_at"].astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
        for target in _recipients(campaign, row, step["notify"]):
            key = f"n{row['id']}:{state.value}:{stay}:L{step['level']}:{target.pop('target')}"
            rows.append(
                {
                    "dedupe_key": key,
                    "kind": kind,
                    "nomination_id": row["id"],
                    "audit_event_id": None,
                    **target,
                    "payload": {
                        "level": step["level"],
                        "step": step["name"],
                        "state": state.value,
                        "due_at": row["due_at"].isoformat(),
                        "nominee": row["nominee_name"],
                        "expected_action": _expected(state),
                    },
                }
            )
    return rows


def _targets(campaign: Campaign, roles: list[str]) -> list[tuple[str, int | None, bool]]:
    """(role, fixed unit or None for the dossier's own unit, prefer the assignee) per role, as
    ``_recipients`` resolves them row by row."""
    fixed = {
        Role.APPRAISER: campaign.appraising_office_id,
        Role.AUTHORITY: campaign.authority_unit_id,
    }
    out: list[tuple[str, int | None, bool]] = []
    for name in roles:
        role = Role(name)
        if role in (Role.UNIT_CLERK, Role.UNIT_HEAD):
            out.append((role.value, None, False))
        else:
            unit = fixed.get(role, campaign.organiser_unit_id)
            out.append((role.value, unit, role is Role.APPRAISER))
    return out


def _step(
    session: Session,
    campaign: Campaign,
    version: int,
    state: NominationState,
    step: dict[str, Any],
    due_by: datetime,
    batch: int,
) -> tuple[int, int]:
    """One batch of one ladder step: (claimed, notices written)."""
    common = {
        "campaign_id": campaign.id,
        "campaign_version": version,
        "state": state,
        "level": step["level"],
        "due_by": due_by,
        "mark_stuck": step["name"] == "overdue",
        "batch": batch,
    }
    if session.get_bind().dialect.name == "postgresql":
        payload = {
            "level": step["level"],
            "step": step["name"],
            "state": state.value,
            "expected_action": _expected(state),
        }
        return repo.escalate_set_based(
            session,
            kind=_KIND[step["name"]],
            payload=payload,
            targets=_targets(campaign, step["notify"]),
            **common,
        )
    claimed = repo.claim_escalations(session, **common)
    if not claimed:
        return 0, 0
    rows = _outbox_rows(campaign, state, step, claimed)
    return len(claimed), outbox_repo.insert_ignoring_duplicates(session, rows)


def escalate(
    session: Session,
    ctx: ServiceContext,
    now: datetime,
    *,
    batch: int = 1000,
    max_batches: int = 1000,
) -> SweepReport:
    """Fire every due ladder level once; commit-sized batches are the caller's ``session``.
    On PostgreSQL each batch is one set-based statement; elsewhere rows are claimed and their
    notices built here (a single writer, smaller scale)."""
    report = SweepReport()
    today = local_date(now)
    for campaign, version in repo.campaign_versions(session):
        for state_name, config in _ladders(version.definition).items():
            state = NominationState(state_name)
            if state not in WAITING:
                continue
            for step in sorted(config["ladder"], key=lambda s: s["level"]):
                offset = step["offset_working_days"]
                due_by = end_of_day(latest_due_date(ctx.calendar, today, offset))
                for _ in range(max_batches):
                    claimed, written = _step(
                        session, campaign, version.version, state, step, due_by, batch
                    )
                    if not claimed:
                        break
                    report.notifications += written
                    key = f"{state.value}:{step['name']}"
                    report.escalated[key] = report.escalated.get(key, 0) + claimed
                    if claimed < batch:
                        break
    return report


def mark_stuck(session: Session, now: datetime) -> int:
    """Dossiers with no activity for the campaign's K days in a waiting state become stuck."""
    total = 0
    for campaign, version in repo.campaign_versions(session):
        if version.version != campaign.current_version:
            continue
        ladders = _ladders(version.definition)
        by_days: dict[int, list[NominationState]] = {}
        for state_name, config in ladders.items():
            if state_name == NominationState.DRAFT.value:
                continue  # a draft is the unit's working copy, not yet the department's dossier
            days = int(config.get("stuck_after_days") or campaign.stuck_after_days)
            by_days.setdefault(days, []).append(NominationState(state_name))
        for days, states in by_days.items():
            total += repo.mark_stuck(
                session,
                campaign_id=campaign.id,
                states=states,
                inactive_since=now - timedelta(days=days),
            )
    return total


def lapse_due(
    session: Session, ctx: ServiceContext, now: datetime, *, batch: int = 500
) -> tuple[int, list[str]]:
    """Lapse drafts, returns and authority returns past their deadline (``lapse`` trigger), as
    one transition batch: a refused item writes nothing and is reported; the others lapse."""
    system = Actor.system("sweep")
    due = repo.lapse_candidates(session, LAPSING, now, batch)
    items = [BatchItem(nid, Trigger.LAPSE, system) for nid in due]
    lapsed, errors = 0, []
    for nid, outcome in zip(due, transition_many(session, ctx, items, now=now), strict=True):
        if isinstance(outcome, AwardflowError):
            errors.append(f"#{nid}: {outcome.message_en}")
        else:
            lapsed += 1
    return lapsed, errors


def sweep(session: Session, ctx: ServiceContext, now: datetime | None = None) -> SweepReport:
    """One full sweep in the caller's transaction."""
    now = now or datetime.now(UTC)
    report = escalate(session, ctx, now)
    report.stuck = mark_stuck(session, now)
    report.lapsed, report.lapse_errors = lapse_due(session, ctx, now)
    return report


__all__ = ["SweepReport", "escalate", "lapse_due", "mark_stuck", "sweep"]
