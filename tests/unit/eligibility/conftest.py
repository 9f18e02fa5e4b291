"""Builders shared by the eligibility tests (exposed as the ``kit`` fixture).

Tests run with ``--import-mode=importlib``, so helpers cannot be imported between test
modules; a fixture returning this small kit keeps each test's history readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from awardflow.campaigns.catalogue import AwardType, NomineeKind
from awardflow.states.eligibility import (
    AwardRecord,
    CollectiveYear,
    Exclusion,
    Initiative,
    NomineeFacts,
    ProposalFacts,
    Rating,
    RuleResult,
    evaluate,
    parse_ruleset,
)

AS_OF = date(2026, 1, 5)


class Kit:
    """Factories with sensible defaults: an individual assessed for 2025, round opens 2026."""

    as_of = AS_OF

    @staticmethod
    def nominee(
        *,
        kind: NomineeKind = NomineeKind.INDIVIDUAL,
        ratings: Mapping[int, str] | None = None,
        awards: tuple[AwardRecord, ...] = (),
        initiatives: tuple[Initiative, ...] = (),
        exclusions: tuple[Exclusion, ...] = (),
        collective_years: Mapping[int, CollectiveYear] | None = None,
    ) -> NomineeFacts:
        return NomineeFacts(
            kind=kind,
            name="Nguyễn Thị Hoa",
            ratings={y: Rating(r) for y, r in (ratings or {}).items()},
            awards=awards,
            initiatives=initiatives,
            exclusions=exclusions,
            collective_years=dict(collective_years or {}),
        )

    @staticmethod
    def proposal(
        award_code: str = "ldtt",
        *,
        year: int = 2025,
        as_of: date = AS_OF,
        award_type: AwardType = AwardType.MERIT,
        achievement_key: str | None = None,
        initiative_ids: tuple[str, ...] = (),
        quota_limit: int | None = None,
        quota_used: int = 0,
        other_live: tuple[str, ...] = (),
    ) -> ProposalFacts:
        return ProposalFacts(
            award_code=award_code,
            year=year,
            as_of=as_of,
            award_type=award_type,
            achievement_key=achievement_key,
            initiative_ids=initiative_ids,
            quota_limit=quota_limit,
            quota_used=quota_used,
            other_live_awards_for_achievement=other_live,
        )

    @staticmethod
    def award(code: str, year: int, award_type: AwardType = AwardType.MERIT) -> AwardRecord:
        return AwardRecord(code=code, year=year, award_type=award_type)

    @staticmethod
    def titles(code: str, *years: int) -> tuple[AwardRecord, ...]:
        return tuple(AwardRecord(code=code, year=y, award_type=AwardType.MERIT) for y in years)

    @staticmethod
    def ratings(rating: str, *years: int) -> dict[int, str]:
        return dict.fromkeys(years, rating)

    @staticmethod
    def check(
        entry: Mapping[str, Any], nominee: NomineeFacts, proposal: ProposalFacts
    ) -> RuleResult:
        """Run one rule entry (parsed like a rule-set file) and return its only result."""
        data = {
            "name": "test",
            "effective_from": "2024-01-01",
            "awards": {proposal.award_code: [{"source": "Nguồn thử", **entry}]},
        }
        results = evaluate(parse_ruleset(data, "test"), nominee, proposal).results
        assert len(results) == 1
        return results[0]


@pytest.fixture
def kit() -> Kit:
    return Kit()
