"""Read models for the API: nomination lists, "my tasks" queues, the supervisor's dashboard.
Every one is narrowed by the actor's scope from ``services/visibility.py``."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import local_date
from awardflow.db.models import AuditEvent, Nomination
from awardflow.db.repositories import api_queries as q
from awardflow.services.context import ServiceContext
from awardflow.services.eligibility import explain
from awardflow.services.facts import DbFacts
from awardflow.services.visibility import grant_scope, nomination_filter, require_nomination
from awardflow.states import Actor, Grant, Role
from awardflow.states.eligibility.results import Explanation
from awardflow.states.lifecycle import PHASE_OF, TERMINAL
from awardflow.states.lifecycle import NominationState as S

AGING_BUCKETS = ((0, 5, "0-5"), (6, 10, "6-10"), (11, 20, "11-20"), (21, None, ">20"))

#: For each role, the states in which "my tasks" waits on it.
TASK_STATES: dict[Role, tuple[S, ...]] = {
    Role.UNIT_CLERK: (S.DRAFT, S.RETURNED, S.AUTHORITY_RETURNED),
    Role.UNIT_HEAD: (S.DRAFT, S.RETURNED, S.AUTHORITY_RETURNED),
    Role.APPRAISER: (S.IN_APPRAISAL,),
    Role.COUNCIL_SECRETARY: (S.APPRAISED,),
    Role.DIRECTOR: (S.COUNCIL_APPROVED,),
    Role.AUTHORITY: (S.SUBMITTED,),
}


def list_nominations(
    session: Session, actor: Actor, query: q.NominationQuery
) -> tuple[Sequence[Nomination], int]:
    return q.list_nominations(session, nomination_filter(actor), query, kept=True)


def history(session: Session, actor: Actor, nomination_id: int) -> Sequence[AuditEvent]:
    require_nomination(session, actor, nomination_id)
    return q.audit_events(session, nomination_id)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


#: The queues count their total up to this many nominations only; past it they say "more than
#: 1,000" (``QueuePage.capped``, ``total_capped`` in the API). An exact count of a large queue
#: (40,000 unassigned dossiers at 1,000,000 nominations: 19 ms in PostgreSQL) costs more than
#: the whole page may (bench/queue.py).
QUEUE_COUNT_CAP = 1000


@dataclass(frozen=True, slots=True)
class QueuePage:
    """A page of a queue: plain rows of ``api_queries.QUEUE_COLUMNS``, due first, and the total,
    exact up to the cap; ``capped``: more than ``total`` nominations are waiting."""

    rows: Sequence[RowMapping]
    total: int
    capped: bool


def my_queue(
    session: Session, actor: Actor, limit: int, offset: int, cap: int = QUEUE_COUNT_CAP
) -> QueuePage:
    """The actor's tasks, due first: for each grant, the states its role acts on."""
    where = _task_filter(actor.grants, actor.user_id)
    return QueuePage(*q.queue_page(session, where, limit, offset, cap))


@lru_cache(maxsize=4096)
def _task_filter(grants: tuple[Grant, ...], user_id: int | None) -> ColumnElement[bool]:
    """Built once per set of grants and user, like the visibility filter: SQL expressions are
    immutable, and building this one (subqueries per grant) cost about a third of the queue
    page's time (bench/queue.py)."""
    clauses = []
    for grant in grants:
        scope, states = grant_scope(grant), TASK_STATES.get(grant.role)
        if scope is not None and states:
            assignee = user_id if grant.role is Role.APPRAISER else None
            clauses.append(q.task_clause(scope, states, assignee))
    return or_(*clauses) if clauses else false()


def office_queue(
    session: Session, actor: Actor, limit: int, offset: int, cap: int = QUEUE_COUNT_CAP
) -> QueuePage:
    """Proposed, unassigned dossiers the actor may claim or assign, due first."""
    return QueuePage(*q.queue_page(session, office_filter(actor), limit, offset, cap))


@lru_cache(maxsize=4096)
def office_filter(actor: Actor) -> ColumnElement[bool]:
    """Proposed dossiers nobody has claimed, among those the actor may see: one object per
    actor (the statements of the lists using it, API and web, are kept per filter object)."""
    return and_(nomination_filter(actor), q.unassigned_clause())


def _bucket(days: int) -> str:
    for low, high, name in AGING_BUCKETS:
        if days >= low and (high is None or days <= high):
            return name
    return AGING_BUCKETS[-1][2]


def dashboard(session: Session, actor: Actor, now: datetime | None = None) -> dict[str, Any]:
    """Counts per phase and state, overdue, stuck, by unit and assignee, and aging buckets
    (whole days in the current state) over the nominations the actor sees."""
    now = now or datetime.now(UTC)
    by_state: Counter[str] = Counter()
    by_phase: Counter[str] = Counter()
    aging: Counter[str] = Counter({name: 0 for *_, name in AGING_BUCKETS})
    by_unit: dict[int, Counter[str]] = defaultdict(Counter)
    by_assignee: dict[int, Counter[str]] = defaultdict(Counter)
    overdue = stuck = 0
    for state, unit_id, assignee_id, due_at, is_stuck, entered in q.dashboard_rows(
        session, nomination_filter(actor)
    ):
        by_state[state.value] += 1
        by_phase[PHASE_OF[state].value] += 1
        if state in TERMINAL:
            continue
        late = due_at is not None and _aware(due_at) < now
        overdue += late
        stuck += bool(is_stuck)
        aging[_bucket((now - _aware(entered)).days)] += 1
        counters = [by_unit[unit_id]] + ([by_assignee[assignee_id]] if assignee_id else [])
        for counter in counters:
            counter["open"] += 1
            counter["overdue"] += late
            counter["stuck"] += bool(is_stuck)
    return {
        "by_state": dict(by_state),
        "by_phase": dict(by_phase),
        "overdue": overdue,
        "stuck": stuck,
        "aging_days": dict(aging),
        "by_unit": [{"unit_id": k, **v} for k, v in sorted(by_unit.items())],
        "by_assignee": [{"user_id": k, **v} for k, v in sorted(by_assignee.items())],
    }


def stuck_list(
    session: Session, actor: Actor, limit: int, offset: int
) -> tuple[Sequence[Nomination], int]:
    query = q.NominationQuery(stuck=True, sort="due_at", limit=limit, offset=offset)
    return q.list_nominations(session, nomination_filter(actor), query)


def eligibility(
    session: Session, ctx: ServiceContext, actor: Actor, nomination_id: int, now: datetime
) -> tuple[Explanation, str | None]:
    """Every rule's verdict for a visible nomination (``services.eligibility.explain``)."""
    nom = require_nomination(session, actor, nomination_id)
    facts = DbFacts(session, nom, now, ctx.eligibility)
    on = local_date(now)
    return explain(session, nom, facts.round, facts.award, on, facts.quota()), (
        nom.eligibility_override
    )
