"""Driving demo nominations through the lifecycle with the real services only.

Each nomination has a target; the steps to reach it are the ones people would take, at
plausible moments of its round: drafts and proposals in the proposal window, appraisal before
the appraisal date, the council a few days before ``council_by``, decisions and the submission
upward after it, the authority's answers in the following weeks. No state is ever written.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from awardflow.db.models import Award, Evidence, Round
from awardflow.demo import data
from awardflow.demo.org import Cast
from awardflow.errors import TransitionRefused
from awardflow.services import nominations as noms
from awardflow.services.actors import actor_for_user
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import transition
from awardflow.states import Actor, Trigger

# Targets: the state each demo nomination ends in, and how it gets there.
DRAFT, INELIGIBLE, LAPSED, WITHDRAWN = "draft", "draft_ineligible", "lapsed", "withdrawn"
PROPOSED, IN_APPRAISAL, OVERRIDDEN, RETURNED = "proposed", "in_appraisal", "override", "returned"
DECLINED, APPRAISED, IN_COUNCIL = "declined", "appraised", "in_council"
APPROVED, DECIDED, VOTED_DOWN = "council_approved", "decided", "voted_down"
SUBMITTED, AUTH_RETURNED, CONFERRED = "submitted", "authority_returned", "conferred"
RESUBMITTED, REFUSED = "resubmitted_conferred", "refused"

ANNUAL_TARGETS = (
    DECIDED, APPROVED, VOTED_DOWN, IN_COUNCIL, APPRAISED, IN_APPRAISAL, PROPOSED, RETURNED,
    DRAFT, INELIGIBLE, LAPSED, WITHDRAWN, DECLINED,
)  # fmt: skip
REVIEW_TARGETS = (SUBMITTED, AUTH_RETURNED, CONFERRED, REFUSED, RESUBMITTED)
#: Beyond the one of each above, how often each target comes up (a believable mix).
WEIGHTS = {
    DECIDED: 8, APPROVED: 3, VOTED_DOWN: 2, IN_COUNCIL: 2, APPRAISED: 3, IN_APPRAISAL: 4,
    PROPOSED: 3, RETURNED: 2, DRAFT: 3, INELIGIBLE: 1, LAPSED: 1, WITHDRAWN: 1, DECLINED: 1,
    SUBMITTED: 3, AUTH_RETURNED: 1, CONFERRED: 6, REFUSED: 1, RESUBMITTED: 1,
}  # fmt: skip
#: Targets that reach the council in its first session, and whether their vote passes.
FIRST_SESSION = {
    DECIDED: True, APPROVED: True, VOTED_DOWN: False, SUBMITTED: True, AUTH_RETURNED: True,
    CONFERRED: True, REFUSED: True, RESUBMITTED: True,
}  # fmt: skip


@dataclass
class Plan:
    target: str
    rnd: Round
    award: Award
    kind: str
    unit_id: int
    person_id: int | None
    nominee_unit_id: int | None
    index: int
    nomination_id: int = 0


def at(day: date, hour: int) -> datetime:
    """``hour`` o'clock in Vietnam (UTC+7) on ``day``, as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour - 7)


class Driver:
    """Runs plans for one campaign; actors are built once per user."""

    def __init__(
        self, session: Session, ctx: ServiceContext, cast: Cast, rng: random.Random
    ) -> None:
        self.s, self.ctx, self.cast, self.rng = session, ctx, cast, rng
        self._actors: dict[int, Actor] = {}
        self.system = Actor.system("demo")
        definition = _definition(session, cast.campaign.id)
        self.criteria: dict[str, list[dict[str, Any]]] = definition.get("criteria", {})

    def actor(self, user_id: int) -> Actor:
        if user_id not in self._actors:
            self._actors[user_id] = actor_for_user(self.s, user_id)
        return self._actors[user_id]

    def fire(
        self,
        plan: Plan,
        trigger: Trigger,
        user_id: int | None,
        when: datetime,
        comment: str | None = None,
        data_: dict[str, Any] | None = None,
    ) -> None:
        actor = self.system if user_id is None else self.actor(user_id)
        transition(
            self.s,
            self.ctx,
            plan.nomination_id,
            trigger,
            actor,
            comment=comment,
            data=data_,
            now=when,
        )

    # --- the proposal window ----------------------------------------------------------------

    def start(self, plan: Plan) -> datetime:
        rnd = plan.rnd
        close = rnd.proposals_close or rnd.opens + timedelta(days=45)
        first = max(rnd.opens, close - timedelta(days=40))
        return at(first + timedelta(days=plan.index % 18), 8)

    def propose_phase(self, plan: Plan) -> None:
        """Create, attach evidence, and propose unless the target stays with the unit."""
        t = self.start(plan)
        clerk, head = self.cast.clerks[plan.unit_id], self.cast.heads[plan.unit_id]
        nom = noms.create_draft(
            self.s,
            self.ctx,
            self.actor(clerk),
            round_id=plan.rnd.id,
            award_id=plan.award.id,
            unit_id=plan.unit_id,
            nominee_kind=plan.kind,
            person_id=plan.person_id,
            nominee_unit_id=plan.nominee_unit_id,
            achievement=self.rng.choice(data.ACHIEVEMENTS),
            fields={"achievement_key": f"demo-{plan.rnd.code}-{plan.index}"},
            now=t,
        )
        plan.nomination_id = nom.id
        if plan.target == LAPSED:
            close = plan.rnd.proposals_close or plan.rnd.opens + timedelta(days=45)
            self.fire(plan, Trigger.LAPSE, None, at(close + timedelta(days=5), 7))
            return
        self.evidence(plan, clerk, t + timedelta(hours=2), "achievement_report")
        if plan.target == DRAFT:
            return
        if plan.target == INELIGIBLE:
            try:
                self.fire(plan, Trigger.PROPOSE, head, t + timedelta(days=1))
            except TransitionRefused:
                return  # the eligibility rules say why; the dossier stays a draft
            raise AssertionError("an ineligible demo nomination was accepted")
        if plan.target == OVERRIDDEN:
            noms.override_eligibility(
                self.s,
                self.ctx,
                plan.nomination_id,
                self.actor(self.cast.supervisor),
                data.OVERRIDE_REASON,
                now=t + timedelta(days=1),
            )
        self.fire(plan, Trigger.PROPOSE, head, t + timedelta(days=2, hours=2))
        if plan.target == WITHDRAWN:
            reason = self.rng.choice(data.WITHDRAW_REASONS)
            self.fire(plan, Trigger.WITHDRAW, head, t + timedelta(days=4), reason)

    def evidence(self, plan: Plan, user_id: int, when: datetime, kind: str) -> None:
        body = f"{kind} #{plan.nomination_id} {plan.rnd.code} {self.rng.random()}".encode()
        noms.attach_evidence(
            self.s,
            self.ctx,
            plan.nomination_id,
            self.actor(user_id),
            Evidence(
                sha256=hashlib.sha256(body).hexdigest(),
                filename=f"{kind.replace('_', '-')}-{plan.nomination_id}.pdf",
                content_type="application/pdf",
                size=len(body),
                kind=kind,
            ),
            now=when,
        )

    # --- appraisal --------------------------------------------------------------------------

    def appraise_phase(self, plan: Plan) -> None:
        """Assign or claim, return and answer, tick the checklist; recommend or decline."""
        if plan.target in (DRAFT, INELIGIBLE, LAPSED, WITHDRAWN, PROPOSED):
            return
        t = self.start(plan) + timedelta(days=4)
        appraiser = self.cast.appraisers[plan.index % 2]
        if plan.index % 3 == 0:
            self.fire(plan, Trigger.CLAIM, appraiser, t)
        else:
            supervisor = self.cast.supervisor
            self.fire(plan, Trigger.ASSIGN, supervisor, t, data_={"assignee_id": appraiser})
        if plan.target in (IN_APPRAISAL, OVERRIDDEN):
            return
        loop = plan.target == RETURNED or plan.index % 4 == 1
        if loop:
            reason = self.rng.choice(data.RETURN_REASONS)
            self.fire(plan, Trigger.RETURN_TO_UNIT, appraiser, t + timedelta(days=2), reason)
            if plan.target == RETURNED:
                return
            clerk = self.cast.clerks[plan.unit_id]
            self.evidence(plan, clerk, t + timedelta(days=4), "initiative_certificate")
            self.fire(plan, Trigger.REPROPOSE, self.cast.heads[plan.unit_id], t + timedelta(days=5))
        if plan.target == DECLINED:
            reason = self.rng.choice(data.DECLINE_REASONS)
            self.fire(plan, Trigger.DECLINE, appraiser, t + timedelta(days=7), reason)
            return
        self.checklist(plan, appraiser, t + timedelta(days=7))
        if plan.target in FIRST_SESSION:
            self.recommend(plan, t + timedelta(days=8))

    def checklist(self, plan: Plan, appraiser: int, when: datetime) -> None:
        criteria = self.criteria.get(plan.kind, [])
        chosen = [c for c in criteria if c.get("required", True)] or criteria[:1]
        for n, criterion in enumerate(chosen):
            noms.record_criterion(
                self.s,
                self.ctx,
                plan.nomination_id,
                self.actor(appraiser),
                str(criterion["code"]),
                True,
                "Đạt; minh chứng kèm hồ sơ.",
                now=when + timedelta(minutes=5 * n),
            )

    def recommend(self, plan: Plan, when: datetime) -> None:
        appraiser = self.cast.appraisers[plan.index % 2]
        self.fire(plan, Trigger.RECOMMEND, appraiser, when, self.rng.choice(data.OPINIONS))


def _definition(session: Session, campaign_id: int) -> dict[str, Any]:
    from awardflow.db.repositories import campaigns as campaigns_repo

    version = campaigns_repo.latest_version(session, campaign_id)
    return dict(version.definition) if version is not None else {}
