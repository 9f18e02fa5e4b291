"""Queries over the audit log."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from awardflow.db.models import AuditEvent, Nomination


def add(session: Session, event: AuditEvent) -> AuditEvent:
    session.add(event)
    return event


_EVENTS: Table = AuditEvent.__table__  # type: ignore[assignment]
_EVENT_COLUMNS = [c.key for c in _EVENTS.c if c.key != "id"]
_INSERT_EVENT = insert(_EVENTS)


def insert_now(session: Session, event: AuditEvent) -> AuditEvent:
    """Insert ``event`` at once with one Core statement (the transition service's hot path);
    ``event`` stays outside the session, with its new id set."""
    values = {k: getattr(event, k) for k in _EVENT_COLUMNS}
    result = session.connection().execute(_INSERT_EVENT, values)
    inserted = result.inserted_primary_key
    assert inserted is not None
    event.id = int(inserted[0])
    return event


#: the batch form: RETURNING the key with each row's (nomination, seq), which is unique, so the
#: ids are matched back without relying on the order the database returns them in
_INSERT_EVENTS = insert(_EVENTS).returning(_EVENTS.c.id, _EVENTS.c.nomination_id, _EVENTS.c.seq)


def insert_many(session: Session, events: Sequence[AuditEvent]) -> None:
    """:func:`insert_now` for many events (the transition batches): one executemany
    (SQLAlchemy's "insertmanyvalues": a few multi-row INSERT … RETURNING statements)."""
    if len(events) <= 1:
        for event in events:
            insert_now(session, event)
        return
    rows = [{k: getattr(event, k) for k in _EVENT_COLUMNS} for event in events]
    by_link = {(event.nomination_id, event.seq): event for event in events}
    for event_id, nomination_id, seq in session.connection().execute(_INSERT_EVENTS, rows):
        by_link[(nomination_id, seq)].id = int(event_id)


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
