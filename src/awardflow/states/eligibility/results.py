"""What a rule check returns: a verdict a person can read, with the facts behind it.

A failed rule blocks ``propose`` (DESIGN.md §2), so every result must say, in Vietnamese and
English, what was looked at and what was required, and which legal text asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Explanation", "RuleResult"]


@dataclass(frozen=True, slots=True)
class RuleResult:
    """One rule's verdict. ``rule`` is the rule kind; ``source`` the legal basis."""

    rule: str
    name_vi: str
    name_en: str
    source: str
    passed: bool
    facts_vi: str
    facts_en: str


@dataclass(frozen=True, slots=True)
class Explanation:
    """All verdicts for one nomination against one rule set, in rule-set order."""

    award_code: str
    ruleset: str
    results: tuple[RuleResult, ...]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if not r.passed)
