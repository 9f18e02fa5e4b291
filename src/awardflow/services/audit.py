"""The tamper-evident audit log: each event carries an HMAC-SHA256 over its content and the
previous event's hash, and the nomination row keeps the head (last seq and hash).

Edited rows break their own hash; inserted or deleted rows break the chain or the head; and
without the key nobody can forge a consistent replacement chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.db.models import AuditEvent, Nomination
from awardflow.db.repositories import audit as repo
from awardflow.states.context import Actor


def canonical_data(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """JSON-native copy of ``data`` (dates to ISO strings) so the stored value is the hashed one."""
    loaded: dict[str, Any] = json.loads(json.dumps(dict(data or {}), default=str))
    return loaded


def event_hash(key: bytes, event: AuditEvent) -> str:
    at = event.at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    content = {
        "nomination_id": event.nomination_id,
        "seq": event.seq,
        "trigger": event.trigger,
        "from": event.from_state,
        "to": event.to_state,
        "actor_user_id": event.actor_user_id,
        "actor_name": event.actor_name,
        "actor_role": event.actor_role,
        "at": at,
        "comment": event.comment,
        "data": event.data,
        "prev": event.prev_hash,
    }
    body = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


_NEW_EVENT = AuditEvent.__mapper__.class_manager.new_instance


def next_event(
    key: bytes,
    nomination: Nomination,
    *,
    trigger: str,
    from_state: str | None,
    to_state: str,
    actor_user_id: int | None,
    actor_name: str,
    actor_role: str,
    at: datetime,
    comment: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """The next link of ``nomination``'s chain (not yet stored); moves the row's head.

    Built as the ORM's loader builds an instance (its values straight into the instance's
    dict): the mapped constructor would fire an attribute event per column, and every
    transition makes one of these. Added to a session, it is inserted with those values."""
    event: AuditEvent = _NEW_EVENT()
    event.__dict__.update(
        nomination_id=nomination.id,
        seq=nomination.audit_seq + 1,
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        actor_user_id=actor_user_id,
        actor_name=actor_name,
        actor_role=actor_role,
        at=at.astimezone(UTC),
        comment=comment,
        data=canonical_data(data),
        prev_hash=nomination.audit_head,
    )
    event.__dict__["hash"] = event_hash(key, event)
    nomination.audit_seq = event.seq
    nomination.audit_head = event.hash
    return event


def append(session: Session, key: bytes, nomination: Nomination, **fields: Any) -> AuditEvent:
    """Append the next link of ``nomination``'s chain and move its head (ORM: stored at the
    session's next flush); ``fields`` as :func:`next_event` takes them."""
    event = next_event(key, nomination, **fields)
    repo.add(session, event)
    return event


def record(
    session: Session,
    key: bytes,
    nomination: Nomination,
    actor: Actor,
    role: str,
    trigger: str,
    at: datetime,
    *,
    comment: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """An event that changes no state (an edit, a checklist tick, an override): the chain keeps
    everything that happened to the dossier, not only its transitions."""
    nomination.last_activity_at = at
    return append(
        session,
        key,
        nomination,
        trigger=trigger,
        from_state=nomination.state.value,
        to_state=nomination.state.value,
        actor_user_id=actor.user_id,
        actor_name=actor.name,
        actor_role=role,
        at=at,
        comment=comment,
        data=data,
    )


@dataclass(frozen=True, slots=True)
class ChainProblem:
    nomination_id: int
    seq: int | None
    event_id: int | None
    kind: str  # edited | inserted | deleted | head_mismatch | state_mismatch
    message: str

    def __str__(self) -> str:
        where = f"nomination {self.nomination_id}"
        if self.seq is not None:
            where += f", event seq {self.seq} (id {self.event_id})"
        return f"{where}: {self.kind}: {self.message}"


def _check_chain(
    key: bytes, nomination_id: int, events: list[AuditEvent]
) -> Iterator[ChainProblem]:
    prev = ""
    expected_seq = 1
    for ev in events:
        if ev.seq != expected_seq:
            kind = "deleted" if ev.seq > expected_seq else "inserted"
            yield ChainProblem(
                nomination_id, ev.seq, ev.id, kind, f"expected seq {expected_seq}, found {ev.seq}"
            )
        if ev.prev_hash != prev:
            yield ChainProblem(
                nomination_id,
                ev.seq,
                ev.id,
                "inserted" if ev.seq == expected_seq else "deleted",
                "previous-hash link does not match the event before it",
            )
        if event_hash(key, ev) != ev.hash:
            yield ChainProblem(
                nomination_id, ev.seq, ev.id, "edited", "content does not match its hash"
            )
        prev = ev.hash
        expected_seq = ev.seq + 1


def verify(session: Session, key: bytes) -> Iterator[ChainProblem]:
    """Recompute every chain and compare with each nomination's head; yields each problem."""
    events = repo.all_events(session)
    pending = next(events, None)
    for nom_id, head_seq, head_hash, state in repo.heads(session):
        chain: list[AuditEvent] = []
        while pending is not None and pending.nomination_id < nom_id:
            yield ChainProblem(
                pending.nomination_id,
                pending.seq,
                pending.id,
                "inserted",
                "event of a nomination that does not exist",
            )
            pending = next(events, None)
        while pending is not None and pending.nomination_id == nom_id:
            chain.append(pending)
            pending = next(events, None)
        yield from _check_chain(key, nom_id, chain)
        last = chain[-1] if chain else None
        if last is None or last.seq != head_seq or last.hash != head_hash:
            found = f"seq {last.seq}" if last else "no events"
            kind = "deleted" if last is None or last.seq < head_seq else "inserted"
            yield ChainProblem(
                nom_id,
                last.seq if last else None,
                last.id if last else None,
                kind,
                f"chain ends at {found}, nomination head is seq {head_seq}",
            )
        elif last.to_state != state:
            yield ChainProblem(
                nom_id,
                last.seq,
                last.id,
                "state_mismatch",
                f"last event leads to '{last.to_state}', nomination is '{state}'",
            )
    while pending is not None:
        yield ChainProblem(
            pending.nomination_id,
            pending.seq,
            pending.id,
            "inserted",
            "event of a nomination that does not exist",
        )
        pending = next(events, None)
