"""Build a kind's typed context from an outbox row and the database, at send time."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from awardflow.db.models import OutboxMessage
from awardflow.db.repositories import notifications as repo
from awardflow.notifications.kinds import (
    CONTEXT_OF,
    DEADLINE_KINDS,
    Context,
    DeadlineContext,
    DecisionContext,
    DigestContext,
    DigestTask,
    LifecycleContext,
    MessageKind,
    NominationFacts,
    ReasonContext,
    SummaryContext,
    VoteContext,
)


def _when(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def attachment_of(row: OutboxMessage) -> Path | None:
    """The summary's report file, when the payload names one that exists."""
    raw = row.payload.get("attachment_path")
    path = Path(str(raw)) if raw else None
    return path if path is not None and path.is_file() else None


def digest_payload_tasks(tasks: list[DigestTask]) -> list[dict[str, Any]]:
    return [
        {
            "nomination_id": t.nomination_id,
            "nominee_name": t.nominee_name,
            "award_name": t.award_name,
            "state": t.state,
            "due_at": t.due_at.isoformat() if t.due_at else None,
            "expected_action": t.expected_action,
        }
        for t in tasks
    ]


def _digest(payload: dict[str, Any]) -> DigestContext:
    tasks = tuple(
        DigestTask(
            nomination_id=int(t["nomination_id"]),
            nominee_name=str(t["nominee_name"]),
            award_name=str(t["award_name"]),
            state=str(t["state"]),
            due_at=_when(t.get("due_at")),
            expected_action=str(t.get("expected_action") or t["state"]),
        )
        for t in payload.get("tasks", [])
    )
    return DigestContext(day=date.fromisoformat(str(payload["date"])), tasks=tasks)


def facts(session: Session, nomination_id: int, state: str | None = None) -> NominationFacts:
    nom, award, unit, rnd, campaign = repo.nomination_row(session, nomination_id)
    return NominationFacts(
        id=nom.id,
        nominee_name=nom.nominee_name,
        award_name=award,
        unit_name=unit,
        round_name=rnd,
        campaign_title=campaign,
        state=state or nom.state.value,
        due_at=nom.due_at,
    )


def build_context(session: Session, row: OutboxMessage) -> Context:
    """The context of ``row``'s kind; raises ValueError for an unknown kind."""
    kind = MessageKind(row.kind)
    payload = row.payload or {}
    if kind is MessageKind.DAILY_DIGEST:
        return _digest(payload)
    if kind is MessageKind.SUMMARY_READY:
        return SummaryContext(
            summary_id=int(payload["summary_id"]),
            title=str(payload["title"]),
            has_attachment=attachment_of(row) is not None,
        )
    if row.nomination_id is None:
        raise ValueError(f"outbox row {row.id} ({kind}) names no nomination")
    if kind in DEADLINE_KINDS:
        f = facts(session, row.nomination_id, payload.get("state"))
        return DeadlineContext(
            nomination=f,
            level=int(payload.get("level", 0)),
            due_at=_when(payload.get("due_at")) or f.due_at or row.created_at,
            expected_action=str(payload.get("expected_action") or f.state),
        )
    event = repo.audit_event(session, row.audit_event_id)
    f = facts(session, row.nomination_id, event.to_state if event else None)
    comment = (event.comment if event else None) or payload.get("comment")
    base: dict[str, Any] = {
        "nomination": f,
        "actor_name": event.actor_name if event else "",
        "comment": comment,
    }
    cls = CONTEXT_OF[kind]
    if cls is ReasonContext:
        return ReasonContext(**base, reasons=comment or "")
    if cls is VoteContext:
        council = repo.council_session_of(session, row.nomination_id)
        return VoteContext(
            **base,
            session_name=council.name if council else "",
            session_at=(council.scheduled_for or council.opened_at) if council else None,
        )
    if cls is DecisionContext:
        nom = repo.nomination_row(session, row.nomination_id)[0]
        return DecisionContext(
            **base, decision_number=nom.decision_number or "", decision_date=nom.decision_date
        )
    return LifecycleContext(**base)
