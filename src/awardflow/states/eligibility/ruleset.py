"""Rule sets: versioned YAML data saying which rule kinds apply to which award, and why.

Laws change (Nghị định 98/2023 gave way to 152/2025 on 1 July 2025) and provinces add their
own rules, so the rules are data with an effective date, and each nomination is checked
against the set in force on its round's opening day (DESIGN.md §2, "Eligibility rules").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any

import yaml

from awardflow.campaigns.catalogue import AwardCode, AwardType, NomineeKind

# Importing the rule modules registers their kinds; ruleset loading needs all of them.
from awardflow.states.eligibility import rules_basic, rules_chains, rules_collective, rules_logic
from awardflow.states.eligibility.facts import NomineeFacts, ProposalFacts
from awardflow.states.eligibility.history import date_en, date_vi
from awardflow.states.eligibility.registry import (
    ParamSpec,
    RuleEntry,
    RuleSetError,
    coerce_param,
    get_kind,
    run_entry,
)
from awardflow.states.eligibility.results import Explanation

__all__ = [
    "NoRuleSetInForce",
    "RuleSet",
    "evaluate",
    "load_rulesets",
    "parse_ruleset",
    "ruleset_in_force",
]

_ = (rules_basic, rules_chains, rules_collective, rules_logic)

_ENTRY_KEYS = frozenset(
    {"rule", "source", "name_vi", "name_en", "applies_to", "award_types", "options"}
)
_TOP_KEYS = frozenset({"name", "effective_from", "notes", "common", "awards"})


class NoRuleSetInForce(LookupError):
    """No rule set had taken effect on the day asked about; carries both languages."""

    def __init__(self, on: date, earliest: date | None) -> None:
        since_vi = f" (bộ sớm nhất có hiệu lực từ {date_vi(earliest)})" if earliest else ""
        since_en = f" (the earliest takes effect on {date_en(earliest)})" if earliest else ""
        self.message_vi = (
            f"Không có bộ quy tắc xét khen thưởng nào có hiệu lực ngày {date_vi(on)}{since_vi}."
        )
        self.message_en = f"No eligibility rule set is in force on {date_en(on)}{since_en}."
        super().__init__(f"{self.message_en} / {self.message_vi}")


@dataclass(frozen=True, slots=True)
class RuleSet:
    """One version of the rules: ``common`` entries apply to every award, then the award's."""

    name: str
    effective_from: date
    notes: str
    common: tuple[RuleEntry, ...]
    awards: Mapping[str, tuple[RuleEntry, ...]]

    def entries_for(self, award_code: str) -> tuple[RuleEntry, ...]:
        return self.common + self.awards.get(award_code, ())


def evaluate(ruleset: RuleSet, nominee: NomineeFacts, proposal: ProposalFacts) -> Explanation:
    """Check every applicable entry; the explanation lists each verdict in rule-set order."""
    results = (run_entry(nominee, proposal, e) for e in ruleset.entries_for(proposal.award_code))
    return Explanation(
        proposal.award_code, ruleset.name, tuple(r for r in results if r is not None)
    )


def ruleset_in_force(rulesets: Iterable[RuleSet], on: date) -> RuleSet:
    """The set with the latest ``effective_from`` on or before ``on``."""
    ordered = sorted(rulesets, key=lambda r: r.effective_from)
    in_force = [r for r in ordered if r.effective_from <= on]
    if not in_force:
        raise NoRuleSetInForce(on, ordered[0].effective_from if ordered else None)
    return in_force[-1]


def load_rulesets() -> list[RuleSet]:
    """The rule sets packaged in ``rulesets/*.yaml``, oldest first (parsed once, then cached)."""
    return list(_packaged_rulesets())


@cache
def _packaged_rulesets() -> tuple[RuleSet, ...]:
    folder = files(__package__).joinpath("rulesets")
    loaded = [
        parse_ruleset(yaml.safe_load(item.read_text(encoding="utf-8")), origin=item.name)
        for item in sorted(folder.iterdir(), key=lambda i: i.name)
        if item.name.endswith(".yaml")
    ]
    dates = [r.effective_from for r in loaded]
    if len(set(dates)) != len(dates):
        raise RuleSetError("two packaged rule sets take effect on the same day")
    return tuple(sorted(loaded, key=lambda r: r.effective_from))


def parse_ruleset(data: object, origin: str = "<data>") -> RuleSet:
    """Build a ``RuleSet`` from parsed YAML, checking every kind and parameter now."""
    top = _mapping(data, origin)
    unknown = set(top) - _TOP_KEYS
    if unknown:
        raise RuleSetError(f"{origin}: unknown keys {sorted(unknown)}")
    name = _text(top.get("name"), f"{origin}: name")
    effective = top.get("effective_from")
    if isinstance(effective, str):
        effective = _iso_date(effective, f"{origin}: effective_from")
    if not isinstance(effective, date):
        raise RuleSetError(f"{origin}: effective_from must be a date (YYYY-MM-DD)")
    common = _entries(top.get("common", []), f"{origin}: common", None)
    awards = {
        _award_code(code, origin): _entries(raw, f"{origin}: awards.{code}", None)
        for code, raw in _mapping(top.get("awards", {}), f"{origin}: awards").items()
    }
    notes = str(top.get("notes", "")).strip()
    return RuleSet(name, effective, notes, common, MappingProxyType(awards))


def _entries(raw: object, where: str, source: str | None) -> tuple[RuleEntry, ...]:
    if not isinstance(raw, list):
        raise RuleSetError(f"{where}: expected a list of rules")
    return tuple(_entry(item, f"{where}[{n}]", source) for n, item in enumerate(raw))


def _entry(raw: object, where: str, inherited_source: str | None) -> RuleEntry:
    """One ``{rule: kind, params..., source: ...}`` mapping; options inherit the source."""
    item = _mapping(raw, where)
    try:
        kind = get_kind(str(item.get("rule")))
    except RuleSetError as exc:
        raise RuleSetError(f"{where}: {exc}") from None
    where = f"{where} ({kind.name})"
    source = _text(item.get("source", inherited_source), f"{where}: source")
    params = _params(item, kind.params, where)
    children: tuple[RuleEntry, ...] = ()
    if kind.takes_options:
        children = _entries(item.get("options"), f"{where}.options", source)
        if not children:
            raise RuleSetError(f"{where}: options must not be empty")
    elif "options" in item:
        raise RuleSetError(f"{where}: this kind takes no options")
    return RuleEntry(
        kind=kind.name,
        source=source,
        name_vi=_text(item.get("name_vi", kind.name_vi), f"{where}: name_vi"),
        name_en=_text(item.get("name_en", kind.name_en), f"{where}: name_en"),
        params=MappingProxyType(params),
        applies_to=_enum_list(item.get("applies_to"), "applies_to", where),
        award_types=_enum_list(item.get("award_types"), "award_types", where),
        children=children,
    )


def _params(
    item: Mapping[str, object], specs: Mapping[str, ParamSpec], where: str
) -> dict[str, object]:
    """The kind's parameters, converted, with defaults filled in; unknown keys are errors."""
    params: dict[str, object] = {}
    for key, value in item.items():
        if key in _ENTRY_KEYS:
            continue
        if key not in specs:
            raise RuleSetError(f"{where}: unknown parameter {key!r}; accepted: {sorted(specs)}")
        params[key] = coerce_param(specs[key].type, value, f"{where}: {key}")
    for key, spec in specs.items():
        if key in params:
            continue
        if spec.required:
            raise RuleSetError(f"{where}: missing parameter {key!r}")
        params[key] = spec.default
    return params


def _enum_list(raw: object, key: str, where: str) -> tuple[Any, ...]:
    """``applies_to`` (nominee kinds) or ``award_types``; absent means no restriction."""
    if raw is None:
        return ()
    enum: type[StrEnum] = NomineeKind if key == "applies_to" else AwardType
    if not isinstance(raw, list) or not raw:
        raise RuleSetError(f"{where}: {key} must be a non-empty list")
    try:
        return tuple(enum(str(v)) for v in raw)
    except ValueError:
        allowed = [m.value for m in enum]
        raise RuleSetError(f"{where}: {key} {raw!r}; allowed: {allowed}") from None


def _mapping(raw: object, where: str) -> dict[str, object]:
    if not isinstance(raw, dict):
        raise RuleSetError(f"{where}: expected a mapping")
    return {str(k): v for k, v in raw.items()}


def _text(raw: object, where: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise RuleSetError(f"{where}: expected non-empty text")
    return raw.strip()


def _iso_date(raw: str, where: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise RuleSetError(f"{where}: {raw!r} is not a date (YYYY-MM-DD)") from None


def _award_code(raw: str, origin: str) -> str:
    """Rule sets state national law, so award keys must be catalogue codes (typos fail)."""
    try:
        return AwardCode(raw).value
    except ValueError:
        raise RuleSetError(f"{origin}: awards.{raw} is not a catalogue award code") from None
