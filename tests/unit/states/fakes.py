"""An in-memory Facts and nomination for the pure rule tests: every fact favourable unless a
test flips it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from awardflow.states import Actor, EligibilityOutcome, Grant, GuardContext, Payload, Role
from awardflow.states.context import VoteResult
from awardflow.states.lifecycle import NominationState

NOW = datetime(2026, 10, 1, tzinfo=UTC)
UNIT, ORG, OFFICE, AUTH = "/1/3/", "/1/", "/1/2/", "/9/"


@dataclass
class FakeNomination:
    state: NominationState = NominationState.DRAFT
    id: int = 1
    assignee_id: int | None = 10
    campaign_id: int = 1
    opinion: str | None = None
    due_at: datetime | None = datetime(2026, 9, 1, tzinfo=UTC)


@dataclass
class FakeFacts:
    open_for_proposals: bool = True
    missing: Sequence[str] = ()
    offered: bool = True
    quota_limit: int | None = None
    quota_used: int = 0
    duplicate: int | None = None
    eligible: EligibilityOutcome = field(default_factory=lambda: EligibilityOutcome(True))
    appraisers: frozenset[int] = frozenset({10, 11})
    conflicts: dict[int, str] = field(default_factory=dict)
    changed: bool = True
    criteria_missing: Sequence[str] = ()
    council_open: bool = True
    vote: VoteResult | None = field(default_factory=lambda: VoteResult(True, 5, 5, 3, True))
    within_authority: bool = True
    packaged: bool = True

    def unit_path(self) -> str:
        return UNIT

    def organiser_path(self) -> str:
        return ORG

    def appraising_office_path(self) -> str:
        return OFFICE

    def authority_path(self) -> str | None:
        return AUTH

    def round_open_for_proposals(self) -> bool:
        return self.open_for_proposals

    def missing_evidence(self) -> Sequence[str]:
        return self.missing

    def award_offered(self) -> bool:
        return self.offered

    def quota(self) -> tuple[int | None, int]:
        return self.quota_limit, self.quota_used

    def duplicate_live_nomination(self) -> int | None:
        return self.duplicate

    def eligibility(self) -> EligibilityOutcome:
        return self.eligible

    def appraiser_conflict(self, user_id: int) -> str | None:
        return self.conflicts.get(user_id)

    def is_appraiser(self, user_id: int) -> bool:
        return user_id in self.appraisers

    def changed_since_return(self) -> bool:
        return self.changed

    def missing_criteria(self) -> Sequence[str]:
        return self.criteria_missing

    def open_council_session(self) -> bool:
        return self.council_open

    def vote_result(self) -> VoteResult | None:
        return self.vote

    def within_organiser_authority(self) -> bool:
        return self.within_authority

    def in_submission_package(self) -> bool:
        return self.packaged


def person(role: Role, path: str, user_id: int = 10) -> Actor:
    return Actor(user_id=user_id, name=role.value, grants=(Grant(role, path),))


ACTORS: dict[Role, Actor] = {
    Role.UNIT_CLERK: person(Role.UNIT_CLERK, UNIT, 20),
    Role.UNIT_HEAD: person(Role.UNIT_HEAD, UNIT, 21),
    Role.APPRAISER: person(Role.APPRAISER, OFFICE, 10),
    Role.SUPERVISOR: person(Role.SUPERVISOR, ORG, 30),
    Role.COUNCIL_MEMBER: person(Role.COUNCIL_MEMBER, ORG, 31),
    Role.COUNCIL_SECRETARY: person(Role.COUNCIL_SECRETARY, ORG, 32),
    Role.DIRECTOR: person(Role.DIRECTOR, ORG, 33),
    Role.AUTHORITY: person(Role.AUTHORITY, AUTH, 40),
    Role.ADMIN: person(Role.ADMIN, ORG, 50),
    Role.SYSTEM: Actor.system(),
}

#: Input that satisfies every input guard.
FULL_INPUT = Payload(
    "Lý do / ý kiến đầy đủ",
    {"assignee_id": 11, "decision_number": "12/QĐ", "decision_date": "2026-12-01"},
)


def context(
    state: NominationState,
    actor: Actor,
    facts: FakeFacts | None = None,
    payload: Payload = FULL_INPUT,
    **nom: object,
) -> GuardContext:
    return GuardContext(
        FakeNomination(state=state, **nom),
        actor,
        payload,  # type: ignore[arg-type]
        facts or FakeFacts(),
        NOW,
    )
