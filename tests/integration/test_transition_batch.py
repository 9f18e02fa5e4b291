"""The batch form of the transition service (``services/transition_batch.py``:
``transition_many`` / ``TransitionBatch``) on SQLite and PostgreSQL: the same outcome as
calling ``transition()`` item by item, on twin worlds (every row it writes, hashes included) —
for mixed batches, the sweep's lapses and the supervisor's bulk (re)assignment; refused items
write nothing; a version that moved inside a batch leaves nothing half-written; two batches
over the same rows from two sessions lose no update."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session
from tests.conftest import AUDIT_KEY
from tests.support import pg
from tests.support.world import (
    DECISION,
    NOW,
    World,
    add_evidence,
    build_world,
    new_draft,
    new_person,
    open_council,
    package,
)

from awardflow.db.base import Base
from awardflow.db.models import AppraiserConflict, AuditEvent, Nomination, OutboxMessage
from awardflow.db.repositories import sweep as sweep_repo
from awardflow.db.session import Database
from awardflow.errors import AwardflowError, TransitionRefused, VersionConflict
from awardflow.services import assignment, council, supervision, sweep
from awardflow.services import nominations as noms
from awardflow.services.audit import verify
from awardflow.services.context import ServiceContext
from awardflow.services.transition_batch import BatchItem, TransitionBatch, transition_many
from awardflow.services.transitions import TransitionResult, transition
from awardflow.services.visibility import require_nomination
from awardflow.states import Actor
from awardflow.states.lifecycle import NominationState

T_ASSIGN = datetime(2026, 10, 2, 2, tzinfo=UTC)
T_APPRAISE = datetime(2026, 10, 20, 2, tzinfo=UTC)
T_COUNCIL = datetime(2026, 12, 1, 2, tzinfo=UTC)
T_DECIDE = datetime(2026, 12, 8, 2, tzinfo=UTC)
T_ANSWER = datetime(2026, 12, 22, 2, tzinfo=UTC)
T_LAPSE = datetime(2027, 1, 15, 2, tzinfo=UTC)  # past every deadline of the round
MEMBERS = [f"member{i}" for i in range(1, 6)]
SYSTEM = "system"  # an item's actor name meaning Actor.system()

#: (nomination key or a raw id, trigger, actor username or SYSTEM, keyword arguments)
Item = tuple[str | int, str, str, dict[str, Any]]


# --- twin worlds -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_twin(pg_server: str) -> Iterator[Database]:
    db = Database(pg.create_database(pg_server, "awardflow_twin"))
    Base.metadata.create_all(db.engine)
    yield db
    db.dispose()


@pytest.fixture
def twins(
    database: Database, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[World, World]]:
    """Two worlds built the same way on two databases of the same kind (same ids)."""
    if database.is_sqlite:
        twin = Database(f"sqlite:///{tmp_path / 'twin.db'}")
        Base.metadata.create_all(twin.engine)
    else:
        twin = request.getfixturevalue("pg_twin")
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with twin.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    yield build_world(database), build_world(twin)
    if database.is_sqlite:
        twin.dispose()


def actor_of(w: World, who: str) -> Actor:
    return Actor.system("batch") if who == SYSTEM else w.actor(who)


def outcome(result: TransitionResult | AwardflowError) -> tuple[str, Any]:
    if isinstance(result, AwardflowError):
        return type(result).__name__, result.message_en
    return "ok", result.as_dict()


def one_by_one(w: World, ctx: ServiceContext, items: Sequence[Item], now: datetime) -> list[Any]:
    """``transition()`` per item, in one transaction (as a flow's batch runs), refusals kept."""
    found: list[Any] = []
    with w.db.write() as s:
        for key, trigger, who, kw in items:
            nid = w[key] if isinstance(key, str) else key
            try:
                res = transition(s, ctx, nid, trigger, actor_of(w, who), now=now, **kw)
            except AwardflowError as err:
                found.append(outcome(err))
            else:
                found.append(outcome(res))
    return found


def batched(w: World, ctx: ServiceContext, items: Sequence[Item], now: datetime) -> list[Any]:
    batch = [
        BatchItem(w[key] if isinstance(key, str) else key, trigger, actor_of(w, who), **kw)
        for key, trigger, who, kw in items
    ]
    with w.db.write() as s:
        return [outcome(r) for r in transition_many(s, ctx, batch, now=now)]


#: columns set from the wall clock (``utcnow`` defaults), which two runs cannot share
_CLOCK = {"created_at", "next_attempt_at", "recorded_at", "uploaded_at"}
_COMPARED = (
    "nominations",
    "audit_events",
    "notification_outbox",
    "agenda_items",
    "ballot_tallies",
    "ballot_receipts",
    "award_history",
    "submission_items",
)


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    found: dict[str, list[tuple[Any, ...]]] = {}
    with db.read() as s:
        for name in _COMPARED:
            table = Base.metadata.tables[name]
            columns = [c for c in table.c if c.key not in _CLOCK]
            rows = s.execute(select(*columns).order_by(table.c.id))
            found[name] = [tuple(r) for r in rows]
    return found


def both(worlds: tuple[World, World], act: Callable[[Session, World], object]) -> None:
    """The same setup action (not a transition under test) in both worlds."""
    for w in worlds:
        with w.db.write() as s:
            act(s, w)


# --- the same outcome as item by item ------------------------------------------------------


def _drafts(s: Session, w: World, ctx: ServiceContext) -> None:
    for key in ("c", "d", "e", "dup", "wd"):
        new_person(s, w, f"gv-{key}")
    plan = {
        "a": ("p-lan", "giay_khen"),
        "b": ("p-minh", "giay_khen"),
        "c": ("gv-c", "giay_khen"),
        "d": ("gv-d", "giay_khen"),
        "e": ("gv-e", "giay_khen"),
        "dup1": ("gv-dup", "giay_khen"),
        "dup2": ("gv-dup", "giay_khen"),  # the same nominee twice: the second is a duplicate
        "bk": ("p-lan", "bang_khen_tinh"),
        "wd": ("gv-wd", "giay_khen"),
    }
    for key, (person, award) in plan.items():
        w.ids[key] = new_draft(s, w, ctx, w[person], award=award)
    add_evidence(s, w["bk"])


def _tick(
    s: Session, w: World, ctx: ServiceContext, keys: Sequence[str], codes: Sequence[str]
) -> None:
    for key in keys:
        for code in codes:
            noms.record_criterion(
                s, ctx, w[key], w.actor("appraiser1"), code, True, "Đạt", now=T_APPRAISE
            )


def _ballots(s: Session, w: World, ctx: ServiceContext, votes: dict[str, int]) -> None:
    for key, agree in votes.items():
        for i, member in enumerate(MEMBERS):
            choice = "agree" if i < agree else "disagree"
            council.cast_ballot(s, ctx, w.actor(member), w["sid"], w[key], choice, now=T_COUNCIL)


def _session(s: Session, w: World) -> None:
    w.ids["sid"] = open_council(s, w).id


def _steps(appraiser1: int, appraiser2: int) -> list[tuple[datetime, list[Item]]]:
    """A lifecycle's worth of mixed batches: refusals of every kind, the same nomination more
    than once in a batch (before and after a refusal), reads that earlier items change."""
    assign = {"data": {"assignee_id": appraiser1}}
    reason = {"comment": "Thiếu bản xác nhận thành tích"}
    return [
        (
            NOW,
            [
                ("a", "propose", "head_a", {}),
                ("b", "propose", "head_a", {}),
                ("c", "propose", "head_b", {}),  # another unit's head: Forbidden
                ("c", "propose", "head_a", {}),
                ("d", "propose", "head_a", {}),
                ("e", "propose", "head_a", {}),
                ("dup1", "propose", "head_a", {}),
                ("dup2", "propose", "head_a", {}),  # duplicate of dup1, proposed just before
                ("bk", "propose", "head_a", {}),
                ("wd", "withdraw", "head_a", {"comment": "Đơn vị rút hồ sơ"}),
                ("wd", "withdraw", "head_a", {"comment": "lần nữa"}),  # already withdrawn
            ],
        ),
        (
            T_ASSIGN,
            [
                ("a", "assign", SYSTEM, assign),
                ("b", "assign", SYSTEM, {"data": {"assignee_id": appraiser2}}),  # conflict
                ("b", "assign", SYSTEM, assign),
                ("c", "assign", SYSTEM, {**assign, "expected_version": 1}),  # stale
                ("c", "assign", SYSTEM, assign),
                ("d", "claim", "appraiser1", {}),
                ("d", "return_to_unit", "appraiser1", reason),
                ("e", "assign", SYSTEM, assign),
                ("bk", "claim", "appraiser1", {}),
                ("dup1", "assign", SYSTEM, assign),
                (424242, "assign", SYSTEM, assign),  # no such nomination
                ("a", "reassign", "supervisor", {"data": {"assignee_id": appraiser1}}),
            ],
        ),
        (
            T_APPRAISE,
            [
                ("a", "recommend", "appraiser1", {"comment": "Đủ điều kiện"}),
                ("b", "recommend", "appraiser1", {"comment": "Đủ điều kiện"}),
                ("c", "recommend", "appraiser1", {"comment": "Đủ điều kiện"}),
                ("e", "recommend", "appraiser1", {"comment": "Đủ điều kiện"}),  # 1 of 2 ticked
                ("bk", "recommend", "appraiser1", {"comment": "Đủ điều kiện"}),
                ("dup1", "decline", "appraiser1", {"comment": "Không đủ điều kiện"}),
                ("d", "repropose", "head_a", {}),  # nothing changed since the return
            ],
        ),
        (
            T_COUNCIL,
            [
                ("a", "schedule_vote", SYSTEM, {}),
                ("b", "schedule_vote", "secretary", {}),
                ("c", "schedule_vote", SYSTEM, {}),
                ("c", "pass_vote", SYSTEM, {}),  # just on the agenda: no yes-votes yet
                ("c", "fail_vote", SYSTEM, {"data": {"agree": 0}}),
                ("bk", "schedule_vote", SYSTEM, {}),
                ("e", "schedule_vote", SYSTEM, {}),  # still in appraisal
            ],
        ),
        (
            T_COUNCIL,
            [
                ("a", "pass_vote", SYSTEM, {"data": {"agree": 5}}),
                ("b", "pass_vote", SYSTEM, {}),  # 2 of 5: below the threshold
                ("b", "fail_vote", SYSTEM, {"data": {"agree": 2}}),
                ("bk", "pass_vote", SYSTEM, {"data": {"agree": 4}}),
            ],
        ),
        (
            T_DECIDE,
            [
                ("a", "decide", "director", {"data": DECISION}),
                ("bk", "decide", "director", {"data": DECISION}),  # beyond its authority
                ("bk", "submit", SYSTEM, {"data": {"submission": "batch-1"}}),
                ("a", "decide", "director", {"data": DECISION}),  # already awarded
            ],
        ),
        (
            T_ANSWER,
            [
                ("bk", "confer", "authority", {"data": {**DECISION, "issuer": "UBND tỉnh"}}),
            ],
        ),
    ]


def test_batch_matches_one_by_one_on_twin_worlds(
    twins: tuple[World, World], ctx: ServiceContext
) -> None:
    solo, batch = twins
    for w in twins:
        with w.db.write() as s:
            _drafts(s, w, ctx)
    assert {k: solo[k] for k in solo.ids} == {k: batch[k] for k in solo.ids}  # same ids
    setup: dict[int, Callable[[Session, World], object]] = {
        2: lambda s, w: _tick(s, w, ctx, ["a", "b", "c", "bk"], ["ca_nhan_1", "ca_nhan_2"]),
        3: _session,
        4: lambda s, w: _ballots(s, w, ctx, {"a": 5, "b": 2, "bk": 4}),
        5: lambda s, w: package(s, w, w["bk"]),
    }
    setup_e = lambda s, w: _tick(s, w, ctx, ["e"], ["ca_nhan_1"])  # noqa: E731
    steps = _steps(solo["appraiser1"], solo["appraiser2"])
    seen: set[str] = set()
    for i, (now, items) in enumerate(steps):
        if i in setup:
            both(twins, setup[i])
            if i == 2:
                both(twins, setup_e)
        expected = one_by_one(solo, ctx, items, now)
        got = batched(batch, ctx, items, now)
        assert got == expected, f"step {i}"
        seen.update(kind for kind, _ in got)
    # the scenario did exercise what it claims to
    assert seen == {"ok", "Forbidden", "TransitionRefused", "VersionConflict", "NotFound"}
    a, b = dump(solo.db), dump(batch.db)
    for name in _COMPARED:
        assert b[name] == a[name], name
    assert len(a["award_history"]) >= 2 + 2 * 3  # the world's history, then a and bk awarded
    for w in twins:
        with w.db.read() as s:
            assert list(verify(s, AUDIT_KEY)) == []
            awarded = s.scalars(select(Nomination.id).where(Nomination.state == "awarded"))
            assert sorted(awarded) == sorted([w["a"], w["bk"]])


# --- the sweep's lapses and the supervisor's bulk (re)assignment --------------------------


def _move_both(
    worlds: tuple[World, World], ctx: ServiceContext, steps: Sequence[Item], now: datetime
) -> None:
    """Setup moves (not under test) by ``transition()``, the same in both worlds."""
    for w in worlds:
        with w.db.write() as s:
            for key, trigger, who, kw in steps:
                transition(s, ctx, w[key], trigger, actor_of(w, who), now=now, **kw)


def _same_rows(solo: World, batch: World) -> None:
    a, b = dump(solo.db), dump(batch.db)
    for name in _COMPARED:
        assert b[name] == a[name], name
    for w in (solo, batch):
        with w.db.read() as s:
            assert list(verify(s, AUDIT_KEY)) == []


def _lapse_one_by_one(s: Session, ctx: ServiceContext, now: datetime) -> tuple[int, list[str]]:
    """The sweep's lapses item by item: ``transition()`` per candidate, each in a savepoint."""
    lapsed, errors = 0, []
    system = Actor.system("sweep")
    for nid in sweep_repo.lapse_candidates(s, sweep.LAPSING, now, 500):
        try:
            with s.begin_nested():
                transition(s, ctx, nid, "lapse", system, now=now)
            lapsed += 1
        except AwardflowError as err:
            errors.append(f"#{nid}: {err.message_en}")
    return lapsed, errors


def test_sweep_lapses_match_one_by_one_on_twin_worlds(
    twins: tuple[World, World], ctx: ServiceContext
) -> None:
    """Drafts, a return and an authority return past their deadlines lapse in one batch with
    the same rows, events and outbox rows as one ``transition()`` each; a live dossier stays."""
    solo, batch = twins
    keys = ("l1", "l2", "l3", "ret", "live")

    def drafts(s: Session, w: World) -> None:
        for key in keys:
            w.ids[key] = new_draft(s, w, ctx, new_person(s, w, f"lp-{key}"))
        w.ids["ar"] = new_draft(s, w, ctx, w["p-lan"], award="bang_khen_tinh")
        add_evidence(s, w["ar"])

    reason = {"comment": "Bổ sung bản xác nhận thành tích"}
    both(twins, drafts)
    _move_both(twins, ctx, [(k, "propose", "head_a", {}) for k in ("ret", "live", "ar")], NOW)
    _move_both(twins, ctx, [(k, "claim", "appraiser1", {}) for k in ("ret", "live", "ar")], NOW)
    _move_both(twins, ctx, [("ret", "return_to_unit", "appraiser1", reason)], T_ASSIGN)
    both(twins, lambda s, w: _tick(s, w, ctx, ["ar"], ["ca_nhan_1", "ca_nhan_2"]))
    opinion = {"comment": "Đủ điều kiện"}
    _move_both(twins, ctx, [("ar", "recommend", "appraiser1", opinion)], T_APPRAISE)
    both(twins, _session)
    _move_both(twins, ctx, [("ar", "schedule_vote", SYSTEM, {})], T_COUNCIL)
    both(twins, lambda s, w: _ballots(s, w, ctx, {"ar": 4}))
    _move_both(twins, ctx, [("ar", "pass_vote", SYSTEM, {"data": {"agree": 4}})], T_COUNCIL)
    both(twins, lambda s, w: package(s, w, w["ar"]))
    packaged = {"data": {"submission": "batch-1"}}
    _move_both(twins, ctx, [("ar", "submit", SYSTEM, packaged)], T_DECIDE)
    _move_both(twins, ctx, [("ar", "authority_return", "authority", reason)], T_ANSWER)
    assert {k: solo[k] for k in solo.ids} == {k: batch[k] for k in solo.ids}  # same ids

    with solo.db.write() as s:
        expected = _lapse_one_by_one(s, ctx, T_LAPSE)
    with batch.db.write() as s:
        got = sweep.lapse_due(s, ctx, T_LAPSE)
    assert got == expected == (5, [])
    _same_rows(solo, batch)
    with batch.db.read() as s:
        states = {nid: st.value for nid, st in s.execute(select(Nomination.id, Nomination.state))}
    lapsing = ("l1", "l2", "l3", "ret", "ar")
    assert {k: states[batch[k]] for k in (*lapsing, "live")} == {
        **dict.fromkeys(lapsing, "lapsed"),
        "live": "in_appraisal",
    }


def _bulk_one_by_one(
    s: Session,
    ctx: ServiceContext,
    actor: Actor,
    ids: Sequence[int],
    data: dict[str, Any],
    comment: str,
    now: datetime,
) -> list[supervision.BulkItem]:
    """The bulk (re)assignment item by item: visibility, then ``transition()`` (``assign`` for
    a proposed dossier, else ``reassign``), each item in its own savepoint."""
    items: list[supervision.BulkItem] = []
    for nid in dict.fromkeys(ids):
        try:
            with s.begin_nested():
                nom = require_nomination(s, actor, nid)
                trig = "assign" if nom.state is NominationState.PROPOSED else "reassign"
                res = transition(s, ctx, nid, trig, actor, comment=comment, data=data, now=now)
            items.append(supervision.BulkItem(nid, True, res.as_dict()))
        except AwardflowError as exc:
            items.append(supervision.BulkItem(nid, False, reasons=[exc.as_dict()]))
    return items


def test_bulk_reassign_matches_one_by_one_on_twin_worlds(
    twins: tuple[World, World], ctx: ServiceContext
) -> None:
    """The supervisor's bulk (re)assignment as one batch: per item the same result or refusal
    (not found, forbidden, refused by a guard or by the state), in order, a repeated id once,
    and the same rows, events and outbox rows as one ``transition()`` per item."""
    solo, batch = twins
    school_b = ("p1", "p2", "a1", "ap", "fa")

    def drafts(s: Session, w: World) -> None:
        for key in school_b:
            pid = new_person(s, w, f"bu-{key}", "thpt-b")
            w.ids[key] = new_draft(s, w, ctx, pid, unit="thpt-b", clerk="head_b")
        for key in ("a2", "dr"):  # appraiser2 works at thpt-a: in conflict with a2's nominee
            w.ids[key] = new_draft(s, w, ctx, new_person(s, w, f"bu-{key}"))

    both(twins, drafts)
    _move_both(twins, ctx, [(k, "propose", "head_b", {}) for k in school_b], NOW)
    _move_both(twins, ctx, [("a2", "propose", "head_a", {})], NOW)
    _move_both(twins, ctx, [(k, "claim", "appraiser1", {}) for k in ("a1", "ap", "a2")], NOW)
    both(twins, lambda s, w: _tick(s, w, ctx, ["ap"], ["ca_nhan_1", "ca_nhan_2"]))
    opinion = {"comment": "Đủ điều kiện"}
    _move_both(twins, ctx, [("ap", "recommend", "appraiser1", opinion)], T_APPRAISE)
    assert {k: solo[k] for k in solo.ids} == {k: batch[k] for k in solo.ids}  # same ids

    runs: list[tuple[str, list[str | int], str]] = [
        ("supervisor", ["p1", "a1", "a2", "dr", 424242, "ap", "p2", "p1"], "appraiser2"),
        ("appraiser1", ["fa", "a1"], "appraiser1"),  # an appraiser may only claim
    ]
    comment = "  Cân đối khối lượng  "
    seen: set[str] = set()
    for who, keys, assignee in runs:
        ids = [solo[k] if isinstance(k, str) else k for k in keys]
        data = {"assignee_id": solo[assignee]}
        with solo.db.write() as s:
            items = _bulk_one_by_one(s, ctx, solo.actor(who), ids, data, comment, T_APPRAISE)
            expected = [asdict(i) for i in items]
        with batch.db.write() as s:
            items = supervision.bulk(
                s,
                ctx,
                batch.actor(who),
                "reassign",
                ids,
                data=data,
                comment=comment,
                dry_run=False,
                now=T_APPRAISE,
            )
            got = [asdict(i) for i in items]
        assert got == expected, who
        seen.update(
            i["reasons"][0]["error"] if i["reasons"] else i["result"]["trigger"] for i in got
        )
    # the scenario did exercise what it claims to
    assert seen == {"assign", "reassign", "not_found", "not_permitted", "transition_refused"}
    _same_rows(solo, batch)


# --- refusals write nothing; a moved version leaves nothing half-written ------------------


def _counts(s: Session) -> tuple[int, int]:
    events = s.scalar(select(func.count()).select_from(AuditEvent))
    outbox = s.scalar(select(func.count()).select_from(OutboxMessage))
    return int(events or 0), int(outbox or 0)


def _versions(s: Session, ids: Sequence[int]) -> dict[int, int]:
    stmt = select(Nomination.id, Nomination.version).where(Nomination.id.in_(ids))
    return {int(r[0]): int(r[1]) for r in s.execute(stmt)}


def _proposed(w: World, ctx: ServiceContext, n: int, unit: str = "thpt-a") -> list[int]:
    head = "head_a" if unit == "thpt-a" else "head_b"
    ids = []
    with w.db.write() as s:
        for i in range(n):
            pid = new_person(s, w, f"bt-{unit}-{i}", unit)
            clerk = "clerk_a" if unit == "thpt-a" else head
            nid = new_draft(s, w, ctx, pid, unit=unit, clerk=clerk)
            ids.append(nid)
    with w.db.write() as s:
        for nid in ids:
            transition(s, ctx, nid, "propose", w.actor(head), now=NOW)
    return ids


def test_refused_items_write_nothing_and_the_others_go_through(
    world: World, ctx: ServiceContext
) -> None:
    ids = _proposed(world, ctx, 3)
    system = Actor.system("batch")
    with world.db.read() as s:
        before, v = _counts(s), _versions(s, ids)
    items = [
        BatchItem(ids[0], "assign", system, data={"assignee_id": world["appraiser2"]}),  # own unit
        BatchItem(ids[1], "assign", system, data={"assignee_id": world["appraiser1"]}),
        BatchItem(
            ids[2], "assign", system, data={"assignee_id": world["appraiser1"]}, expected_version=7
        ),
        BatchItem(ids[2], "recommend", world.actor("appraiser1"), comment="x"),  # wrong state
    ]
    with world.db.write() as s:
        results = transition_many(s, ctx, items, now=T_ASSIGN)
    assert isinstance(results[0], TransitionRefused)
    assert results[0].reasons[0].code == "appraiser_conflict"
    assert isinstance(results[1], TransitionResult) and results[1].version == v[ids[1]] + 1
    assert isinstance(results[2], VersionConflict)
    assert isinstance(results[3], TransitionRefused)
    with world.db.read() as s:
        events, outbox = _counts(s)
        assert (events, outbox) == (before[0] + 1, before[1] + 1)  # the one assignment
        assert _versions(s, ids) == {**v, ids[1]: v[ids[1]] + 1}
        assert list(verify(s, AUDIT_KEY)) == []


def test_a_refused_candidate_leaves_nothing_and_the_next_one_is_tried(
    world: World, ctx: ServiceContext
) -> None:
    """Balanced assignment without a savepoint per try: appraiser1 (least loaded) declared a
    conflict with one nominee, so appraiser2 gets it; a nominee both are in conflict with
    stays proposed, untouched."""
    (other_school,) = _proposed(world, ctx, 1, unit="thpt-b")
    (own_school,) = _proposed(world, ctx, 1, unit="thpt-a")  # appraiser2 works at thpt-a
    with world.db.write() as s:
        for nid in (other_school, own_school):
            nom = s.get(Nomination, nid)
            assert nom is not None
            s.add(
                AppraiserConflict(
                    user_id=world["appraiser1"], person_id=nom.person_id, reason="người thân"
                )
            )
    with world.db.read() as s:
        before, v = _counts(s), _versions(s, [own_school])
    with world.db.write() as s:
        report = assignment.assign_proposed(s, ctx, now=T_ASSIGN)
    assert report.assigned == {other_school: world["appraiser2"]}
    assert "người thân" in report.unassignable[own_school]
    with world.db.read() as s:
        assert _counts(s) == (before[0] + 1, before[1] + 1)
        untouched = s.get(Nomination, own_school)
        assert untouched is not None
        assert (untouched.state.value, untouched.assignee_id) == ("proposed", None)
        assert untouched.version == v[own_school]
        (event,) = s.scalars(
            select(AuditEvent).where(
                AuditEvent.nomination_id == other_school, AuditEvent.trigger == "assign"
            )
        )
        assert event.data == {"assignee_id": world["appraiser2"]}
        outbox = s.scalars(
            select(OutboxMessage).where(OutboxMessage.nomination_id == other_school)
        ).all()
        assert [m.recipient_user_id for m in outbox if m.kind == "assigned"] == [
            world["appraiser2"]
        ]


def test_a_version_moved_inside_the_batch_leaves_nothing_half_written(
    world: World, ctx: ServiceContext
) -> None:
    """The executemany's affected-row count must show one row missed (SQLite sums it, and so
    does psycopg 3): VersionConflict, and the rows it did update are rolled back with it."""
    ids = _proposed(world, ctx, 3)
    system = Actor.system("batch")
    with world.db.read() as s:
        before, v = _counts(s), _versions(s, ids)
    with world.db.write() as s:
        batch = TransitionBatch(s, ctx, now=T_ASSIGN)
        batch.load(ids)
        for nid in ids:
            batch.add(nid, "assign", system, data={"assignee_id": world["appraiser1"]})
        # someone moved the middle row since the batch read it (in this very transaction: the
        # rows are locked against everyone else)
        table = Nomination.__table__
        s.connection().execute(
            update(table).where(table.c.id == ids[1]).values(version=table.c.version + 1)
        )
        with pytest.raises(VersionConflict) as stale:
            batch.write()
        # the row that moved is named, with the version it has now and the one read
        assert (stale.value.current_version, stale.value.expected_version) == (
            v[ids[1]] + 1,
            v[ids[1]],
        )
        assert batch.broken
        with pytest.raises(RuntimeError):
            batch.add(ids[0], "assign", system, data={"assignee_id": world["appraiser1"]})
        assert _counts(s) == before
        assert _versions(s, ids) == {**v, ids[1]: v[ids[1]] + 1}  # only the outside bump
        states = s.scalars(select(Nomination.state).where(Nomination.id.in_(ids)))
        assert {st.value for st in states} == {"proposed"}


# --- two batches, two sessions, the same rows -----------------------------------------------


def test_two_batches_over_the_same_rows_lose_no_update(world: World, ctx: ServiceContext) -> None:
    """The first batch locks its rows when it reads them (FOR UPDATE on PostgreSQL; SQLite's
    write transaction); the second waits, then sees the first one's result: its items are
    refused (or, with the version it expected, conflict), and every row moved exactly once."""
    ids = _proposed(world, ctx, 4)
    with world.db.read() as s:
        (v0,) = set(_versions(s, ids).values())
        seq0 = s.scalar(select(func.max(Nomination.audit_seq)).where(Nomination.id.in_(ids)))
    system = Actor.system("batch")
    first_read, first_done = threading.Event(), threading.Event()
    times: dict[str, float] = {}
    second: list[Any] = []
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with world.db.write() as s:
                batch = TransitionBatch(s, ctx, now=T_ASSIGN)
                batch.load(ids)
                first_read.set()
                for nid in ids:
                    batch.add(nid, "assign", system, data={"assignee_id": world["appraiser1"]})
                time.sleep(0.5)  # the other session tries the same rows meanwhile
                batch.write()
                times["first_written"] = time.monotonic()
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)
            first_read.set()
        finally:
            first_done.set()

    def other() -> None:
        try:
            first_read.wait(30)
            items = [
                BatchItem(
                    nid,
                    "assign",
                    system,
                    data={"assignee_id": world["appraiser1"]},
                    expected_version=v0 if i % 2 else None,
                )
                for i, nid in enumerate(ids)
            ]
            with world.db.write() as s:
                second.extend(transition_many(s, ctx, items, now=T_ASSIGN))
            times["second_done"] = time.monotonic()
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=first), threading.Thread(target=other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert first_done.is_set()
    assert times["second_done"] > times["first_written"]  # it waited for the first
    kinds = [type(r).__name__ for r in second]
    assert kinds == ["TransitionRefused", "VersionConflict"] * 2
    refused = [r for r in second if isinstance(r, TransitionRefused)]
    assert {r.reasons[0].code for r in refused} == {"invalid_state"}
    with world.db.read() as s:
        rows = s.execute(
            select(Nomination.state, Nomination.version, Nomination.audit_seq).where(
                Nomination.id.in_(ids)
            )
        ).all()
        assert {(r.state.value, r.version, r.audit_seq) for r in rows} == {
            ("in_appraisal", v0 + 1, (seq0 or 0) + 1)
        }
        assigns = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.trigger == "assign")
        )
        assert assigns == len(ids)
        assert list(verify(s, AUDIT_KEY)) == []
