"""Queries over the audit log."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from awardflow.db.models import AuditEvent, Nomination


def add(session: Session, event: AuditEvent) -> AuditEvent:
    session.add(event)
    return event


def events_for(session: Session, nomination_id: int) -> Sequence[AuditEvent]:
    stmt = (
        select(AuditEvent).where(AuditEvent.nomination_id == nomination_id).order_by(AuditEvent.seq)
    )
    return session.execute(stmt).scalars().all()


def heads(session: Session, batch: int = 5000) -> Iterator[tuple[int, int, str, str]]:
    """(nomination id, audit_seq, audit_head, state) of every nomination, by id."""
    stmt = select(
        Nomination.id, Nomination.audit_seq, Nomination.audit_head, Nomination.state
    ).order_by(Nomination.id)
    for row in session.execute(stmt.execution_options(yield_per=batch)):
        yield row.id, row.audit_seq, row.audit_head, row.state.value


def all_events(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    """Every event ordered by nomination and sequence, streamed in batches."""
    stmt = select(AuditEvent).order_by(AuditEvent.nomination_id, AuditEvent.seq, AuditEvent.id)
    yield from session.execute(stmt.execution_options(yield_per=batch)).scalars()
