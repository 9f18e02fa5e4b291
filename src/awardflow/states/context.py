"""What a guard may look at: the actor, the nomination, the input, and lazily fetched facts.

The facts come through a protocol so this package stays free of I/O: the transition service
implements :class:`Facts` over the repositories and caches each answer for one transition, so a
trigger pays only for the facts its guards ask for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from awardflow.states.lifecycle import NominationState, Role


@dataclass(frozen=True, slots=True)
class Grant:
    """A role granted over a unit subtree (``unit_path`` like ``/1/4/``), maybe for one campaign."""

    role: Role
    unit_path: str
    campaign_id: int | None = None

    def covers(self, path: str | None, campaign_id: int | None) -> bool:
        if path is None or not path.startswith(self.unit_path):
            return False
        return self.campaign_id is None or self.campaign_id == campaign_id


@dataclass(frozen=True, slots=True)
class Actor:
    """Who fires a trigger: a person with grants, or the system (flows, sweeps)."""

    user_id: int | None
    name: str
    grants: tuple[Grant, ...] = ()
    is_system: bool = False

    @classmethod
    def system(cls, name: str = "awardflow") -> Actor:
        return cls(user_id=None, name=name, is_system=True)

    def roles(self) -> frozenset[Role]:
        if self.is_system:
            return frozenset({Role.SYSTEM})
        return frozenset(g.role for g in self.grants)

    def holds(self, role: Role, path: str | None, campaign_id: int | None) -> bool:
        if role is Role.SYSTEM:
            return self.is_system
        return any(g.role is role and g.covers(path, campaign_id) for g in self.grants)


@dataclass(frozen=True, slots=True)
class Payload:
    """What the actor typed or the system passed: a comment and structured data."""

    comment: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        text = str(value).strip()
        return text or None


class NominationView(Protocol):
    """The few columns of a nomination that guards read (the ORM row satisfies it)."""

    @property
    def id(self) -> int: ...
    @property
    def state(self) -> NominationState: ...
    @property
    def assignee_id(self) -> int | None: ...
    @property
    def campaign_id(self) -> int: ...
    @property
    def opinion(self) -> str | None: ...
    @property
    def due_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class VoteResult:
    """The council's result for one item, computed when the session closes."""

    quorum_met: bool
    yes: int
    members: int
    required_yes: int
    within_quota: bool


@dataclass(frozen=True, slots=True)
class EligibilityOutcome:
    passed: bool
    failures: Sequence[tuple[str, str]] = ()  # (vi, en) per failed rule
    override_reason: str | None = None


class Facts(Protocol):
    """Answers guards need from the database; each is computed at most once per transition."""

    def unit_path(self) -> str: ...
    def organiser_path(self) -> str: ...
    def appraising_office_path(self) -> str: ...
    def authority_path(self) -> str | None: ...
    def round_open_for_proposals(self) -> bool: ...
    def missing_evidence(self) -> Sequence[str]: ...
    def award_offered(self) -> bool: ...
    def quota(self) -> tuple[int | None, int]: ...
    def duplicate_live_nomination(self) -> int | None: ...
    def eligibility(self) -> EligibilityOutcome: ...
    def appraiser_conflict(self, user_id: int) -> str | None:
        """None when the user may appraise this dossier, else the reason (vi)."""
        ...

    def is_appraiser(self, user_id: int) -> bool: ...
    def changed_since_return(self) -> bool: ...
    def missing_criteria(self) -> Sequence[str]: ...
    def open_council_session(self) -> bool: ...
    def vote_result(self) -> VoteResult | None: ...
    def within_organiser_authority(self) -> bool: ...
    def in_submission_package(self) -> bool: ...


@dataclass(slots=True)
class GuardContext:
    nomination: NominationView
    actor: Actor
    payload: Payload
    facts: Facts
    now: datetime
