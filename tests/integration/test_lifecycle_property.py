"""Hypothesis stateful test: random triggers by random actors through the real transition
service. The state never leaves the table, terminal states absorb, refusals write nothing, and
every audit chain verifies after every step."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select
from tests.conftest import AUDIT_KEY
from tests.support.world import (
    DECISION,
    NOW,
    add_evidence,
    build_world,
    open_council,
    package,
    tally,
)

from awardflow.db.base import Base
from awardflow.db.models import AuditEvent, Nomination
from awardflow.db.session import Database
from awardflow.errors import AwardflowError
from awardflow.services import nominations as noms
from awardflow.services.audit import verify
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import transition
from awardflow.settings import Settings
from awardflow.states import Actor, NominationState, Trigger
from awardflow.states.lifecycle import TERMINAL
from awardflow.states.table import BY_TRIGGER

USERS = [
    "clerk_a",
    "head_a",
    "head_b",
    "appraiser1",
    "appraiser2",
    "supervisor",
    "secretary",
    "director",
    "authority",
    "member1",
    "system",
]


ROLE_USER = {
    "unit_head": "head_a",
    "appraiser": "appraiser1",
    "supervisor": "supervisor",
    "council_secretary": "secretary",
    "director": "director",
    "authority": "authority",
    "system": "system",
}


class Lifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="awardflow-prop-")
        self.db = Database(f"sqlite:///{self.dir}/p.db")
        Base.metadata.create_all(self.db.engine)
        self.world = build_world(self.db)
        self.ctx = ServiceContext.from_settings(Settings(audit_key=AUDIT_KEY.decode()))
        self.actors = {u: (Actor.system() if u == "system" else self.world.actor(u)) for u in USERS}
        self.now = NOW
        with self.db.write() as s:
            nom = noms.create_draft(
                s,
                self.ctx,
                self.actors["clerk_a"],
                round_id=self.world["round"],
                award_id=self.world["bang_khen_tinh"],
                unit_id=self.world["thpt-a"],
                nominee_kind="individual",
                person_id=self.world["p-lan"],
                now=NOW,
            )
            add_evidence(s, nom.id)
            self.council = open_council(s, self.world)
            package(s, self.world, nom.id)
            self.nid = nom.id
        self.expected = NominationState.DRAFT
        self.events = 1

    def teardown(self) -> None:
        self.db.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _state(self) -> tuple[NominationState, int]:
        with self.db.read() as s:
            nom = s.get(Nomination, self.nid)
            assert nom is not None
            count = s.scalar(select(func.count()).select_from(AuditEvent)) or 0
            return nom.state, count

    @rule(
        trigger=st.sampled_from(list(Trigger)),
        who=st.sampled_from(USERS),
        agree=st.integers(0, 5),
        days=st.integers(0, 40),
    )
    def fire(self, trigger: Trigger, who: str, agree: int, days: int) -> None:
        self.now += timedelta(days=days)
        data = {"assignee_id": self.world["appraiser1"], **DECISION}
        if trigger is Trigger.PASS_VOTE or trigger is Trigger.FAIL_VOTE:
            with self.db.write() as s:
                if not s.execute(
                    select(func.count()).select_from(
                        __import__("awardflow.db.models", fromlist=["AgendaItem"]).AgendaItem
                    )
                ).scalar():
                    tally(s, self.council.id, self.nid, agree=agree)
        try:
            with self.db.write() as s:
                if trigger is Trigger.RECOMMEND and who == "appraiser1":
                    for code in ("ca_nhan_1", "ca_nhan_2"):
                        with contextlib.suppress(AwardflowError):
                            noms.record_criterion(
                                s, self.ctx, self.nid, self.actors[who], code, True
                            )
                result = transition(
                    s,
                    self.ctx,
                    self.nid,
                    trigger,
                    self.actors[who],
                    comment="Lý do",
                    data=data,
                    now=self.now,
                )
        except AwardflowError:
            state, _ = self._state()
            assert state is self.expected  # a refusal changes nothing
            return
        row = BY_TRIGGER[trigger]
        assert self.expected in row.sources
        assert result.to_state == row.dest.value
        self.expected = row.dest

    @precondition(lambda self: self.expected not in TERMINAL)
    @rule(data=st.data(), agree=st.integers(3, 5), days=st.integers(0, 2))
    def advance(self, data: st.DataObject, agree: int, days: int) -> None:
        """Mostly-legal moves, so runs reach every phase rather than dying at withdraw."""
        from awardflow.states.machine import structural_triggers

        options = [t for t in structural_triggers(self.expected) if t is not Trigger.WITHDRAW]
        if not options:
            return
        trigger = data.draw(st.sampled_from(options))
        who = ROLE_USER[BY_TRIGGER[trigger].actors[0].value]
        self.fire(trigger=trigger, who=who, agree=agree, days=days)

    @precondition(
        lambda self: (
            self.expected
            in (NominationState.DRAFT, NominationState.RETURNED, NominationState.AUTHORITY_RETURNED)
        )
    )
    @rule()
    def edit(self) -> None:
        try:
            with self.db.write() as s:
                noms.edit(
                    s,
                    self.ctx,
                    self.nid,
                    self.actors["clerk_a"],
                    {"achievement": f"Bổ sung {self.now.isoformat()}"},
                    now=self.now,
                )
        except AwardflowError:
            pass

    @invariant()
    def state_matches_and_chain_verifies(self) -> None:
        state, _ = self._state()
        assert state is self.expected
        with self.db.read() as s:
            assert list(verify(s, AUDIT_KEY)) == []

    @invariant()
    def terminal_absorbs(self) -> None:
        if self.expected in TERMINAL:
            from awardflow.states.machine import structural_triggers

            assert structural_triggers(self.expected) == []


TestLifecycle = Lifecycle.TestCase
TestLifecycle.settings = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
