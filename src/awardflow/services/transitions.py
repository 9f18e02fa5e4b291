"""The one transition service: every state change of every nomination goes through
:func:`transition`, human or automatic, in the caller's transaction (DESIGN §2).

It locks the row and checks the version, runs the guards, moves the state, sets the new
deadline, appends the hash-chained audit event and writes the outbox rows. With an idempotency
key, a repeat returns the first result and writes nothing.

A transition is decided by :func:`_decide` (version, guards, effects, deadline, audit event;
writes nothing) and stored by :func:`_write` (row, audit event, award history, agenda items,
outbox rows). The batch form of this service for the flows,
:mod:`awardflow.services.transition_batch`, runs many items through these same two functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from awardflow.db.models import AuditEvent, AwardHistory, Campaign, Nomination
from awardflow.db.repositories import audit as audit_repo
from awardflow.db.repositories import council as council_repo
from awardflow.db.repositories import idempotency as idem_repo
from awardflow.db.repositories import nominations as repo
from awardflow.db.repositories import outbox as outbox_repo
from awardflow.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    TransitionRefused,
    VersionConflict,
)
from awardflow.services import audit, deadlines
from awardflow.services.context import ServiceContext
from awardflow.services.eligibility import award_type_of_round
from awardflow.services.facts import BatchMemo, DbFacts
from awardflow.services.notify import outbox_rows
from awardflow.states import Actor, GuardContext, Payload, Trigger, evaluate, fire, parse_trigger
from awardflow.states.lifecycle import NominationState as S
from awardflow.states.machine import Verdict, allowed_triggers, structural_triggers


@dataclass(frozen=True, slots=True)
class TransitionResult:
    nomination_id: int
    trigger: str
    from_state: str
    to_state: str
    version: int
    event_seq: int
    due_at: str | None
    replayed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _not_found(nomination_id: int) -> NotFound:
    return NotFound(
        f"Không tìm thấy hồ sơ #{nomination_id}.",
        f"Nomination #{nomination_id} not found.",
        field="nomination_id",
    )


def load(session: Session, nomination_id: int, *, lock: bool = False) -> Nomination:
    nom = (repo.get_for_update if lock else repo.get)(session, nomination_id)
    if nom is None:
        raise _not_found(nomination_id)
    return nom


def guard_context(
    session: Session,
    ctx: ServiceContext,
    nom: Nomination,
    actor: Actor,
    payload: Payload,
    now: datetime,
) -> GuardContext:
    return GuardContext(nom, actor, payload, DbFacts(session, nom, now, ctx.eligibility), now)


def actions_for(
    session: Session,
    ctx: ServiceContext,
    nomination_id: int,
    actor: Actor,
    now: datetime | None = None,
) -> list[Verdict]:
    """``allowed_triggers(nomination, actor)`` for pages and the API."""
    nom = load(session, nomination_id)
    gctx = guard_context(session, ctx, nom, actor, Payload(), now or datetime.now(UTC))
    return allowed_triggers(gctx)


def verdict_for(
    session: Session,
    ctx: ServiceContext,
    nomination_id: int,
    trigger: Trigger,
    actor: Actor,
    now: datetime | None = None,
) -> Verdict | None:
    """One trigger's entry of :func:`actions_for` (None where that list leaves it out: the
    actor holds no role for it), without evaluating the others (a queue's claim buttons)."""
    nom = load(session, nomination_id)
    if trigger not in structural_triggers(nom.state):
        return None
    gctx = guard_context(session, ctx, nom, actor, Payload(), now or datetime.now(UTC))
    verdict = evaluate(trigger, gctx, include_input=False)
    return None if verdict.forbidden else verdict


def _replay(
    session: Session, key: str, nomination_id: int, trigger: Trigger
) -> TransitionResult | None:
    stored = idem_repo.get(session, key)
    if stored is None:
        return None
    if stored.nomination_id != nomination_id or stored.trigger != trigger.value:
        raise InvalidInput(
            "Khóa chống lặp (Idempotency-Key) này đã dùng cho một thao tác khác.",
            "This Idempotency-Key was already used for a different action.",
            field="Idempotency-Key",
        )
    return TransitionResult(**{**stored.response, "replayed": True})


def transition(
    session: Session,
    ctx: ServiceContext,
    nomination_id: int,
    trigger: str | Trigger,
    actor: Actor,
    *,
    expected_version: int | None = None,
    comment: str | None = None,
    data: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    visible: ColumnElement[bool] | None = None,
) -> TransitionResult:
    """Apply ``trigger`` to a nomination for ``actor``; raises an error of the tree on refusal.

    ``visible`` (the caller's visibility filter, ``services.visibility.nomination_filter``)
    is checked in the same locked select: a nomination outside it is not found (404)."""
    trig = parse_trigger(trigger) if isinstance(trigger, str) else trigger
    now = now or datetime.now(UTC)
    if idempotency_key and (done := _replay(session, idempotency_key, nomination_id, trig)):
        return done
    found = repo.get_with_context_for_update(session, nomination_id, visible)
    if found is None:
        raise _not_found(nomination_id)
    payload = Payload((comment or "").strip() or None, dict(data or {}))
    move = _decide(session, ctx, found, trig, actor, payload, now, expected_version, None)
    _write(session, [move])
    result = move.result()
    if idempotency_key:
        idem_repo.add(
            session,
            idempotency_key,
            actor_user_id=actor.user_id,
            nomination_id=nomination_id,
            trigger=trig.value,
            response={k: v for k, v in result.as_dict().items() if k != "replayed"},
        )
    return result


@dataclass(slots=True)
class _Move:
    """One transition decided and applied to its row's snapshot, not yet written."""

    nom: Nomination
    before: dict[str, Any]
    trigger: Trigger
    from_state: S
    event: AuditEvent
    facts: DbFacts
    payload: Payload
    campaign: Campaign

    def result(self) -> TransitionResult:
        nom = self.nom
        return TransitionResult(
            nomination_id=nom.id,
            trigger=self.trigger.value,
            from_state=self.from_state.value,
            to_state=nom.state.value,
            version=self.before["version"] + 1,  # what the write sets (or it raises)
            event_seq=self.event.seq,
            due_at=nom.due_at.isoformat() if nom.due_at else None,
        )


def _decide(
    session: Session,
    ctx: ServiceContext,
    found: repo.WithContext,
    trig: Trigger,
    actor: Actor,
    payload: Payload,
    now: datetime,
    expected_version: int | None,
    memo: BatchMemo | None,
) -> _Move:
    """Check the version and the guards, then move the snapshot: state, effects, clocks,
    deadline, and the next audit event. Raises the refusal; writes nothing."""
    nom, rnd, campaign, award, paths = found
    if expected_version is not None and nom.version != expected_version:
        raise VersionConflict(nom.version, expected_version)
    preloaded = (rnd, campaign, award, paths)
    facts = DbFacts(session, nom, now, ctx.eligibility, preloaded=preloaded, memo=memo)
    verdict = evaluate(trig, GuardContext(nom, actor, payload, facts, now))
    if verdict.forbidden:
        reason = verdict.reasons[0]
        raise Forbidden(reason.vi, reason.en, code=reason.code)
    if not verdict.allowed:
        raise TransitionRefused(trig.value, list(verdict.reasons))

    from_state = nom.state
    before = repo.snapshot(nom)
    _apply_effects(ctx, nom, trig, actor, payload, now)
    fire(nom, trig)
    nom.state_entered_at = now
    nom.last_activity_at = now
    nom.escalation_level = 0
    nom.stuck = False
    nom.due_at = deadlines.due_for(nom, rnd, ctx.calendar, now)
    event = audit.next_event(
        ctx.audit_key,
        nom,
        trigger=trig.value,
        from_state=from_state.value,
        to_state=nom.state.value,
        actor_user_id=actor.user_id,
        actor_name=actor.name,
        actor_role=(verdict.role.value if verdict.role else "system"),
        at=now,
        comment=payload.comment,
        data=payload.data,
    )
    return _Move(nom, before, trig, from_state, event, facts, payload, campaign)


def _write(session: Session, moves: Sequence[_Move]) -> None:
    """Store decided moves: the rows (``WHERE version = old``, else VersionConflict), their
    audit events, award history, agenda items and outbox rows — the same rows for one move or
    many; many go in one executemany per table. The caller holds the rows' locks (select
    ``FOR UPDATE``; SQLite's write transaction), so only a change made in this very transaction
    since the select can move a version."""
    if not repo.write_back_many(session, [(m.nom, m.before) for m in moves]):
        raise _stale(session, moves)
    audit_repo.insert_many(session, [m.event for m in moves])
    for move in moves:
        if move.nom.state is S.AWARDED:
            _record_award(session, move.nom, move.facts, move.payload)
    agenda: dict[int, list[int]] = {}
    for move in moves:
        if move.trigger is Trigger.SCHEDULE_VOTE:
            open_session = move.facts.open_session_id()
            assert open_session is not None  # the schedule_vote guard checked it
            agenda.setdefault(open_session, []).append(move.nom.id)
    for session_id, nomination_ids in agenda.items():
        _put_on_agenda(session, session_id, nomination_ids)
    outbox_repo.add_many(
        session,
        [row for m in moves for row in outbox_rows(m.trigger, m.nom, m.campaign, m.event)],
    )


def _stale(session: Session, moves: Sequence[_Move]) -> VersionConflict:
    """The conflict of the (first) row whose UPDATE matched nothing. Of many, it is the one
    that does not carry the new audit head this write gave it (a version alone cannot tell:
    the other writer may have set the very number this write would have)."""
    if len(moves) > 1:
        found = repo.versions_and_heads(session, [m.nom.id for m in moves])
        for m in moves:
            version, head = found.get(m.nom.id, (m.before["version"], ""))
            if head != m.nom.audit_head:
                return VersionConflict(version, m.before["version"])
    return VersionConflict(moves[0].before["version"])


def _apply_effects(
    ctx: ServiceContext,
    nom: Nomination,
    trig: Trigger,
    actor: Actor,
    payload: Payload,
    now: datetime,
) -> None:
    """What a trigger changes besides the state: assignee, clocks, opinion, decision."""
    if trig is Trigger.PROPOSE:
        nom.dept_clock_started_at = now
        nom.dept_days_used = 0
    elif trig in (Trigger.ASSIGN, Trigger.REASSIGN):
        nom.assignee_id = int(payload.data["assignee_id"])
    elif trig is Trigger.CLAIM:
        nom.assignee_id = actor.user_id
    elif trig is Trigger.RETURN_TO_UNIT:
        nom.dept_days_used += deadlines.days_spent(ctx.calendar, nom.dept_clock_started_at, now)
        nom.dept_clock_started_at = None
        nom.content_version_at_return = nom.content_version
    elif trig is Trigger.REPROPOSE:
        nom.dept_clock_started_at = now
    elif trig is Trigger.AUTHORITY_RETURN:
        nom.content_version_at_return = nom.content_version
    elif trig is Trigger.RECOMMEND and payload.comment:
        nom.opinion = payload.comment
    elif trig in (Trigger.DECIDE, Trigger.CONFER):
        nom.decision_number = payload.text("decision_number")
        raw = payload.data["decision_date"]
        nom.decision_date = raw if isinstance(raw, date) else date.fromisoformat(str(raw))


def _record_award(session: Session, nom: Nomination, facts: DbFacts, payload: Payload) -> None:
    """An awarded nomination joins the nominee's award history (for later chains)."""
    session.add(
        AwardHistory(
            person_id=nom.person_id,
            unit_id=nom.nominee_unit_id if nom.person_id is None else None,
            award_code=facts.award.code,
            award_type=award_type_of_round(facts.round.kind).value,
            year=facts.round.year or (nom.decision_date or date.today()).year,
            decision_number=nom.decision_number,
            decision_date=nom.decision_date,
            issuer=payload.text("issuer"),
            achievement_key=f"nomination:{nom.id}",
            nomination_id=nom.id,
        )
    )


def _put_on_agenda(session: Session, session_id: int, nomination_ids: list[int]) -> None:
    """Dossiers scheduled for a vote join the open session's agenda, counters at zero."""
    from awardflow.services.council import CHOICES

    council_repo.add_agenda_items(session, session_id, nomination_ids, CHOICES)
