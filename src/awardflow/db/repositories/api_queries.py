"""Queries behind the HTTP API: the scope filter (who may see which nomination), filtered and
paginated lists, the dashboard's counts. ``services/visibility.py`` decides *which* scopes an
actor has; this module turns them into SQL, so lists and single reads agree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session, aliased

from awardflow.db.models import (
    AuditEvent,
    Campaign,
    CouncilSession,
    Nomination,
    Round,
    Submission,
    SubmissionItem,
    Unit,
)
from awardflow.db.models.campaign import Summary
from awardflow.states.lifecycle import NominationState


@dataclass(frozen=True, slots=True)
class Scope:
    """One visibility rule of an actor: ``kind`` says which unit of the nomination must lie in
    the subtree at ``path``; ``campaign_id`` narrows it to one campaign."""

    kind: str  # all | unit | office | organiser | authority
    path: str = "/"
    campaign_id: int | None = None
    hide_drafts: bool = False


#: Routed to an authority by the campaign even before a package names it.
_AUTHORITY_STATES = (NominationState.SUBMITTED, NominationState.AUTHORITY_RETURNED)


def under(unit_id: Any, path: str) -> ColumnElement[bool]:
    u = aliased(Unit)
    return exists(select(u.id).where(u.id == unit_id, u.path.startswith(path, autoescape=True)))


def _campaign_unit_under(column: str, path: str) -> ColumnElement[bool]:
    c = aliased(Campaign)
    return exists(
        select(c.id).where(c.id == Nomination.campaign_id, under(getattr(c, column), path))
    )


def _one(scope: Scope) -> ColumnElement[bool]:
    if scope.kind == "all":
        return true()
    if scope.kind == "unit":
        clause = under(Nomination.unit_id, scope.path)
    elif scope.kind == "office":
        clause = _campaign_unit_under("appraising_office_id", scope.path)
    elif scope.kind == "organiser":
        clause = _campaign_unit_under("organiser_unit_id", scope.path)
    elif scope.kind == "authority":
        s = aliased(Submission)
        i = aliased(SubmissionItem)
        in_submission = exists(
            select(i.id)
            .join(s, s.id == i.submission_id)
            .where(i.nomination_id == Nomination.id, under(s.authority_unit_id, scope.path))
        )
        routed = and_(
            Nomination.state.in_(_AUTHORITY_STATES),
            or_(
                _campaign_unit_under("authority_unit_id", scope.path),
                _campaign_unit_under("central_authority_unit_id", scope.path),
            ),
        )
        clause = or_(in_submission, routed)
    else:
        return false()
    if scope.campaign_id is not None:
        clause = and_(clause, Nomination.campaign_id == scope.campaign_id)
    if scope.hide_drafts:
        clause = and_(clause, Nomination.state != NominationState.DRAFT)
    return clause


def nomination_filter(scopes: Sequence[Scope]) -> ColumnElement[bool]:
    """The SQL condition "this nomination is visible" for the union of ``scopes``."""
    if not scopes:
        return false()
    return or_(*(_one(s) for s in scopes))


def campaign_filter(scopes: Sequence[Scope]) -> ColumnElement[bool]:
    """Campaigns an organiser-side scope covers (for sessions, submissions and summaries)."""
    clauses: list[ColumnElement[bool]] = []
    for s in scopes:
        if s.kind == "all":
            return true()
        if s.kind in ("organiser", "office"):
            col = (
                Campaign.organiser_unit_id
                if s.kind == "organiser"
                else Campaign.appraising_office_id
            )
            c = under(col, s.path)
            clauses.append(c if s.campaign_id is None else and_(c, Campaign.id == s.campaign_id))
    return or_(*clauses) if clauses else false()


def visible_nomination(session: Session, nomination_id: int, where: ColumnElement[bool]) -> bool:
    stmt = select(Nomination.id).where(Nomination.id == nomination_id, where)
    return session.execute(stmt).first() is not None


def visible_rounds(
    session: Session, nomination_ids: Sequence[int], where: ColumnElement[bool]
) -> dict[int, int]:
    """Of ``nomination_ids``, those ``where`` lets the caller see, with their round."""
    stmt = select(Nomination.id, Nomination.round_id).where(
        Nomination.id.in_(nomination_ids), where
    )
    return {int(nid): int(rid) for nid, rid in session.execute(stmt)}


@dataclass(frozen=True, slots=True)
class NominationQuery:
    state: Sequence[str] = ()
    round_id: int | None = None
    unit_id: int | None = None
    award_id: int | None = None
    assignee_id: int | None = None
    overdue_at: datetime | None = None
    stuck: bool | None = None
    sort: str = "id"
    limit: int = 50
    offset: int = 0


_SORTS: dict[str, Any] = {
    "id": Nomination.id.asc(),
    "-id": Nomination.id.desc(),
    "due_at": Nomination.due_at.asc().nulls_last(),
    "-due_at": Nomination.due_at.desc().nulls_last(),
    "state_entered_at": Nomination.state_entered_at.asc(),
    "-state_entered_at": Nomination.state_entered_at.desc(),
    "nominee_name": Nomination.nominee_name.asc(),
    "-nominee_name": Nomination.nominee_name.desc(),
}
SORT_KEYS = tuple(_SORTS)


def _filtered(where: ColumnElement[bool], q: NominationQuery) -> Select[tuple[Nomination]]:
    stmt = select(Nomination).where(where)
    if q.state:
        stmt = stmt.where(Nomination.state.in_([NominationState(s) for s in q.state]))
    if q.round_id is not None:
        stmt = stmt.where(Nomination.round_id == q.round_id)
    if q.unit_id is not None:
        stmt = stmt.where(Nomination.unit_id == q.unit_id)
    if q.award_id is not None:
        stmt = stmt.where(Nomination.award_id == q.award_id)
    if q.assignee_id is not None:
        stmt = stmt.where(Nomination.assignee_id == q.assignee_id)
    if q.overdue_at is not None:
        stmt = stmt.where(Nomination.due_at < q.overdue_at)
    if q.stuck is not None:
        stmt = stmt.where(Nomination.stuck.is_(q.stuck))
    return stmt


def list_nominations(
    session: Session, where: ColumnElement[bool], q: NominationQuery, *, kept: bool = False
) -> tuple[Sequence[Nomination], int]:
    """A page of the nominations matching ``where`` and ``q``, and their total. ``kept``: the
    caller builds ``where`` once and keeps it (a cached filter), so an unfiltered list's
    statements are kept with it."""
    reuse = kept and _no_filters(q)
    count, page = _unfiltered(where, q.sort) if reuse else _statements(where, q)
    total = session.execute(count).scalar_one()
    rows = session.execute(page, {"page_limit": q.limit, "page_offset": q.offset})
    return rows.scalars().all(), int(total)


def _statements(where: ColumnElement[bool], q: NominationQuery) -> tuple[Select[Any], Select[Any]]:
    """The total's count and the page (limit and offset bound at execution)."""
    stmt = _filtered(where, q)
    count = select(func.count()).select_from(stmt.subquery())
    page = stmt.order_by(_SORTS.get(q.sort, Nomination.id.asc()), Nomination.id)
    return count, page.limit(bindparam("page_limit")).offset(bindparam("page_offset"))


def _no_filters(q: NominationQuery) -> bool:
    return not q.state and q == NominationQuery(sort=q.sort, limit=q.limit, offset=q.offset)


#: The statements of unfiltered lists (the queues), per kept filter object and sort: the filters
#: are themselves built once per set of grants, so this stays small. A statement built once also
#: keeps its cache key, which SQLAlchemy otherwise recomputes on every execution (measured at
#: 1,000,000 nominations, bench/queue.py: ~2 ms of a queue page's ~9 ms of CPU).
_UNFILTERED: dict[tuple[int, str], tuple[ColumnElement[bool], Select[Any], Select[Any]]] = {}


def _unfiltered(where: ColumnElement[bool], sort: str) -> tuple[Select[Any], Select[Any]]:
    found = _UNFILTERED.get((id(where), sort))
    if found is not None and found[0] is where:
        return found[1], found[2]
    if len(_UNFILTERED) > 4096:
        _UNFILTERED.clear()
    count, page = _statements(where, NominationQuery(sort=sort))
    _UNFILTERED[(id(where), sort)] = (where, count, page)
    return count, page


#: What a queue page shows of each nomination: the columns of the API's ``NominationOut``.
QUEUE_COLUMNS = (
    Nomination.id,
    Nomination.campaign_id,
    Nomination.round_id,
    Nomination.award_id,
    Nomination.unit_id,
    Nomination.nominee_kind,
    Nomination.person_id,
    Nomination.nominee_unit_id,
    Nomination.nominee_name,
    Nomination.achievement,
    Nomination.fields,
    Nomination.checklist,
    Nomination.opinion,
    Nomination.state,
    Nomination.version,
    Nomination.content_version,
    Nomination.assignee_id,
    Nomination.state_entered_at,
    Nomination.due_at,
    Nomination.escalation_level,
    Nomination.stuck,
    Nomination.eligibility_override,
    Nomination.decision_number,
    Nomination.decision_date,
)

#: The statements of each kept queue filter (see ``_UNFILTERED``): the page with its capped
#: total, and the capped count alone.
_QUEUES: dict[int, tuple[ColumnElement[bool], Select[Any], Select[Any]]] = {}


def queue_page(
    session: Session, where: ColumnElement[bool], limit: int, offset: int, cap: int
) -> tuple[Sequence[RowMapping], int, bool]:
    """A queue's page, due first (then by id), as plain rows of ``QUEUE_COLUMNS`` (no ORM
    objects), and its total counted up to ``cap`` only: ``(rows, total, capped)``, where
    ``capped`` says that more than ``total`` (= ``cap``) nominations match. Counting every
    match of a large queue (40,000 unassigned dossiers: 19 ms in PostgreSQL) costs more than
    the page itself. One statement (the count is a subquery evaluated once), so the page and
    its total come from one snapshot; a second one only counts for a page past the end.
    ``where`` is a kept (cached) filter: its statements are built once."""
    page, count = _queue_statements(where)
    params = {"page_limit": limit, "page_offset": offset, "count_limit": cap + 1}
    rows = session.execute(page, params).mappings().all()
    counted = _counted(session, rows[0]["queue_total"] if rows else None, count, params, offset)
    return rows, min(counted, cap), counted > cap


def _queue_statements(where: ColumnElement[bool]) -> tuple[Select[Any], Select[Any]]:
    found = _QUEUES.get(id(where))
    if found is not None and found[0] is where:
        return found[1], found[2]
    if len(_QUEUES) > 4096:
        _QUEUES.clear()
    count = _count_upto(where)
    page = (
        select(*QUEUE_COLUMNS, count.scalar_subquery().label("queue_total"))
        .where(where)
        .order_by(_SORTS["due_at"], Nomination.id)
        .limit(bindparam("page_limit"))
        .offset(bindparam("page_offset"))
    )
    _QUEUES[id(where)] = (where, page, count)
    return page, count


def _counted(
    session: Session, on_page: Any, count: Select[Any], params: dict[str, Any], offset: int
) -> int:
    """The capped total: carried by the page's first row; for an empty page past the start,
    counted on its own (a page past the end still reports the total)."""
    if on_page is not None:
        return int(on_page)
    return int(session.execute(count, params).scalar_one()) if offset else 0


def _count_upto(where: ColumnElement[bool]) -> Select[Any]:
    """How many nominations match ``where``, counting no further than ``count_limit``."""
    matching = (
        select(literal_column("1"))
        .select_from(Nomination)
        .where(where)
        .limit(bindparam("count_limit"))
        .subquery("matching")
    )
    return select(func.count()).select_from(matching)


@dataclass(frozen=True, slots=True)
class CappedPage:
    """A page of nominations with their total counted up to a cap (see ``queue_page``):
    ``capped`` says more than ``total`` (= the cap) match; ``more`` that a nomination follows
    this page (a next page exists, also past the cap)."""

    rows: Sequence[Nomination]
    total: int
    capped: bool
    more: bool


#: The filters of a ``NominationQuery`` that ``capped_nominations`` binds (equality on a column).
_CAPPED_FILTERS = {
    "round_id": Nomination.round_id,
    "unit_id": Nomination.unit_id,
    "award_id": Nomination.award_id,
}

#: The statements of ``capped_nominations`` per kept filter, sort and set of bound filters.
_CAPPED: dict[
    tuple[int, str, tuple[str, ...]], tuple[ColumnElement[bool], Select[Any], Select[Any]]
] = {}


def capped_nominations(
    session: Session, where: ColumnElement[bool], q: NominationQuery, cap: int
) -> CappedPage:
    """``queue_page`` for the web's lists: a page of ``where`` narrowed by ``q``'s round, unit
    and award and ordered by ``q.sort`` then id, as ORM objects (the rows a page builds from,
    kept in the session for the checks it makes on them), with the total counted up to ``cap``
    only. One statement: the page (one row more than ``q.limit``, to know whether another page
    follows) and its capped total as a subquery evaluated once; a second one only counts for a
    page past the end. ``where`` is a kept (cached) filter: the statements are built once per
    filter, sort and set of filters given; the filters' values are bound at execution."""
    unsupported = q.state or q.assignee_id is not None or q.overdue_at is not None
    if unsupported or q.stuck is not None:
        raise ValueError("capped_nominations filters by round, unit and award only")
    given = tuple(k for k in _CAPPED_FILTERS if getattr(q, k) is not None)
    bound = {f"filter_{k}": getattr(q, k) for k in given}
    page, count = _capped_statements(where, q.sort, given)
    params = {
        **bound,
        "page_limit": q.limit + 1,
        "page_offset": q.offset,
        "count_limit": cap + 1,
    }
    found = session.execute(page, params).tuples().all()
    counted = _counted(session, found[0][1] if found else None, count, params, q.offset)
    rows = [nom for nom, _ in found[: q.limit]]
    return CappedPage(rows, min(counted, cap), counted > cap, len(found) > q.limit)


def _capped_statements(
    where: ColumnElement[bool], sort: str, given: tuple[str, ...]
) -> tuple[Select[Any], Select[Any]]:
    key = (id(where), sort, given)
    found = _CAPPED.get(key)
    if found is not None and found[0] is where:
        return found[1], found[2]
    if len(_CAPPED) > 4096:
        _CAPPED.clear()
    narrowed = and_(
        where,
        *(col == bindparam(f"filter_{k}") for k, col in _CAPPED_FILTERS.items() if k in given),
    )
    count = _count_upto(narrowed)
    page = (
        select(Nomination, count.scalar_subquery().label("queue_total"))
        .where(narrowed)
        .order_by(_SORTS.get(sort, Nomination.id.asc()), Nomination.id)
        .limit(bindparam("page_limit"))
        .offset(bindparam("page_offset"))
    )
    _CAPPED[key] = (where, page, count)
    return page, count


def audit_events(session: Session, nomination_id: int) -> Sequence[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.nomination_id == nomination_id)
    return session.execute(stmt.order_by(AuditEvent.seq)).scalars().all()


def units(session: Session) -> Sequence[Unit]:
    return session.execute(select(Unit).order_by(Unit.path)).scalars().all()


def council_sessions(
    session: Session, where: ColumnElement[bool], limit: int, offset: int
) -> tuple[Sequence[CouncilSession], int]:
    stmt = (
        select(CouncilSession)
        .join(Round, Round.id == CouncilSession.round_id)
        .join(Campaign, Campaign.id == Round.campaign_id)
        .where(where)
    )
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(CouncilSession.id).limit(limit).offset(offset))
    return rows.scalars().all(), int(total)


def council_session_visible(session: Session, session_id: int, where: ColumnElement[bool]) -> bool:
    stmt = (
        select(CouncilSession.id)
        .join(Round, Round.id == CouncilSession.round_id)
        .join(Campaign, Campaign.id == Round.campaign_id)
        .where(CouncilSession.id == session_id, where)
    )
    return session.execute(stmt).first() is not None


def submissions(
    session: Session,
    where: ColumnElement[bool],
    authority_paths: Sequence[str],
    limit: int,
    offset: int,
) -> tuple[Sequence[Submission], int]:
    stmt = (
        select(Submission)
        .join(Round, Round.id == Submission.round_id)
        .join(Campaign, Campaign.id == Round.campaign_id)
    )
    auth = [under(Submission.authority_unit_id, p) for p in authority_paths]
    stmt = stmt.where(or_(where, *auth))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(Submission.id).limit(limit).offset(offset))
    return rows.scalars().all(), int(total)


def summaries(
    session: Session, where: ColumnElement[bool], limit: int, offset: int
) -> tuple[Sequence[Summary], int]:
    stmt = select(Summary).join(Campaign, Campaign.id == Summary.campaign_id).where(where)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(Summary.id).limit(limit).offset(offset))
    return rows.scalars().all(), int(total)


def summary_visible(
    session: Session, summary_id: int, where: ColumnElement[bool]
) -> Summary | None:
    stmt = (
        select(Summary)
        .join(Campaign, Campaign.id == Summary.campaign_id)
        .where(Summary.id == summary_id, where)
    )
    return session.execute(stmt).scalar_one_or_none()


def campaign_ids_under(session: Session, where: ColumnElement[bool]) -> list[int]:
    return list(session.execute(select(Campaign.id).where(where)).scalars())


def task_clause(
    scope: Scope, states: Sequence[NominationState], assignee_id: int | None = None
) -> ColumnElement[bool]:
    """A role's "my tasks": its scope, narrowed to the states it acts on (and to itself). One
    state is compared with ``=``: an ``IN`` list is expanded into the SQL at every execution,
    which cost ~0.2 ms of an appraiser's queue page (bench/queue.py)."""
    in_states = (
        Nomination.state == states[0] if len(states) == 1 else Nomination.state.in_(list(states))
    )
    clause = and_(_one(scope), in_states)
    if assignee_id is not None:
        clause = and_(clause, Nomination.assignee_id == assignee_id)
    return clause


def unassigned_clause() -> ColumnElement[bool]:
    return and_(Nomination.state == NominationState.PROPOSED, Nomination.assignee_id.is_(None))


def dashboard_rows(session: Session, where: ColumnElement[bool]) -> list[tuple[Any, ...]]:
    """(state, unit id, assignee id, due_at, stuck, state_entered_at) of visible nominations."""
    stmt = select(
        Nomination.state,
        Nomination.unit_id,
        Nomination.assignee_id,
        Nomination.due_at,
        Nomination.stuck,
        Nomination.state_entered_at,
    ).where(where)
    return [tuple(r) for r in session.execute(stmt)]
