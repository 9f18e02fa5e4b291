"""Explainable eligibility rules for nominations (DESIGN.md §2, "Eligibility rules").

Pure: the only I/O is reading the packaged rule-set YAML. Typical use by the ``propose``
guard::

    ruleset = ruleset_in_force(load_rulesets(), proposal.as_of)
    explanation = evaluate(ruleset, nominee, proposal)
    if not explanation.passed:
        ...  # show explanation.failures (facts_vi / facts_en, source) to the unit head
"""

from awardflow.states.eligibility.facts import (
    AwardRecord,
    CollectiveYear,
    Exclusion,
    ExclusionKind,
    Initiative,
    InitiativeScope,
    NomineeFacts,
    ProposalFacts,
    Rating,
)
from awardflow.states.eligibility.history import NON_CHAIN_TYPES
from awardflow.states.eligibility.registry import RuleEntry, RuleKind, RuleSetError, rule_kinds
from awardflow.states.eligibility.results import Explanation, RuleResult
from awardflow.states.eligibility.ruleset import (
    NoRuleSetInForce,
    RuleSet,
    evaluate,
    load_rulesets,
    parse_ruleset,
    ruleset_in_force,
)

__all__ = [
    "NON_CHAIN_TYPES",
    "AwardRecord",
    "CollectiveYear",
    "Exclusion",
    "ExclusionKind",
    "Explanation",
    "Initiative",
    "InitiativeScope",
    "NoRuleSetInForce",
    "NomineeFacts",
    "ProposalFacts",
    "Rating",
    "RuleEntry",
    "RuleKind",
    "RuleResult",
    "RuleSet",
    "RuleSetError",
    "evaluate",
    "load_rulesets",
    "parse_ruleset",
    "rule_kinds",
    "ruleset_in_force",
]
