"""The nominee's history as the merit chains see it, and the wording shared by the rules.

Two principles (DOMAIN.md) change what a chain may count, so they live here once rather than
in every rule: results of thematic (chuyên đề) and ad hoc (đột xuất) awards never count
toward merit chains, and after a discipline ends, achievements count only from its end date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from awardflow.campaigns.catalogue import CATALOGUE, AwardCode, AwardType
from awardflow.states.eligibility.facts import (
    AwardRecord,
    ExclusionKind,
    NomineeFacts,
    ProposalFacts,
    Rating,
)

__all__ = [
    "NON_CHAIN_TYPES",
    "History",
    "award_names",
    "date_en",
    "date_vi",
    "run_ending",
    "years_text",
]

#: Award types whose results never count toward merit (công trạng) chains [V].
NON_CHAIN_TYPES = frozenset({AwardType.THEMATIC, AwardType.ADHOC})

#: Counting year used while a discipline is still open: nothing counts yet.
_NEVER = date.max.year + 1


@dataclass(frozen=True, slots=True)
class History:
    """A nominee's ratings and titles, filtered to what a chain may count.

    ``counts_from`` is the first whole year after the latest discipline that had started by
    ``as_of`` (None: no discipline, everything counts). A whole year is required because a
    year's rating covers the whole year, part of which was under discipline.
    """

    nominee: NomineeFacts
    counts_from: int | None
    cleared_on: date | None

    @classmethod
    def of(cls, nominee: NomineeFacts, proposal: ProposalFacts) -> History:
        started = [
            e
            for e in nominee.exclusions
            if e.kind is ExclusionKind.DISCIPLINE and e.start <= proposal.as_of
        ]
        if not started:
            return cls(nominee, None, None)
        if any(e.end is None for e in started):
            return cls(nominee, _NEVER, None)
        cleared_on = max(e.end for e in started if e.end is not None)
        return cls(nominee, _first_whole_year(cleared_on), cleared_on)

    def counts(self, year: int) -> bool:
        return self.counts_from is None or year >= self.counts_from

    def rating(self, year: int) -> Rating | None:
        """The year's rating, or None when missing or not countable after discipline."""
        return self.nominee.ratings.get(year) if self.counts(year) else None

    def chain_awards(self, codes: Iterable[str]) -> list[AwardRecord]:
        """Held awards of ``codes`` that may support a chain (not thematic or ad hoc)."""
        wanted = set(codes)
        return [
            a
            for a in self.nominee.awards
            if a.code in wanted and a.award_type not in NON_CHAIN_TYPES
        ]

    def title_years(self, codes: Iterable[str]) -> list[int]:
        """Sorted countable years in which the nominee received one of ``codes``."""
        return sorted({a.year for a in self.chain_awards(codes) if self.counts(a.year)})

    def ignored_titles(self, codes: Iterable[str]) -> list[AwardRecord]:
        """Awards of ``codes`` left out of chains because they are thematic or ad hoc."""
        wanted = set(codes)
        return [
            a for a in self.nominee.awards if a.code in wanted and a.award_type in NON_CHAIN_TYPES
        ]

    def affects(self, first_needed: int) -> bool:
        """True when discipline hides a year from ``first_needed`` on that a rule wants."""
        return self.counts_from is not None and self.counts_from > first_needed

    def note_vi(self, first_needed: int) -> str:
        """Why years a rule wanted from ``first_needed`` on were not counted; "" if none."""
        if not self.affects(first_needed):
            return ""
        if self.cleared_on is None:
            return " Đang thi hành kỷ luật: chưa tính thành tích."
        return (
            f" Kỷ luật kết thúc ngày {date_vi(self.cleared_on)}: "
            f"chỉ tính thành tích từ năm {self.counts_from}."
        )

    def note_en(self, first_needed: int) -> str:
        if not self.affects(first_needed):
            return ""
        if self.cleared_on is None:
            return " Discipline still in force: no achievement counts yet."
        return (
            f" Discipline ended on {date_en(self.cleared_on)}: "
            f"only achievements from {self.counts_from} count."
        )


def run_ending(end: int, qualifies: Callable[[int], bool], step: int = 1) -> list[int]:
    """The unbroken run of qualifying years ``end, end - step, ...``, oldest first."""
    run: list[int] = []
    year = end
    while qualifies(year):
        run.append(year)
        year -= step
    return run[::-1]


def _first_whole_year(cleared_on: date) -> int:
    return cleared_on.year if (cleared_on.month, cleared_on.day) == (1, 1) else cleared_on.year + 1


def date_vi(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def date_en(day: date) -> str:
    return day.isoformat()


def years_text(years: Iterable[int]) -> tuple[str, str]:
    """("2023, 2024, 2025", same) or ("không có", "none") for an empty list."""
    listed = ", ".join(str(y) for y in years)
    return (listed, listed) if listed else ("không có", "none")


def award_names(codes: Iterable[str]) -> tuple[str, str]:
    """Catalogue names of ``codes`` joined with "hoặc" / "or"; unknown codes as written."""
    names = [_award_name(code) for code in codes]
    return " hoặc ".join(n[0] for n in names), " or ".join(n[1] for n in names)


def _award_name(code: str) -> tuple[str, str]:
    try:
        form = CATALOGUE[AwardCode(code)]
    except ValueError:
        return code, code
    return form.name_vi, form.name_en
