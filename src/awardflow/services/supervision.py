"""What a supervisor does besides transitions: extend a deadline, send a reminder, and the bulk
form of these and of (re)assignment, each with a dry run that says what would happen per item.
A bulk (re)assignment goes through the transition service's batch form (one locked select,
executemany writes); reminders and extensions are applied item by item.

Extending a deadline is not a state change: it moves ``due_at`` later, restarts the escalation
ladder for the new date and appends an ``extend_deadline`` audit event with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.db.models import Nomination
from awardflow.db.repositories import api_queries as q
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import nominations as noms_repo
from awardflow.db.repositories import org as org_repo
from awardflow.db.repositories import outbox as outbox_repo
from awardflow.errors import AwardflowError, Forbidden, InvalidInput, Reason
from awardflow.services import audit, transitions
from awardflow.services.context import ServiceContext
from awardflow.services.transition_batch import BatchItem, transition_many
from awardflow.states import Actor, Payload, Role, Trigger, evaluate
from awardflow.states.lifecycle import TERMINAL
from awardflow.states.lifecycle import NominationState as S

BULK_ACTIONS = ("reassign", "remind", "extend")


def _supervisor_role(session: Session, actor: Actor, nom: Nomination) -> None:
    campaign = campaigns_repo.campaign(session, nom.campaign_id)
    path = org_repo.unit_path(session, campaign.organiser_unit_id) if campaign else None
    if not actor.holds(Role.SUPERVISOR, path, nom.campaign_id):
        raise Forbidden(
            "Chỉ người giám sát mới gia hạn hoặc nhắc việc.",
            "Only a supervisor may extend deadlines or send reminders.",
        )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def check_extend(
    session: Session, actor: Actor, nom: Nomination, due_at: datetime, reason: str
) -> None:
    _supervisor_role(session, actor, nom)
    if not reason.strip():
        raise InvalidInput(
            "Hãy ghi lý do gia hạn.", "Give the reason for the extension.", field="reason"
        )
    if nom.state in TERMINAL:
        raise InvalidInput(
            "Hồ sơ đã kết thúc, không còn hạn xử lý.",
            "The dossier is closed; it has no deadline.",
            field="nomination_id",
        )
    if nom.due_at is not None and _aware(due_at) <= _aware(nom.due_at):
        raise InvalidInput(
            "Hạn mới phải muộn hơn hạn hiện tại.",
            "The new deadline must be later than the current one.",
            field="due_at",
        )


def extend_deadline(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    nomination_id: int,
    due_at: datetime,
    reason: str,
    *,
    now: datetime | None = None,
) -> Nomination:
    now = now or datetime.now(UTC)
    nom = transitions.load(session, nomination_id, lock=True)
    check_extend(session, actor, nom, due_at, reason)
    old = nom.due_at
    nom.due_at = _aware(due_at)
    nom.escalation_level = 0
    nom.stuck = False
    nom.last_activity_at = now
    audit.append(
        session,
        ctx.audit_key,
        nom,
        trigger="extend_deadline",
        from_state=nom.state.value,
        to_state=nom.state.value,
        actor_user_id=actor.user_id,
        actor_name=actor.name,
        actor_role=Role.SUPERVISOR.value,
        at=now,
        comment=reason.strip(),
        data={"old_due_at": old.isoformat() if old else None, "new_due_at": nom.due_at.isoformat()},
    )
    session.flush()
    return nom


_WAITS_ON: dict[S, tuple[Role, str]] = {
    S.DRAFT: (Role.UNIT_HEAD, "unit"),
    S.RETURNED: (Role.UNIT_HEAD, "unit"),
    S.PROPOSED: (Role.SUPERVISOR, "organiser"),
    S.IN_APPRAISAL: (Role.APPRAISER, "assignee"),
    S.APPRAISED: (Role.COUNCIL_SECRETARY, "organiser"),
    S.IN_COUNCIL: (Role.COUNCIL_SECRETARY, "organiser"),
    S.COUNCIL_APPROVED: (Role.DIRECTOR, "organiser"),
    S.SUBMITTED: (Role.AUTHORITY, "authority"),
    S.AUTHORITY_RETURNED: (Role.SUPERVISOR, "organiser"),
}


def reminder_target(session: Session, nom: Nomination) -> dict[str, Any]:
    """Who must act now: the assignee, or a role in a unit (resolved when the mail is sent)."""
    role, where = _WAITS_ON.get(nom.state, (Role.SUPERVISOR, "organiser"))
    if where == "assignee" and nom.assignee_id is not None:
        return {
            "recipient_user_id": nom.assignee_id,
            "recipient_role": None,
            "recipient_unit_id": None,
        }
    campaign = campaigns_repo.campaign(session, nom.campaign_id)
    assert campaign is not None
    unit = {
        "unit": nom.unit_id,
        "authority": campaign.authority_unit_id,
        "assignee": campaign.appraising_office_id,
    }.get(where, campaign.organiser_unit_id)
    return {"recipient_user_id": None, "recipient_role": role.value, "recipient_unit_id": unit}


def remind(
    session: Session, actor: Actor, nom: Nomination, now: datetime, *, dry_run: bool
) -> dict[str, Any]:
    """One ``deadline_reminder`` outbox row (manual) to whoever must act on the dossier now."""
    _supervisor_role(session, actor, nom)
    if nom.state in TERMINAL:
        raise InvalidInput("Hồ sơ đã kết thúc.", "The dossier is closed.", field="nomination_id")
    target = reminder_target(session, nom)
    if not dry_run:
        row = {
            **target,
            "dedupe_key": f"n{nom.id}:manual-reminder:{now.strftime('%Y%m%dT%H%M%S%f')}",
            "kind": "deadline_reminder",
            "nomination_id": nom.id,
            "audit_event_id": None,
            "payload": {
                "level": 0,
                "step": "reminder",
                "manual": True,
                "by": actor.name,
                "state": nom.state.value,
                "due_at": nom.due_at.isoformat() if nom.due_at else None,
                "nominee": nom.nominee_name,
            },
        }
        outbox_repo.add_many(session, [row])
    return target


@dataclass
class BulkItem:
    nomination_id: int
    ok: bool
    result: dict[str, Any] = field(default_factory=dict)
    reasons: list[dict[str, Any]] = field(default_factory=list)


def _reassign(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    nom: Nomination,
    data: Mapping[str, Any],
    comment: str | None,
    now: datetime,
    dry_run: bool,
) -> dict[str, Any]:
    trig = Trigger.ASSIGN if nom.state is S.PROPOSED else Trigger.REASSIGN
    if dry_run:
        payload = Payload(comment, dict(data))
        verdict = evaluate(trig, transitions.guard_context(session, ctx, nom, actor, payload, now))
        if not verdict.allowed:
            raise _refusal(trig.value, list(verdict.reasons), verdict.forbidden)
        return {"trigger": trig.value, "would": f"{nom.state.value} → in_appraisal"}
    res = transitions.transition(
        session, ctx, nom.id, trig, actor, comment=comment, data=data, now=now
    )
    return res.as_dict()


def _refusal(trigger: str, reasons: list[Reason], forbidden: bool) -> AwardflowError:
    from awardflow.errors import TransitionRefused

    if forbidden:
        return Forbidden(reasons[0].vi, reasons[0].en, code=reasons[0].code)
    return TransitionRefused(trigger, reasons)


def run_one(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    action: str,
    nom: Nomination,
    data: Mapping[str, Any],
    comment: str | None,
    now: datetime,
    dry_run: bool,
) -> dict[str, Any]:
    if action == "reassign":
        return _reassign(session, ctx, actor, nom, data, comment, now, dry_run)
    if action == "remind":
        return {"reminded": remind(session, actor, nom, now, dry_run=dry_run)}
    raw = data.get("due_at")
    try:
        due = datetime.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput(
            "Hạn mới (due_at) phải là ngày giờ ISO 8601.",
            "due_at must be an ISO 8601 date-time.",
            field="data.due_at",
        ) from None
    if dry_run:
        check_extend(session, actor, nom, due, comment or "")
        return {
            "would": {
                "old_due_at": nom.due_at.isoformat() if nom.due_at else None,
                "new_due_at": _aware(due).isoformat(),
            }
        }
    done = extend_deadline(session, ctx, actor, nom.id, due, comment or "", now=now)
    return {"due_at": done.due_at.isoformat() if done.due_at else None, "version": done.version}


def bulk(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    action: str,
    nomination_ids: list[int],
    *,
    data: Mapping[str, Any],
    comment: str | None,
    dry_run: bool,
    now: datetime | None = None,
) -> list[BulkItem]:
    """Apply ``action`` to each visible item: one refusal does not undo the others. A dry run
    evaluates each item and writes nothing. Reminders and extensions run item by item, each in
    its own savepoint; a (re)assignment for real is one transition batch (a refused item writes
    nothing, so it needs no savepoint)."""
    from awardflow.services.visibility import require_nomination

    if action not in BULK_ACTIONS:
        raise InvalidInput(
            f"Thao tác hàng loạt phải là một trong: {', '.join(BULK_ACTIONS)}.",
            f"Bulk action must be one of: {', '.join(BULK_ACTIONS)}.",
            field="action",
        )
    now = now or datetime.now(UTC)
    ids = list(dict.fromkeys(nomination_ids))
    if action == "reassign" and not dry_run:
        return _reassign_many(session, ctx, actor, ids, data, comment, now)
    items: list[BulkItem] = []
    for nid in ids:
        try:
            with session.begin_nested():
                nom = require_nomination(session, actor, nid)
                result = run_one(session, ctx, actor, action, nom, data, comment, now, dry_run)
            items.append(BulkItem(nid, True, result))
        except AwardflowError as exc:
            items.append(BulkItem(nid, False, reasons=[exc.as_dict()]))
    return items


def _reassign_many(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    ids: list[int],
    data: Mapping[str, Any],
    comment: str | None,
    now: datetime,
) -> list[BulkItem]:
    """``assign`` (a proposed dossier) or ``reassign`` for each visible item, as one batch; per
    item its result or its refusal, in the order given. An item the actor may not see is not
    found (404), as in :func:`~awardflow.services.visibility.require_nomination`."""
    from awardflow.services.visibility import nomination_filter, not_found

    # one statement for every item's visibility (of its answer, only the ids are used here)
    visible = q.visible_rounds(session, ids, nomination_filter(actor)) if ids else {}
    states = noms_repo.states(session, list(visible)) if visible else {}
    batch = [
        BatchItem(
            nid,
            Trigger.ASSIGN if states[nid] is S.PROPOSED else Trigger.REASSIGN,
            actor,
            comment=comment,
            data=data,
        )
        for nid in ids
        if nid in states
    ]
    outcomes = dict(
        zip(
            [b.nomination_id for b in batch],
            transition_many(session, ctx, batch, now=now),
            strict=True,
        )
    )
    items: list[BulkItem] = []
    for nid in ids:
        outcome = outcomes[nid] if nid in outcomes else not_found(nid)
        if isinstance(outcome, AwardflowError):
            items.append(BulkItem(nid, False, reasons=[outcome.as_dict()]))
        else:
            items.append(BulkItem(nid, True, outcome.as_dict()))
    return items
