"""View models of the appraiser's page (issue 7, W2): her tasks due first, coloured by urgency,
and her office's unassigned queue with a claim button where the rules allow it; both filtered
by round, unit and award from the query string, and paginated. Like the API's queues, each list
is one statement (its page and its total counted up to ``QUEUE_COUNT_CAP``): past the cap the
page says "hơn 1.000" / "more than 1,000" and still pages forward. The filters' dropdowns offer
the rounds, awards and units of the campaigns she works for (``campaigns_filter``): they read
no nomination."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, false, or_
from sqlalchemy.orm import Session

from awardflow.db.models import Award, Round, Unit
from awardflow.db.repositories import api_queries as q
from awardflow.db.repositories import web_appraiser as wa
from awardflow.errors import Reason
from awardflow.services import transitions
from awardflow.services.context import ServiceContext
from awardflow.services.queries import QUEUE_COUNT_CAP, TASK_STATES, office_filter
from awardflow.services.visibility import campaign_filter, grant_scope
from awardflow.states import Actor, Grant, Role, Trigger
from awardflow.web.nomination_views import NominationRow, rows_for

PAGE_SIZE = 20


def _int(raw: Any) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and 0 < len(text) <= 9 else None


@dataclass(frozen=True, slots=True)
class Filters:
    round_id: int | None = None
    unit_id: int | None = None
    award_id: int | None = None
    page: int = 1
    qpage: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> Filters:
        return cls(
            round_id=_int(params.get("round")),
            unit_id=_int(params.get("unit")),
            award_id=_int(params.get("award")),
            page=max(1, _int(params.get("page")) or 1),
            qpage=max(1, _int(params.get("qpage")) or 1),
        )

    def query(self, page: int, *, sort: str = "due_at") -> q.NominationQuery:
        return q.NominationQuery(
            round_id=self.round_id,
            unit_id=self.unit_id,
            award_id=self.award_id,
            sort=sort,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )

    def link(self, **changes: int) -> str:
        """The query string of this view with some values changed (pagination links)."""
        values = {
            "round": self.round_id,
            "unit": self.unit_id,
            "award": self.award_id,
            "page": self.page,
            "qpage": self.qpage,
            **changes,
        }
        kept = {k: v for k, v in values.items() if v and not (k.endswith("page") and v == 1)}
        return "?" + urlencode(kept) if kept else "?"


@dataclass
class Pager:
    """Where a list's page lies. ``total`` is exact unless ``capped``: then more than ``total``
    (the cap) match, the number of pages is unknown, and ``more`` (a row follows this page)
    decides the next link; ``shown`` is how many rows this page has."""

    page: int
    total: int
    param: str
    capped: bool = False
    shown: int = 0
    more: bool = False

    @classmethod
    def of(cls, page: int, found: q.CappedPage, param: str) -> Pager:
        return cls(page, found.total, param, found.capped, len(found.rows), found.more)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def paged(self) -> bool:
        """More than one page (the pager is shown)."""
        return self.capped or self.pages > 1

    @property
    def has_next(self) -> bool:
        return self.more if self.capped else self.page < self.pages

    @property
    def first(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        if self.capped:
            return (self.page - 1) * PAGE_SIZE + self.shown
        return min(self.total, self.page * PAGE_SIZE)


@dataclass
class QueueRow:
    row: NominationRow
    can_claim: bool
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class AppraiserPage:
    filters: Filters
    tasks: list[NominationRow]
    tasks_pager: Pager
    queue: list[QueueRow]
    queue_pager: Pager
    rounds: list[Round]
    units: list[Unit]
    awards: list[Award]
    urgency_counts: dict[str, int]


def tasks_filter(actor: Actor) -> ColumnElement[bool]:
    """Dossiers in appraisal assigned to the actor, within her appraiser grants."""
    return _tasks_filter(actor.grants, actor.user_id)


@lru_cache(maxsize=1024)
def _tasks_filter(grants: tuple[Grant, ...], user_id: int | None) -> ColumnElement[bool]:
    """Built once per set of grants (SQL expressions are immutable), like the API's filters."""
    clauses = []
    for grant in grants:
        scope = grant_scope(grant)
        if grant.role is Role.APPRAISER and scope is not None:
            clauses.append(q.task_clause(scope, TASK_STATES[Role.APPRAISER], user_id))
    return or_(*clauses) if clauses else false()


@lru_cache(maxsize=4096)
def campaigns_filter(actor: Actor) -> ColumnElement[bool]:
    """The campaigns whose dossiers the page lists: appraising office (or organiser) within the
    actor's grants. The filter dropdowns offer their rounds, awards and units, so building them
    reads no nomination."""
    return campaign_filter(actor, with_office=True)


def is_appraiser(actor: Actor) -> bool:
    return Role.APPRAISER in actor.roles()


def build(
    session: Session, ctx: ServiceContext, actor: Actor, filters: Filters, now: datetime
) -> AppraiserPage:
    mine, office, campaigns = tasks_filter(actor), office_filter(actor), campaigns_filter(actor)
    tasks = q.capped_nominations(session, mine, filters.query(filters.page), QUEUE_COUNT_CAP)
    queued = q.capped_nominations(session, office, filters.query(filters.qpage), QUEUE_COUNT_CAP)
    task_rows = rows_for(session, tasks.rows, now, ctx.calendar)
    queue_rows = []
    for row in rows_for(session, queued.rows, now, ctx.calendar):
        verdict = transitions.verdict_for(session, ctx, row.id, Trigger.CLAIM, actor, now)
        queue_rows.append(
            QueueRow(
                row=row,
                can_claim=verdict is not None and verdict.allowed,
                reasons=list(verdict.reasons) if verdict is not None else [],
            )
        )
    counts: dict[str, int] = {"overdue": 0, "today": 0, "soon": 0}
    for r in task_rows:
        if r.urgency:
            counts[r.urgency] += 1
    return AppraiserPage(
        filters=filters,
        tasks=task_rows,
        tasks_pager=Pager.of(filters.page, tasks, "page"),
        queue=queue_rows,
        queue_pager=Pager.of(filters.qpage, queued, "qpage"),
        rounds=list(wa.rounds_of_campaigns(session, campaigns)),
        units=list(wa.units_of_campaigns(session, campaigns)),
        awards=list(wa.awards_of_campaigns(session, campaigns)),
        urgency_counts=counts,
    )
