"""The campaign definition: one YAML file per campaign plan (kế hoạch phát động phong trào thi
đua), describing its calendar, award forms, criteria, offices and escalation ladders.

The sections are defined in ``schema_time`` (plan, period, phases, rounds), ``schema_awards``
(awards, criteria, offices, council) and ``escalation``; this module joins them, and
``schema_rules`` checks the rules that need more than one section. Decisions the plans leave
open, made here once:

- Phases follow each other without overlap, inside the period, and only the last one ends in
  the final review (tổng kết); the others end in a midterm review (sơ kết).
- Every date of a round (``opens`` and all of ``dates``) lies inside the round's phase. A
  midterm or final round belongs to a phase that ends in that kind of review and must be done
  by the review's date: awards are handed out at the review, so the review window of a phase
  runs from its start to its review date.
- An award names the round kinds that offer it. Annual, midterm and final kinds must have at
  least one round; thematic and ad hoc rounds are opened during the campaign, so an award may
  name those kinds before any such round exists.
- Whoever decides must fit the award's level: a department decides grassroots awards and sends
  provincial ones to the province; a province decides its own; ministries and the state are
  the centre; Giấy khen signed by unit heads is ``unit``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, TypeVar

from pydantic import Field, model_validator

from awardflow.campaigns import schema_rules as rules
from awardflow.campaigns.catalogue import AwardCode
from awardflow.campaigns.escalation import (
    Escalation,
    EscalationStep,
    StateEscalation,
    StepName,
    default_escalation,
)
from awardflow.campaigns.schema_awards import (
    Award,
    Council,
    CouncilMember,
    CouncilRole,
    Criteria,
    Criterion,
    Offices,
    ProposingUnits,
    Quota,
    Scope,
)
from awardflow.campaigns.schema_base import (
    Body,
    DecidingAuthority,
    Frozen,
    NonEmpty,
    OrganiserLevel,
    ReviewKind,
    RoundKind,
    Slug,
    Text,
    UnitKind,
    raise_issues,
)
from awardflow.campaigns.schema_time import (
    Limits,
    Period,
    Phase,
    PlanRef,
    Review,
    Round,
    RoundDates,
)

# The sections are re-exported: readers import everything from here.
__all__ = [
    "Award",
    "Body",
    "CampaignDefinition",
    "Council",
    "CouncilMember",
    "CouncilRole",
    "Criteria",
    "Criterion",
    "DecidingAuthority",
    "Escalation",
    "EscalationStep",
    "Limits",
    "Offices",
    "OrganiserLevel",
    "Period",
    "Phase",
    "PlanRef",
    "ProposingUnits",
    "Quota",
    "Review",
    "ReviewKind",
    "Round",
    "RoundDates",
    "RoundKind",
    "Scope",
    "StateEscalation",
    "StepName",
    "UnitKind",
]


class CampaignDefinition(Frozen):
    """A whole campaign, valid as a unit: every cross-reference resolves and every date fits."""

    code: Slug
    title: Text
    title_en: Text
    issuer: Body
    plan: PlanRef
    legal_basis: Annotated[tuple[Text, ...], NonEmpty]
    organiser_level: OrganiserLevel
    scope: Scope
    period: Period
    phases: Annotated[tuple[Phase, ...], NonEmpty]
    rounds: Annotated[tuple[Round, ...], NonEmpty]
    awards: Annotated[tuple[Award, ...], NonEmpty]
    criteria: Criteria
    offices: Offices
    escalation: Escalation = Field(default_factory=default_escalation)

    def phase(self, code: str) -> Phase:
        """The phase with this code; KeyError if none."""
        return _by_code(self.phases, code)

    def round(self, code: str) -> Round:
        """The round with this code; KeyError if none."""
        return _by_code(self.rounds, code)

    def award(self, code: AwardCode | str) -> Award:
        """The award with this catalogue code; KeyError if the campaign does not offer it."""
        for award in self.awards:
            if award.code == code:
                return award
        raise KeyError(code)

    def awards_in(self, round_: Round) -> tuple[Award, ...]:
        """The awards a round offers: those naming its kind."""
        return tuple(a for a in self.awards if round_.kind in a.rounds)

    def decided_by_organiser(self, award: Award) -> bool:
        """True when the council's approval leads to ``decide``, false when to ``submit``."""
        return award.deciding_authority in (DecidingAuthority.ORGANISER, DecidingAuthority.UNIT)

    @model_validator(mode="after")
    def _consistent(self) -> CampaignDefinition:
        raise_issues(rules.check(self))
        return self


_Coded = TypeVar("_Coded", Phase, Round)


def _by_code(items: Iterable[_Coded], code: str) -> _Coded:
    for item in items:
        if item.code == code:
            return item
    raise KeyError(code)
