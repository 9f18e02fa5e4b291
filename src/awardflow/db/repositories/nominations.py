"""Queries over nominations and their evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from awardflow.db.models import Award, Campaign, Evidence, Nomination, Round, Unit
from awardflow.db.repositories.snapshots import detached
from awardflow.states.lifecycle import LIVE, NominationState

_LIVE_BEYOND_DRAFT = [s for s in LIVE if s is not NominationState.DRAFT]


def get(session: Session, nomination_id: int) -> Nomination | None:
    return session.get(Nomination, nomination_id)


def get_for_update(session: Session, nomination_id: int) -> Nomination | None:
    """Load and lock the row (``FOR UPDATE`` on PostgreSQL; SQLite already holds the write lock)."""
    stmt = select(Nomination).where(Nomination.id == nomination_id).with_for_update()
    return session.execute(stmt).scalar_one_or_none()


_NOMS: Table = Nomination.__table__  # type: ignore[assignment]
_ROUNDS: Table = Round.__table__  # type: ignore[assignment]
_CAMPAIGNS: Table = Campaign.__table__  # type: ignore[assignment]
_AWARDS: Table = Award.__table__  # type: ignore[assignment]
_UNIT, _ORGANISER, _OFFICE = (Unit.__table__.alias(n) for n in ("u_unit", "u_org", "u_office"))
_GROUPS = ((Nomination, _NOMS), (Round, _ROUNDS), (Campaign, _CAMPAIGNS), (Award, _AWARDS))


def _label(table: Table, column: Any) -> str:
    """A short result label (``n_state``, ``r_year`` …): the statement must stay under
    psycopg's 4,096 characters, past which it parses the SQL again on every execution instead
    of caching its conversion (measured: the ``tablename__column`` labels made it 4,110)."""
    return f"{table.name[0]}_{column.key}"


# Built once at import: constructing this select costs more than running it. Core, not ORM:
# the ORM's loading pipeline for three entities cost ~2 ms of a 9 ms API action. The award
# rides along: most guards read it (offered, evidence, eligibility, threshold, authority).
_WITH_CONTEXT = (
    select(
        *(c.label(_label(table, c)) for _, table in _GROUPS for c in table.c),
        _UNIT.c.id.label("unit_id_"),
        _UNIT.c.path.label("unit_path_"),
        _ORGANISER.c.id.label("org_id_"),
        _ORGANISER.c.path.label("org_path_"),
        _OFFICE.c.id.label("office_id_"),
        _OFFICE.c.path.label("office_path_"),
    )
    .select_from(_NOMS)
    .join(_ROUNDS, _ROUNDS.c.id == _NOMS.c.round_id)
    .join(_CAMPAIGNS, _CAMPAIGNS.c.id == _NOMS.c.campaign_id)
    .join(_AWARDS, _AWARDS.c.id == _NOMS.c.award_id)
    .join(_UNIT, _UNIT.c.id == _NOMS.c.unit_id)
    .join(_ORGANISER, _ORGANISER.c.id == _CAMPAIGNS.c.organiser_unit_id)
    .join(_OFFICE, _OFFICE.c.id == _CAMPAIGNS.c.appraising_office_id)
    .where(_NOMS.c.id == bindparam("nomination_id"))
    .with_for_update(of=_NOMS)
)
#: (model, [(label, attribute)]) to rebuild each row as a detached snapshot
_FIELDS = [
    (model, [(_label(table, c), model.__mapper__.get_property_by_column(c).key)
             for c in table.c])
    for model, table in _GROUPS
]  # fmt: skip

#: ``_WITH_CONTEXT`` narrowed by a visibility filter, per filter object (the filters are
#: themselves built once per set of grants, so this stays small): id -> (filter, statement).
_SCOPED: dict[int, tuple[ColumnElement[bool], Select[Any]]] = {}


def _scoped(where: ColumnElement[bool]) -> Select[Any]:
    found = _SCOPED.get(id(where))
    if found is not None and found[0] is where:
        return found[1]
    if len(_SCOPED) > 4096:
        _SCOPED.clear()
    stmt = _WITH_CONTEXT.where(where)
    _SCOPED[id(where)] = (where, stmt)
    return stmt


def _detached(model: Any, fields: list[tuple[str, str]], m: Any) -> Any:
    """:func:`repositories.snapshots.detached`, untyped for the loops over ``_FIELDS``."""
    return detached(model, fields, m)


def get_with_context_for_update(
    session: Session, nomination_id: int, where: ColumnElement[bool] | None = None
) -> tuple[Nomination, Round, Campaign, Award, dict[int, str]] | None:
    """The row (locked) with its round, campaign, award form and the paths of the units the
    guards scope roles to (proposing unit, organiser, appraising office): one statement, the
    hot path.
    With ``where`` (a visibility filter), a row outside it is not found.

    The four objects are *snapshots*, not in the session: the transition service writes the
    nomination back itself (:func:`write_back`), and nothing else may change them. Pending
    changes in the session are flushed first, as an ORM query would."""
    session.flush()
    stmt = _WITH_CONTEXT if where is None else _scoped(where)
    row = session.connection().execute(stmt, {"nomination_id": nomination_id}).first()
    if row is None:
        return None
    m = row._mapping
    nom, rnd, campaign, award = (_detached(model, fields, m) for model, fields in _FIELDS)
    paths = {m["unit_id_"]: m["unit_path_"], m["org_id_"]: m["org_path_"]}
    paths[m["office_id_"]] = m["office_path_"]
    return nom, rnd, campaign, award, paths


# The batch form of ``_WITH_CONTEXT``, in two statements: the rows themselves (with their unit's
# path) for all ids, locked in id order (two batches over overlapping rows take their locks in
# the same order: no deadlock); then ``_WITH_CONTEXT``'s columns and joins once per distinct
# round, campaign and award among them (most batches: one), not once per row — decoding the
# context's hundred-odd columns per row cost more than the row itself.
_MANY = (
    select(*_WITH_CONTEXT.selected_columns[: len(_NOMS.c)], _UNIT.c.path.label("unit_path_"))
    .select_from(_NOMS.join(_UNIT, _UNIT.c.id == _NOMS.c.unit_id))
    .where(_NOMS.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_NOMS.c.id)
    .with_for_update(of=_NOMS)
)
_CONTEXTS = (
    select(*_WITH_CONTEXT.selected_columns[len(_NOMS.c) :], _NOMS.c.id)
    .select_from(*_WITH_CONTEXT.get_final_froms())
    .where(_NOMS.c.id.in_(bindparam("ids", expanding=True)))
)
_NOM_ATTRS = [attr for _, attr in _FIELDS[0][1]]  # in the order of _MANY's first columns
_new_nomination = Nomination.__mapper__.class_manager.new_instance
_MANY_CHUNK = 500  # ids per statement (SQLite's bound-parameter limit is far above)

WithContext = tuple[Nomination, Round, Campaign, Award, dict[int, str]]


def get_many_with_context_for_update(
    session: Session, nomination_ids: Sequence[int]
) -> dict[int, WithContext]:
    """:func:`get_with_context_for_update` for many rows (the transition batches): id ->
    (row, round, campaign, award form, unit paths); ids not found are left out. Rows of the
    same round, campaign and award share one snapshot of each (read-only, as there)."""
    session.flush()
    conn = session.connection()
    rows: list[tuple[Nomination, str]] = []
    ids = sorted(set(nomination_ids))
    for start in range(0, len(ids), _MANY_CHUNK):
        chunk = ids[start : start + _MANY_CHUNK]
        for row in conn.execute(_MANY, {"ids": chunk}):
            nom = _new_nomination()  # as _detached() builds it, from the row's positions
            nom.__dict__.update(zip(_NOM_ATTRS, row, strict=False))  # then the unit path
            rows.append((nom, row[-1]))
    # one row per distinct context stands for all rows that share it
    samples: dict[tuple[int, int, int], int] = {}
    for nom, _ in rows:
        samples.setdefault((nom.round_id, nom.campaign_id, nom.award_id), nom.id)
    contexts: dict[tuple[int, int, int], tuple[Round, Campaign, Award, dict[int, str]]] = {}
    if samples:
        by_id = {nid: key for key, nid in samples.items()}
        for row in conn.execute(_CONTEXTS, {"ids": list(by_id)}):
            m = row._mapping
            rnd, campaign, award = (_detached(model, f, m) for model, f in _FIELDS[1:])
            paths = {m["org_id_"]: m["org_path_"], m["office_id_"]: m["office_path_"]}
            contexts[by_id[m[_NOMS.c.id]]] = (rnd, campaign, award, paths)
    found: dict[int, WithContext] = {}
    for nom, unit_path in rows:
        rnd, campaign, award, paths = contexts[(nom.round_id, nom.campaign_id, nom.award_id)]
        found[nom.id] = (nom, rnd, campaign, award, {nom.unit_id: unit_path, **paths})
    return found


#: attribute -> column key of the nominations table (they are the same today, but the mapping
#: is the ORM's to define)
_NOM_COLUMNS = {Nomination.__mapper__.get_property_by_column(c).key: c.key for c in _NOMS.c}


#: SET columns come from the parameters' keys; compiled once per set of changed columns.
_WRITE_BACK = update(_NOMS).where(
    _NOMS.c.id == bindparam("b_id"), _NOMS.c.version == bindparam("b_old")
)


def snapshot(nom: Nomination) -> dict[str, Any]:
    """The values of every column attribute of a snapshot (to diff before writing back), read
    from the instance's ``__dict__`` (a snapshot holds every column there): a tenth of the cost
    of the instrumented ``getattr`` per column, which the batches pay twice per row."""
    loaded = nom.__dict__
    return {a: loaded[a] if a in loaded else getattr(nom, a) for a in _NOM_COLUMNS}


def write_back(session: Session, nom: Nomination, before: dict[str, Any]) -> bool:
    """``UPDATE nominations SET <changed columns>, version = version + 1 WHERE id = :id AND
    version = :old``: False if another transaction moved the version. Any copy of the row
    already loaded in the session is expired, so later reads see the new values."""
    return write_back_many(session, [(nom, before)])


def write_back_many(session: Session, rows: Sequence[tuple[Nomination, dict[str, Any]]]) -> bool:
    """:func:`write_back` for many snapshots in one executemany: every row SETs the union of
    the columns any of them changed (an unchanged column is written with its own value), each
    still ``WHERE id = :id AND version = :old``. False if any row's version had moved: the
    affected-row count is the sum over the rows (SQLite; psycopg 3 sums it too, and
    SQLAlchemy reports both dialects' executemany rowcount as reliable), and each row can match
    at most one, so the sum equals the number of rows only if every row matched. The caller
    must then roll back (some rows may have been written). One row (:func:`write_back`) is a
    plain execute."""
    if not rows:
        return True
    changing: set[str] = set()
    current = []
    for nom, before in rows:
        now = snapshot(nom)
        changing.update(a for a, v in now.items() if v != before[a])
        current.append(now)
    changing.discard("version")
    params = []
    for (nom, before), now in zip(rows, current, strict=True):
        values = {_NOM_COLUMNS[a]: now[a] for a in changing}
        values.update(version=before["version"] + 1, b_id=nom.id, b_old=before["version"])
        params.append(values)
    params_or_one: Any = params[0] if len(params) == 1 else params
    result = session.connection().execute(_WRITE_BACK, params_or_one)
    if result.rowcount != len(rows):
        return False
    identity = session.identity_map
    for nom, before in rows:
        nom.version = before["version"] + 1
        loaded = identity.get(identity_key(Nomination, nom.id))
        if loaded is not None:
            session.expire(loaded)
    return True


def versions_and_heads(session: Session, ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """id -> (version, audit head) of these rows (what a failed batch write compares)."""
    stmt = select(_NOMS.c.id, _NOMS.c.version, _NOMS.c.audit_head).where(_NOMS.c.id.in_(ids))
    return {int(r[0]): (int(r[1]), str(r[2])) for r in session.connection().execute(stmt)}


def add(session: Session, nomination: Nomination) -> Nomination:
    session.add(nomination)
    session.flush()
    return nomination


def count_proposed_for_quota(
    session: Session, round_id: int, award_id: int, unit_id: int, exclude_id: int
) -> int:
    """Nominations of this unit for this award in this round already past draft and alive."""
    stmt = select(func.count()).where(
        Nomination.round_id == round_id,
        Nomination.award_id == award_id,
        Nomination.unit_id == unit_id,
        Nomination.id != exclude_id,
        Nomination.state.in_(_LIVE_BEYOND_DRAFT),
    )
    return int(session.execute(stmt).scalar_one())


def _duplicate_live(nominee: ColumnElement[bool]) -> Select[Any]:
    return (
        select(Nomination.id)
        .where(
            Nomination.round_id == bindparam("round_id"),
            Nomination.award_id == bindparam("award_id"),
            Nomination.id != bindparam("nomination_id"),
            Nomination.state.in_(_LIVE_BEYOND_DRAFT),
            nominee,
        )
        .limit(1)
    )


# The ``propose`` guards' look-ups, built once (building a select costs more than running it)
_DUPLICATE_PERSON = _duplicate_live(Nomination.person_id == bindparam("nominee"))
_DUPLICATE_UNIT = _duplicate_live(Nomination.nominee_unit_id == bindparam("nominee"))
_EVIDENCE_KINDS = select(Evidence.kind).where(
    Evidence.nomination_id == bindparam("nomination_id"), Evidence.removed_at.is_(None)
)


def duplicate_live(session: Session, nomination: Nomination) -> int | None:
    """Another live, proposed (not draft) nomination of the same nominee for the same award in
    the same round. Drafts are the unit's working copies and do not block."""
    person = nomination.person_id is not None
    params = {
        "round_id": nomination.round_id,
        "award_id": nomination.award_id,
        "nomination_id": nomination.id,
        "nominee": nomination.person_id if person else nomination.nominee_unit_id,
    }
    stmt = _DUPLICATE_PERSON if person else _DUPLICATE_UNIT
    session.flush()  # as the ORM's autoflush would; then straight to the connection
    found = session.connection().execute(stmt, params).scalar_one_or_none()
    return None if found is None else int(found)


def evidence_kinds(session: Session, nomination_id: int) -> set[str]:
    session.flush()  # as the ORM's autoflush would; then straight to the connection
    rows = session.connection().execute(_EVIDENCE_KINDS, {"nomination_id": nomination_id})
    return set(rows.scalars())


def evidence_for(session: Session, nomination_id: int) -> Sequence[Evidence]:
    stmt = (
        select(Evidence)
        .where(Evidence.nomination_id == nomination_id)
        .order_by(Evidence.uploaded_at, Evidence.id)
    )
    return session.execute(stmt).scalars().all()


def add_evidence(session: Session, evidence: Evidence) -> Evidence:
    session.add(evidence)
    session.flush()
    return evidence


def states(session: Session, ids: Sequence[int]) -> dict[int, NominationState]:
    stmt = select(Nomination.id, Nomination.state).where(Nomination.id.in_(ids))
    return {row.id: row.state for row in session.execute(stmt)}


def ids_in_state(session: Session, round_id: int, state: NominationState) -> list[int]:
    stmt = (
        select(Nomination.id)
        .where(Nomination.round_id == round_id, Nomination.state == state)
        .order_by(Nomination.id)
    )
    return list(session.execute(stmt).scalars())


_PAST_COUNCIL = [
    NominationState.COUNCIL_APPROVED,
    NominationState.SUBMITTED,
    NominationState.AUTHORITY_RETURNED,
    NominationState.AWARDED,
]


def count_past_council_in_round(session: Session, round_id: int, award_id: int) -> int:
    stmt = select(func.count()).where(
        Nomination.round_id == round_id,
        Nomination.award_id == award_id,
        Nomination.state.in_(_PAST_COUNCIL),
    )
    return int(session.execute(stmt).scalar_one())
