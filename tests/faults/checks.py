"""What every fault test asserts about the database afterwards: nothing lost, nothing illegal,
nothing half-written, nothing twice."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from tests.conftest import AUDIT_KEY
from tests.faults.ledger import Ledger
from tests.support.processes import SmtpSink

from awardflow.db.models import AuditEvent, Nomination, OutboxMessage
from awardflow.db.models.inbox import InboxItem, NotificationDelivery
from awardflow.db.session import Database
from awardflow.services.audit import verify
from awardflow.services.notify import RULES
from awardflow.states import Trigger
from awardflow.states.table import TABLE

#: Every (trigger, from, to) the lifecycle allows (DESIGN §2's table).
EDGES = {(t.trigger.value, s.value, t.dest.value) for t in TABLE for s in t.sources}
TRIGGER_NAMES = {t.value for t in Trigger}


@dataclass
class DbFacts:
    nominations: int = 0
    events: int = 0
    transitions: Counter[str] = field(default_factory=Counter)
    states: Counter[str] = field(default_factory=Counter)
    outbox: int = 0
    unseen: int = 0  # transition events no client saw answered (their answer was lost)


def check_chains(db: Database) -> DbFacts:
    """Every chain verifies (HMAC, links, head) and ends in the row's state; every event is an
    edge of the lifecycle table (or a non-state event: create, or from == to); consecutive
    events connect; the row's version counts its events (no write without its event)."""
    facts = DbFacts()
    with db.read() as s:
        problems = [str(p) for p in verify(s, AUDIT_KEY)]
        events = s.execute(
            select(
                AuditEvent.nomination_id,
                AuditEvent.seq,
                AuditEvent.trigger,
                AuditEvent.from_state,
                AuditEvent.to_state,
            ).order_by(AuditEvent.nomination_id, AuditEvent.seq)
        ).all()
        rows = s.execute(
            select(Nomination.id, Nomination.state, Nomination.version, Nomination.audit_seq)
        ).all()
    assert problems == [], problems[:10]
    illegal: list[str] = []
    last: dict[int, str] = {}
    for nid, seq, trigger, src, dst in events:
        if trigger in TRIGGER_NAMES:
            facts.transitions[trigger] += 1
            if (trigger, src, dst) not in EDGES:
                illegal.append(f"n{nid} e{seq}: {trigger} {src} -> {dst} is not in the table")
        elif trigger == "create":
            if (seq, src, dst) != (1, None, "draft"):
                illegal.append(f"n{nid} e{seq}: create {src} -> {dst}")
        elif src != dst:
            illegal.append(f"n{nid} e{seq}: {trigger} changed the state {src} -> {dst}")
        if seq > 1 and last.get(nid) != src:
            illegal.append(f"n{nid} e{seq}: starts from {src}, previous event left {last.get(nid)}")
        last[nid] = dst
    assert illegal == [], illegal[:10]
    # a create is an INSERT then an UPDATE (its deadline, its chain head) in one transaction;
    # every later event is one UPDATE: so the version is always the number of events plus one
    off = [f"n{nid}: version {v}, {seq} events" for nid, _, v, seq in rows if v != seq + 1]
    assert off == [], off[:10]
    facts.nominations, facts.events = len(rows), len(events)
    facts.states = Counter(str(getattr(st, "value", st)) for _, st, _, _ in rows)
    return facts


def check_ledger(db: Database, ledger: Ledger, facts: DbFacts, *, exact: bool) -> None:
    """What clients saw against what is stored. Every 2xx transition is there as the event the
    answer named; every create is there; each Idempotency-Key answered one result. A stored
    transition no client saw answered must be one whose answer was lost (``ledger.unknown``);
    with ``exact`` (no faults) there must be none."""
    with db.read() as s:
        stored = {
            (nid, seq): (trigger, dst)
            for nid, seq, trigger, dst in s.execute(
                select(
                    AuditEvent.nomination_id,
                    AuditEvent.seq,
                    AuditEvent.trigger,
                    AuditEvent.to_state,
                )
            )
        }
        nominations = set(s.scalars(select(Nomination.id)))
    lost = [
        c for c in ledger.committed if stored.get((c.nid, c.event_seq)) != (c.trigger, c.to_state)
    ]
    assert lost == [], f"{len(lost)} committed transitions missing, e.g. {lost[:5]}"
    missing = sorted(set(ledger.created) - nominations)
    assert missing == [], f"created nominations missing: {missing[:10]}"
    answers: dict[tuple[str, str], set[tuple[int, int, str]]] = defaultdict(set)
    for c in ledger.committed:
        if c.key:
            answers[(c.user, c.key)].add((c.nid, c.event_seq, c.to_state))
    twice = {k: v for k, v in answers.items() if len(v) > 1}
    assert twice == {}, f"one Idempotency-Key, several results: {list(twice.items())[:5]}"
    assert ledger.mismatches == [], ledger.mismatches[:5]
    seen = {(c.nid, c.event_seq) for c in ledger.committed}
    unseen: Counter[tuple[int, str]] = Counter(
        (nid, trigger)
        for (nid, seq), (trigger, _) in stored.items()
        if trigger in TRIGGER_NAMES and (nid, seq) not in seen
    )
    unexplained = {k: n for k, n in unseen.items() if n > ledger.unknown[k]}
    assert unexplained == {}, f"transitions nobody asked for: {list(unexplained.items())[:10]}"
    facts.unseen = sum(unseen.values())
    if exact:
        assert facts.unseen == 0


def check_outbox(db: Database, facts: DbFacts) -> None:
    """One outbox row per (event, kind, recipient), the kind the event's trigger causes, and at
    least every recipient that does not depend on an assignee; deliveries and inbox items
    unique per (row, user)."""
    with db.read() as s:
        transitions = AuditEvent.trigger.in_(TRIGGER_NAMES)
        events = dict(s.execute(select(AuditEvent.id, AuditEvent.trigger).where(transitions)).all())
        rows = s.execute(
            select(
                OutboxMessage.audit_event_id,
                OutboxMessage.kind,
                OutboxMessage.recipient_user_id,
                OutboxMessage.recipient_role,
                OutboxMessage.recipient_unit_id,
            )
        ).all()
        twice_d = s.execute(
            select(NotificationDelivery.outbox_id, NotificationDelivery.user_id)
            .group_by(NotificationDelivery.outbox_id, NotificationDelivery.user_id)
            .having(func.count() > 1)
        ).all()
        twice_i = s.execute(
            select(InboxItem.outbox_id, InboxItem.user_id)
            .group_by(InboxItem.outbox_id, InboxItem.user_id)
            .having(func.count() > 1)
        ).all()
    logical = Counter(tuple(r) for r in rows)
    assert [k for k, n in logical.items() if n > 1] == []
    assert twice_d == [] and twice_i == []
    per_event: Counter[int] = Counter()
    wrong: list[str] = []
    for event_id, kind, *_ in rows:
        trigger = events.get(event_id)
        if trigger is None or RULES[Trigger(trigger)][0] != kind:
            wrong.append(f"row of event {event_id} ({trigger}) has kind {kind}")
        per_event[event_id] += 1
    assert wrong == [], wrong[:10]
    short = []
    for event_id, trigger in events.items():
        recipients = RULES[Trigger(trigger)][1]
        fixed = sum(1 for r in recipients if r.who != "assignee")
        if not fixed <= per_event[event_id] <= len(recipients):
            short.append(f"event {event_id} ({trigger}): {per_event[event_id]} rows")
    assert short == [], short[:10]
    facts.outbox = len(rows)


@dataclass
class Delivered:
    rows: int
    deliveries: int
    received: int
    duplicates: int
    duplicated_ids: list[str]


def check_delivered(db: Database, sink: SmtpSink) -> Delivered:
    """Every outbox row sent; every recipient's delivery sent; the sink got every delivery's
    Message-ID and nothing else. Duplicates (same Message-ID twice) are counted, not hidden."""
    with db.read() as s:
        statuses = Counter(s.scalars(select(OutboxMessage.status)))
        deliveries = s.execute(
            select(NotificationDelivery.message_id, NotificationDelivery.status)
        ).all()
    assert set(statuses) <= {"sent"}, statuses
    assert Counter(st for _, st in deliveries) == {"sent": len(deliveries)}
    expected = Counter(m for m, _ in deliveries)
    assert all(n == 1 for n in expected.values()), "two deliveries share a Message-ID"
    received = sink.by_message_id()
    assert set(received) - set(expected) == set(), "the sink got mail nobody sent"
    assert set(expected) - set(received) == set(), "a delivery marked sent never arrived"
    dup = sorted(m for m, n in received.items() if n > 1)
    return Delivered(
        rows=sum(statuses.values()),
        deliveries=len(deliveries),
        received=sum(received.values()),
        duplicates=sum(n - 1 for n in received.values()),
        duplicated_ids=dup,
    )


def summary(ledger: Ledger) -> str:
    commits = [c for c in ledger.committed if not c.replayed]
    by_status: Counter[int] = Counter()
    for (_, status), n in ledger.statuses.items():
        by_status[status] += n
    return (
        f"requests {ledger.requests} {dict(sorted(by_status.items()))}; transitions committed "
        f"{len(commits)} (+{len(ledger.committed) - len(commits)} replays); creates "
        f"{len(ledger.created)}; unknown outcomes {sum(ledger.unknown.values())}; refused "
        f"connections {ledger.refused_connections}; dropped {ledger.dropped}; retries "
        f"{ledger.retries}; latency p50 {ledger.p(0.5):.0f} ms p95 {ledger.p(0.95):.0f} ms"
    )
