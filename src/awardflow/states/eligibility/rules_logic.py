"""Rule kinds that combine other rules: "one of" alternatives and "all of" groups.

DOMAIN.md states several criteria as alternatives (CSTĐ cơ sở: HTXS, or an initiative, or
a research topic; Bằng khen: 2 consecutive CSTĐ cơ sở, or 2 HTXS years with 2 initiatives).
The combined result lists every option with its own verdict, so a failure says what each
path lacked rather than only that none worked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from awardflow.states.eligibility.facts import NomineeFacts, ProposalFacts
from awardflow.states.eligibility.registry import RuleEntry, rule_kind, run_entry
from awardflow.states.eligibility.results import RuleResult


def _run_options(
    nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry
) -> list[RuleResult]:
    results = (run_entry(nominee, proposal, child) for child in entry.children)
    return [r for r in results if r is not None]


def _combine(
    entry: RuleEntry,
    results: list[RuleResult],
    verdict: Callable[[Iterable[bool]], bool],
    heads: tuple[str, str],
) -> RuleResult:
    """One result whose facts number each option: verdict, name, facts, own source."""
    parts_vi, parts_en = [heads[0]], [heads[1]]
    for n, r in enumerate(results, start=1):
        own = f" [{r.source}]" if r.source != entry.source else ""
        parts_vi.append(
            f"({n}) {'Đạt' if r.passed else 'Không đạt'} – {r.name_vi}: {r.facts_vi}{own}"
        )
        parts_en.append(
            f"({n}) {'Passed' if r.passed else 'Failed'} – {r.name_en}: {r.facts_en}{own}"
        )
    return entry.result(verdict(r.passed for r in results), " ".join(parts_vi), " ".join(parts_en))


@rule_kind(
    "one_of",
    name_vi="Đạt một trong các điều kiện",
    name_en="One of the alternatives",
    takes_options=True,
)
def one_of(nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry) -> RuleResult:
    """Passes when any option passes; with no applicable option it fails."""
    results = _run_options(nominee, proposal, entry)
    heads = ("Cần đạt ít nhất một phương án.", "At least one option is required.")
    return _combine(entry, results, any, heads)


@rule_kind(
    "all_of",
    name_vi="Đạt tất cả các điều kiện",
    name_en="All of the conditions",
    takes_options=True,
)
def all_of(nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry) -> RuleResult:
    """Passes when every option passes; used inside ``one_of`` for a compound path."""
    results = _run_options(nominee, proposal, entry)
    heads = ("Cần đạt tất cả điều kiện.", "Every condition is required.")
    return _combine(entry, results, all, heads)
