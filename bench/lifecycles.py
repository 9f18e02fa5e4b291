"""Full lifecycles per second, draft to awarded, through the services (issue 9; goal ≥ 100/s on
this 2-core machine — Camunda 8's published 1x cluster runs ~5 process instances/s on ~11 vCPU).

Two paths of DESIGN §2, each on SQLite (WAL) and PostgreSQL, N nominations in one round:

- **department** (Giấy khen of the director, ``deciding_authority = organiser``): the clerk's
  draft, the head's ``propose``, balanced ``assign`` (the assignment flow's batches), two
  checklist ticks and ``recommend`` by the appraiser, the council session (created, opened —
  ``schedule_vote`` for every appraised dossier —, attendance, each member's secret ballot
  paper for the agenda, closed — ``pass_vote``), the director's decision for the round's list
  (``decisions.decide``: ``decide`` for each and the sổ vàng numbers, as the director's desk and
  ``POST /api/decisions`` do).
- **province** (Bằng khen of the provincial chairman, ``deciding_authority = province``): as
  above with the achievement report attached before ``propose`` (required evidence) and the
  eligibility chain checked on real history, then after the council ``prepare_submission``
  (one package, ``submit`` for every item), ``send_submission`` (the zip with the cover letter,
  lists and minutes as PDF/DOCX/XLSX, to a file-drop folder) and the fake authority's
  ``confer`` for every item.

What a person does is one transaction per action, as the API runs it (each draft, proposal,
tick and recommendation; a member's ballot paper; the director's decision, up to 500 names a
request); ``--per-item`` makes every ballot and every ``decide`` a request of its own instead,
as the one-item endpoints allow, for comparison. What a flow does runs in the flow's batches (one
transaction per assignment batch of 200, per council open and close, per submission, per
authority answer). Actors are loaded once (the API caches them). The nominees, their history
(province path) and the world are prepared before the clock starts. Afterwards every
nomination must be ``awarded`` and every audit chain verifies (``services.audit.verify``).

Reported: lifecycles/s (N ÷ the summed wall time of every step), the same on this process's CPU
time, and per step: transactions, SQL statements, transition-service calls, wall and CPU
milliseconds per lifecycle, and the milliseconds inside ``services.transitions.transition``
(every call timed wherever a service makes it), so that the transition service's share and the
rest's are both visible.
"""

from __future__ import annotations

import argparse
import os
import pickle
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select, update

from awardflow.db.models import (
    AuditEvent,
    Award,
    AwardHistory,
    Evidence,
    Nomination,
    OutboxMessage,
    YearlyRating,
)
from awardflow.services import assignment, audit, council, decisions, nominations, submissions
from awardflow.services.gateway import FakeAuthority, FileDropGateway, send_submission
from awardflow.services.transitions import transition
from awardflow.states import Actor
from awardflow.states.lifecycle import NominationState as S
from bench import common

ORDER = 6
GOAL = 100.0
PATHS = ("department", "province")
MEMBERS = 5
#: the most dossiers on one ballot paper or in one decision request (services' own limit)
LIST = 500
SEND = "send_submission (package: PDF, DOCX, XLSX, zip)"
DECISION_NO = "88/QĐ-SGDĐT"
# A round's calendar (tests.support.world): proposals close 10 Nov, council by 4 Dec.
T_PROPOSE = datetime(2026, 10, 1, 2, tzinfo=UTC)
T_ASSIGN = T_PROPOSE + timedelta(days=1)
T_APPRAISE = datetime(2026, 10, 20, 2, tzinfo=UTC)
T_COUNCIL = datetime(2026, 12, 1, 2, tzinfo=UTC)
T_DECIDE = datetime(2026, 12, 8, 2, tzinfo=UTC)
T_ANSWER = datetime(2026, 12, 22, 2, tzinfo=UTC)
ACHIEVEMENT = "Dẫn dắt chuyển đổi số nhà trường, sáng kiến cấp tỉnh"
OPINION = "Đủ điều kiện, hồ sơ đầy đủ; đề nghị Hội đồng xét."
CRITERIA = ("ca_nhan_1", "ca_nhan_2")  # the world's campaign: both required


@dataclass
class Options:
    n: int = 500  # nominations (lifecycles) per path and database
    paths: tuple[str, ...] = PATHS
    backends: tuple[str, ...] = common.BACKENDS
    #: one client (one process doing every person's action in turn), then two (the two cores,
    #: as two API workers would use them); the flows' batches run once either way
    clients: tuple[int, ...] = (1, 2)
    #: True: every ballot and every ``decide`` a request of its own (the API's one-item forms),
    #: to compare with how members and the director work: one ballot paper per member for the
    #: agenda, one decision for the round's list
    per_item: bool = False


@dataclass
class Clock:
    """Per step, in the order the steps first ran: wall and CPU seconds, transactions, SQL
    statements, and the share spent inside the transition service (calls and seconds)."""

    statements: Callable[[], int]
    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # this process's CPU seconds
    transactions: dict[str, int] = field(default_factory=dict)
    sql: dict[str, int] = field(default_factory=dict)
    in_transition: dict[str, float] = field(default_factory=dict)
    transitions: dict[str, int] = field(default_factory=dict)
    current: str = ""
    clients: int = 1  # processes sharing the people's actions (``each``)

    @contextmanager
    def step(self, name: str, transactions: int = 1) -> Iterator[None]:
        for d in (self.seconds, self.cpu, self.in_transition):
            d.setdefault(name, 0.0)
        self.transitions.setdefault(name, 0)
        self.transactions[name] = self.transactions.get(name, 0) + transactions
        self.current = name
        sent = self.statements()
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - t0
            self.cpu[name] += time.process_time() - c0
            self.sql[name] = self.sql.get(name, 0) + self.statements() - sent

    @contextmanager
    def watching_transitions(self) -> Iterator[None]:
        """Time the transition service's two halves (``_decide``: guards; ``_write``: row,
        audit, outbox), through which both ``transition()`` and the batches of the flows run,
        and book them to the current step; a transition is counted per decision."""
        from awardflow.services import transitions as service

        real_decide, real_write = service._decide, service._write

        def decide(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return real_decide(*args, **kwargs)
            finally:
                self.in_transition[self.current] += time.perf_counter() - t0
                self.transitions[self.current] += 1

        def write(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return real_write(*args, **kwargs)
            finally:
                self.in_transition[self.current] += time.perf_counter() - t0

        service._decide, service._write = decide, write  # type: ignore[assignment]
        try:
            yield
        finally:
            service._decide, service._write = real_decide, real_write  # type: ignore[assignment]


@dataclass
class Cast:
    clerk: Actor
    head: Actor
    secretary: Actor
    director: Actor
    members: list[Actor]
    appraisers: dict[int, Actor]


def cast_of(stage: common.Stage) -> Cast:
    w = stage.world
    return Cast(
        clerk=w.actor("clerk_a"),
        head=w.actor("head_a"),
        secretary=w.actor("secretary"),
        director=w.actor("director"),
        members=[w.actor(f"member{i}") for i in range(1, MEMBERS + 1)],
        appraisers={w[u]: w.actor(u) for u in ("appraiser1", "appraiser2")},
    )


# --- preparation (not timed) ----------------------------------------------------------------


def prepare(stage: common.Stage, path: str, n: int) -> list[int]:
    """N staff of one school; on the provincial path each has the record a Bằng khen needs
    (CSTĐ cơ sở in the two previous years, rated HTXS), and the award has no per-unit quota
    (the world caps it at 2, which a round of N would hit)."""
    db, w = stage.db, stage.world
    people = common.add_people(db, w["thpt-a"], n, f"lc-{path}")
    if path == "province":
        with db.write() as s:
            history = [
                {
                    "person_id": p,
                    "award_code": "cstd_co_so",
                    "year": y,
                    "award_type": "merit",
                    "decision_number": f"{y}/QĐ-SGDĐT",
                }
                for p in people
                for y in (2025, 2026)
            ]
            ratings = [
                {"person_id": p, "year": y, "rating": "htxs"} for p in people for y in (2025, 2026)
            ]
            for chunk in range(0, len(history), 5000):
                s.execute(insert(AwardHistory), history[chunk : chunk + 5000])
                s.execute(insert(YearlyRating), ratings[chunk : chunk + 5000])
            s.execute(
                update(Award).where(Award.id == w["bang_khen_tinh"]).values(quota_per_unit=None)
            )
    return people


# --- the lifecycle, step by step -------------------------------------------------------------


def each(
    clock: Clock, name: str, stage: common.Stage, items: Sequence[Any], act: Callable[..., Any]
) -> list[Any]:
    """One transaction per item: what a person does through the API, one request at a time;
    with ``clock.clients`` > 1, that many processes share the items, as that many API workers
    would serve that many people at once. Returns what ``act`` returned, per item."""
    with clock.step(name, len(items)):
        if clock.clients <= 1 or len(items) < 2:
            out = []
            for item in items:
                with stage.db.write() as s:
                    out.append(act(s, item))
            return out
        return _forked(clock, name, stage, items, act)


def _forked(
    clock: Clock, name: str, stage: common.Stage, items: Sequence[Any], act: Callable[..., Any]
) -> list[Any]:
    """``each`` over ``clock.clients`` forked processes (each with its own connections), their
    CPU time, statements and transition-service time added to the step."""
    children: list[tuple[int, int]] = []
    for k in range(clock.clients):
        chunk = items[k :: clock.clients]
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_end)
            code = 0
            try:
                stage.db.engine.dispose(close=False)  # the parent's connections stay its own
                sent, t_in, n_in = (
                    clock.statements(),
                    clock.in_transition[name],
                    clock.transitions[name],
                )
                out = []
                for item in chunk:
                    with stage.db.write() as s:
                        out.append(act(s, item))
                payload = pickle.dumps(
                    (
                        out,
                        clock.statements() - sent,
                        clock.in_transition[name] - t_in,
                        clock.transitions[name] - n_in,
                    )
                )
            except BaseException:
                payload, code = pickle.dumps(traceback.format_exc()), 1
            with os.fdopen(write_end, "wb") as f:
                f.write(payload)
            os._exit(code)
        os.close(write_end)
        children.append((pid, read_end))
    results: list[Any] = []
    failures: list[str] = []
    for pid, read_end in children:
        with os.fdopen(read_end, "rb") as f:
            got = pickle.loads(f.read())
        _, status, usage = os.wait4(pid, 0)
        if status != 0:
            failures.append(str(got))
            continue
        out, sql, in_transition, transitions = got
        results.extend(out)
        clock.cpu[name] += usage.ru_utime + usage.ru_stime
        clock.sql[name] = clock.sql.get(name, 0) + sql
        clock.in_transition[name] += in_transition
        clock.transitions[name] += transitions
    if failures:
        raise RuntimeError("a client process failed:\n" + "\n".join(failures))
    return results


def run_path(
    stage: common.Stage,
    path: str,
    n: int,
    drop: Path,
    statements: Callable[[], int],
    clients: int = 1,
    per_item: bool = False,
) -> dict[str, Any]:
    people = prepare(stage, path, n)
    with stage.db.read() as s:  # the calendar's first year (holidays package) outside the clock
        stage.ctx.reload_calendar(s)
    stage.ctx.calendar.add_working_days(T_PROPOSE.date(), 1)
    clock = Clock(statements, clients=clients)
    with clock.watching_transitions():
        ids = lifecycle(stage, path, people, clock, drop, per_item)
    return {
        "path": path,
        "n": n,
        "ids": ids,
        "seconds": clock.seconds,
        "cpu_seconds": clock.cpu,
        "in_transition_seconds": clock.in_transition,
        "transitions": clock.transitions,
        "transactions": clock.transactions,
        "sql": clock.sql,
    }


def lifecycle(
    stage: common.Stage,
    path: str,
    people: Sequence[int],
    clock: Clock,
    drop: Path,
    per_item: bool = False,
) -> list[int]:
    """Every step from draft to awarded for all of ``people``, timed on ``clock``."""
    w, ctx, db = stage.world, stage.ctx, stage.db
    cast = cast_of(stage)
    award = w["giay_khen"] if path == "department" else w["bang_khen_tinh"]
    ids: list[int] = []

    def draft(s: Any, pid: int) -> int:
        nom = nominations.create_draft(
            s,
            ctx,
            cast.clerk,
            round_id=w["round"],
            award_id=award,
            unit_id=w["thpt-a"],
            nominee_kind="individual",
            person_id=pid,
            achievement=ACHIEVEMENT,
            now=T_PROPOSE,
        )
        return nom.id

    ids.extend(each(clock, "create_draft", stage, people, draft))
    if path == "province":

        def attach(s: Any, nid: int) -> None:
            evidence = Evidence(
                sha256=f"{nid:064x}",
                filename="bao-cao-thanh-tich.pdf",
                content_type="application/pdf",
                size=182_044,
                kind="achievement_report",
            )
            nominations.attach_evidence(s, ctx, nid, cast.clerk, evidence, now=T_PROPOSE)

        each(clock, "attach_evidence", stage, ids, attach)
    each(
        clock,
        "propose",
        stage,
        ids,
        lambda s, nid: transition(s, ctx, nid, "propose", cast.head, now=T_PROPOSE),
    )
    assigned: dict[int, int] = {}
    with clock.step("assign (flow, 200 per batch)", 0):
        while True:
            with db.write() as s:
                report = assignment.assign_proposed(s, ctx, batch=200, now=T_ASSIGN)
            clock.transactions["assign (flow, 200 per batch)"] += 1
            assigned.update(report.assigned)
            if not report.assigned:
                break

    def tick(s: Any, item: tuple[int, str]) -> None:
        nid, code = item
        who = cast.appraisers[assigned[nid]]
        nominations.record_criterion(s, ctx, nid, who, code, True, "Đạt", now=T_APPRAISE)

    each(clock, "checklist (2 criteria)", stage, [(i, c) for i in ids for c in CRITERIA], tick)
    each(
        clock,
        "recommend",
        stage,
        ids,
        lambda s, nid: transition(
            s,
            ctx,
            nid,
            "recommend",
            cast.appraisers[assigned[nid]],
            comment=OPINION,
            now=T_APPRAISE,
        ),
    )
    council_round(clock, stage, cast, ids, per_item)
    if path == "department" and per_item:
        decision = {"decision_number": DECISION_NO, "decision_date": T_DECIDE.date().isoformat()}
        each(
            clock,
            "decide",
            stage,
            ids,
            lambda s, nid: transition(
                s, ctx, nid, "decide", cast.director, data=decision, now=T_DECIDE
            ),
        )
        with clock.step("issue_decision (sổ vàng numbers)"), db.write() as s:
            decisions.issue_decision(
                s, issuer_unit_id=w["so"], number=DECISION_NO, day=T_DECIDE.date()
            )
    elif path == "department":
        # the director's desk: one decision for the round's list, up to LIST at a time
        lists = [ids[k : k + LIST] for k in range(0, len(ids), LIST)]
        each(
            clock,
            f"director's decision (decide each, sổ vàng; {LIST} per request)",
            stage,
            lists,
            lambda s, chosen: decisions.decide(
                s,
                ctx,
                cast.director,
                round_id=w["round"],
                nomination_ids=chosen,
                number=DECISION_NO,
                day=T_DECIDE.date(),
                now=T_DECIDE,
            ),
        )
    else:
        upward(clock, stage, drop)
    return ids


def council_round(
    clock: Clock, stage: common.Stage, cast: Cast, ids: Sequence[int], per_item: bool = False
) -> int:
    """Create and open the session (every appraised dossier goes on the agenda), record who is
    present, each member's ballot paper for the agenda (up to LIST dossiers a paper; with
    ``per_item`` one request per ballot), close (pass_vote for each)."""
    w, ctx, db = stage.world, stage.ctx, stage.db
    with clock.step("council: create + open (schedule_vote)"), db.write() as s:
        made = council.create_session(
            s,
            ctx,
            cast.secretary,
            round_id=w["round"],
            name="Phiên họp Hội đồng TĐKT",
            member_user_ids=[m.user_id for m in cast.members if m.user_id is not None],
            chair_user_id=w["member1"],
            secretary_user_id=w["secretary"],
            now=T_COUNCIL,
        )
        sid = made.id
        council.open_session(s, ctx, cast.secretary, sid, now=T_COUNCIL)
    each(
        clock,
        "council: attendance",
        stage,
        cast.members,
        lambda s, m: council.record_attendance(
            s, ctx, cast.secretary, sid, m.user_id, True, now=T_COUNCIL
        ),
    )

    def choice(member: Actor, nid: int) -> str:
        # the fifth member votes against every third dossier: 4 of 5 still pass (threshold ½)
        no = member.user_id == cast.members[-1].user_id and nid % 3 == 0
        return "disagree" if no else "agree"

    def ballot(s: Any, item: tuple[Actor, int]) -> None:
        member, nid = item
        council.cast_ballot(s, ctx, member, sid, nid, choice(member, nid), now=T_COUNCIL)

    def paper(s: Any, item: tuple[Actor, Sequence[int]]) -> None:
        member, listed = item
        votes = {nid: choice(member, nid) for nid in listed}
        council.cast_ballot_paper(s, ctx, member, sid, votes, now=T_COUNCIL)

    if per_item:
        votes = [(m, nid) for m in cast.members for nid in ids]
        each(clock, f"council: ballots ({MEMBERS} per item)", stage, votes, ballot)
    else:
        papers = [(m, ids[k : k + LIST]) for m in cast.members for k in range(0, len(ids), LIST)]
        each(
            clock,
            f"council: ballot papers (one per member, {LIST} items each)",
            stage,
            papers,
            paper,
        )
    with clock.step("council: close (pass_vote)"), db.write() as s:
        council.close_session(s, ctx, Actor.system("council"), sid, now=T_COUNCIL)
    return sid


def upward(clock: Clock, stage: common.Stage, drop: Path) -> None:
    """One package to the province carrying every item, sent, and conferred by the authority."""
    w, ctx, db = stage.world, stage.ctx, stage.db
    with clock.step("prepare_submission (submit)"), db.write() as s:
        made = submissions.prepare_submission(
            s, ctx, round_id=w["round"], authority_unit_id=w["snv"], now=T_DECIDE
        )
        assert made is not None
        sub_id = made.id
    from awardflow.db.repositories import submissions as submissions_repo

    with clock.step(SEND), db.write() as s:
        sub = submissions_repo.get(s, sub_id)
        assert sub is not None
        send_submission(s, FileDropGateway(drop), sub, T_DECIDE)
    with clock.step("authority: confer (fake authority)"), db.write() as s:
        sub = submissions_repo.get(s, sub_id)
        assert sub is not None
        FakeAuthority(confer=1.0, return_=0.0).answer(s, ctx, sub, T_ANSWER)


# --- one database ---------------------------------------------------------------------------


def count_statements(engine: Any) -> Callable[[], int]:
    counter = {"n": 0}

    def on_execute(*_: Any) -> None:
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    return lambda: counter["n"]


def check(stage: common.Stage, ids: Sequence[int]) -> dict[str, Any]:
    with stage.db.read() as s:
        by_state = (
            select(Nomination.state, func.count())
            .where(Nomination.id.in_(ids))
            .group_by(Nomination.state)
        )
        states = {state: int(count) for state, count in s.execute(by_state)}
        outbox = s.execute(
            select(func.count()).where(OutboxMessage.nomination_id.in_(ids))
        ).scalar_one()
        problems = [str(p) for p in audit.verify(s, stage.ctx.audit_key)]
        events = s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    ok = states == {S.AWARDED: len(ids)} and not problems
    return {
        "ok": ok,
        "states": {k.value: v for k, v in states.items()},
        "outbox_rows": outbox,
        "audit_events_verified": events,
        "chain_problems": problems[:5],
    }


def run_backend(
    backend: str, path: str, n: int, pg_url: str | None, clients: int = 1, per_item: bool = False
) -> dict[str, Any]:
    with (
        common.database(backend, pg_url, f"awardflow_bench_lifecycle_{path}") as db,
        tempfile.TemporaryDirectory(prefix="awardflow-drop-") as drop,
    ):
        stage = common.stage(db)
        res = run_path(stage, path, n, Path(drop), count_statements(db.engine), clients, per_item)
        res["statements"] = sum(res["sql"].values())
        res["check"] = check(stage, res.pop("ids"))
    res["backend"] = backend
    res["clients"] = clients
    res["forms"] = "per item" if per_item else "papers"
    total = sum(res["seconds"].values())
    res["total_seconds"] = round(total, 3)
    res["per_s"] = round(n / total, 1)
    res["cpu_per_s"] = round(n / sum(res["cpu_seconds"].values()), 1)
    # one client: of the wall time; several: of the processes' summed CPU time (their time
    # inside the service adds up across processes)
    base = total if clients == 1 else sum(res["cpu_seconds"].values())
    res["in_transition_share"] = round(sum(res["in_transition_seconds"].values()) / base, 3)
    docs = res["seconds"].get(SEND, 0.0)
    if docs:
        res["per_s_without_documents"] = round(n / (total - docs), 1)
    return res


def run(opts: Options, pg_url: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"runs": []}
    for backend in opts.backends:
        if backend == "postgres" and pg_url is None:
            continue
        for path in opts.paths:
            for clients in opts.clients:
                print(
                    f"[lifecycles] {backend} {path}, {clients} client(s): {opts.n} lifecycles …",
                    flush=True,
                )
                res = run_backend(backend, path, opts.n, pg_url, clients, opts.per_item)
                out["runs"].append(res)
                print(summary_line(res), flush=True)
    return out


def summary_line(res: dict[str, Any]) -> str:
    top = sorted(res["seconds"].items(), key=lambda kv: -kv[1])[:3]
    return (
        f"  {res['backend']} {res['path']} ×{res['clients']}: {res['per_s']:.1f} lifecycles/s "
        f"({res['total_seconds']:.1f} s for {res['n']}); slowest steps: "
        + ", ".join(f"{k} {v / res['total_seconds']:.0%}" for k, v in top)
        + f"; checks {'ok' if res['check']['ok'] else 'FAILED'}"
    )


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "### Full lifecycles, draft → awarded, through the services",
        "",
        "| database | path | forms | clients | lifecycles | wall s | **lifecycles/s** "
        "| lifecycles/s, the clients' CPU | in the transition service | transactions / lifecycle "
        "| SQL / lifecycle | checks |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in result["runs"]:
        c = r["check"]
        tx = sum(r["transactions"].values()) / r["n"]
        extra = (
            f" ({r['per_s_without_documents']:.1f} without the package documents)"
            if "per_s_without_documents" in r
            else ""
        )
        lines.append(
            f"| {r['backend']} | {r['path']} | {r.get('forms', 'per item')} | {r['clients']} "
            f"| {r['n']:,} "
            f"| {r['total_seconds']:.1f} "
            f"| **{r['per_s']:.1f}**{extra} | {r['cpu_per_s']:.1f} "
            f"| {r['in_transition_share']:.0%} | {tx:.1f} | {r['statements'] / r['n']:.0f} "
            f"| {'passed' if c['ok'] else 'FAILED'}: all awarded, "
            f"{c['audit_events_verified']:,} audit events verified |"
        )
    lines += [
        "",
        f"Goal ≥ {GOAL:.0f} lifecycles/s (context: Camunda 8's published 1x cluster runs ~5 "
        'process instances/s on ~11 vCPU). "Clients": processes sharing the people\'s actions (one '
        "transaction each), as that many API workers would; the flows' batches run once either "
        "way. \"The clients' CPU\" counts only the benchmark's processes (services, SQLAlchemy, "
        "drivers, SQLite itself), not PostgreSQL's server processes nor time waiting for a core "
        'on a loaded machine. "In the transition service": of the wall time with one client, '
        "of the clients' summed CPU time with several.",
    ]
    for r in result["runs"]:
        n = r["n"]
        lines += [
            "",
            f"Where the time goes, {r['backend']} {r['path']}, {r.get('forms', 'per item')}, "
            f"{r['clients']} client(s) "
            "(per lifecycle):",
            "",
            "| step | transactions | SQL statements | transitions | wall ms | CPU ms "
            "| of which in the transition service ms | share of wall |",
            "|---|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for name, sec in r["seconds"].items():
            lines.append(
                f"| {name} | {r['transactions'][name] / n:.2f} | {r['sql'][name] / n:.1f} "
                f"| {r['transitions'][name] / n:.2f} | {sec / n * 1e3:.2f} "
                f"| {r['cpu_seconds'][name] / n * 1e3:.2f} "
                f"| {r['in_transition_seconds'][name] / n * 1e3:.2f} "
                f"| {sec / r['total_seconds']:.0%} |"
            )
    return "\n".join(lines)


def suite(quick: bool, pg_url: str | None, n: int | None = None) -> dict[str, Any]:
    opts = Options(n=40) if quick else Options()
    if n:
        opts.n = n
    return run(opts, pg_url)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small N, a smoke run")
    parser.add_argument("--n", type=int, help="lifecycles per path and database")
    parser.add_argument("--path", choices=PATHS, help="one path only")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--clients", type=int, help="one number of client processes only")
    parser.add_argument(
        "--per-item",
        action="store_true",
        help="one request per ballot and per decide (not papers and decisions)",
    )
    args = parser.parse_args(argv)
    opts = Options(n=40) if args.quick else Options()
    if args.n:
        opts.n = args.n
    if args.path:
        opts.paths = (args.path,)
    if args.clients:
        opts.clients = (args.clients,)
    opts.per_item = args.per_item
    if args.sqlite_only:
        opts.backends = ("sqlite",)
        result = run(opts, None)
    else:
        with common.pg_server() as url:
            result = run(opts, url)
    print(markdown(result))
    return result


if __name__ == "__main__":
    main()
