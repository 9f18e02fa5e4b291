"""Queries over nominations and their evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from awardflow.db.models import Award, Campaign, Evidence, Nomination, Round, Unit
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
# Built once at import: constructing this select costs more than running it. Core, not ORM:
# the ORM's loading pipeline for three entities cost ~2 ms of a 9 ms API action. The award
# rides along: most guards read it (offered, evidence, eligibility, threshold, authority).
_WITH_CONTEXT = (
    select(
        *(c.label(f"{table.name}__{c.key}") for _, table in _GROUPS for c in table.c),
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
    (model, [(f"{table.name}__{c.key}", model.__mapper__.get_property_by_column(c).key)
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
    """An instance of ``model`` holding a row's values, outside any session, built the way
    the ORM's loader builds one (the mapped constructor fires an event per attribute)."""
    obj = model.__mapper__.class_manager.new_instance()
    obj.__dict__.update({attr: m[label] for label, attr in fields})
    return obj


def get_with_context_for_update(
    session: Session, nomination_id: int, where: ColumnElement[bool] | None = None
) -> tuple[Nomination, Round, Campaign, Award, dict[int, str]] | None:
    """The row (locked) with its round, campaign, award form and the paths of the units the guards scope
    roles to (proposing unit, organiser, appraising office): one statement, the hot path.
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


#: attribute -> column key of the nominations table (they are the same today, but the mapping
#: is the ORM's to define)
_NOM_COLUMNS = {attr: label.split("__", 1)[1] for label, attr in _FIELDS[0][1]}


#: SET columns come from the parameters' keys; compiled once per set of changed columns.
_WRITE_BACK = update(_NOMS).where(
    _NOMS.c.id == bindparam("b_id"), _NOMS.c.version == bindparam("b_old")
)


def snapshot(nom: Nomination) -> dict[str, Any]:
    """The values of every column attribute of a snapshot (to diff before writing back)."""
    return {attr: getattr(nom, attr) for attr in _NOM_COLUMNS}


def write_back(session: Session, nom: Nomination, before: dict[str, Any]) -> bool:
    """``UPDATE nominations SET <changed columns>, version = version + 1 WHERE id = :id AND
    version = :old``: False if another transaction moved the version. Any copy of the row
    already loaded in the session is expired, so later reads see the new values."""
    changed = {
        _NOM_COLUMNS[a]: v for a, v in snapshot(nom).items() if v != before[a] and a != "version"
    }
    old = before["version"]
    changed["version"] = old + 1
    result = session.connection().execute(_WRITE_BACK, {**changed, "b_id": nom.id, "b_old": old})
    if result.rowcount != 1:
        return False
    nom.version = old + 1
    loaded = session.identity_map.get(identity_key(Nomination, nom.id))
    if loaded is not None:
        session.expire(loaded)
    return True


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


def duplicate_live(session: Session, nomination: Nomination) -> int | None:
    """Another live, proposed (not draft) nomination of the same nominee for the same award in
    the same round. Drafts are the unit's working copies and do not block."""
    nominee = (
        Nomination.person_id == nomination.person_id
        if nomination.person_id is not None
        else Nomination.nominee_unit_id == nomination.nominee_unit_id
    )
    stmt = (
        select(Nomination.id)
        .where(
            Nomination.round_id == nomination.round_id,
            Nomination.award_id == nomination.award_id,
            Nomination.id != nomination.id,
            Nomination.state.in_(_LIVE_BEYOND_DRAFT),
            nominee,
        )
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def evidence_kinds(session: Session, nomination_id: int) -> set[str]:
    stmt = select(Evidence.kind).where(
        Evidence.nomination_id == nomination_id, Evidence.removed_at.is_(None)
    )
    return set(session.execute(stmt).scalars())


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


def in_state_with_award(
    session: Session, round_id: int, state: NominationState
) -> list[tuple[int, int, int]]:
    """(nomination id, award id, proposing unit id) of a round's nominations in ``state``."""
    stmt = (
        select(Nomination.id, Nomination.award_id, Nomination.unit_id)
        .where(Nomination.round_id == round_id, Nomination.state == state)
        .order_by(Nomination.id)
    )
    return [(r[0], r[1], r[2]) for r in session.execute(stmt)]


def count_past_council(session: Session, round_id: int, award_id: int, unit_id: int) -> int:
    """Nominations of a unit for an award in a round that the council already approved."""
    stmt = select(func.count()).where(
        Nomination.round_id == round_id,
        Nomination.award_id == award_id,
        Nomination.unit_id == unit_id,
        Nomination.state.in_(_PAST_COUNCIL),
    )
    return int(session.execute(stmt).scalar_one())


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
