"""The rule-kind registry: Python decides HOW a kind of rule is checked, YAML decides WHICH.

A rule set (see ``ruleset.py``) is data: per award it lists entries ``{rule: <kind>,
params..., source: ...}``. Each kind is a pure function registered here with the parameters
it accepts, so a rule set naming an unknown kind or a misspelt parameter fails when it is
loaded, not when a unit head presses "propose".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Final, TypeVar

from awardflow.campaigns.catalogue import AwardCode, AwardType, NomineeKind
from awardflow.states.eligibility.facts import InitiativeScope, NomineeFacts, ProposalFacts, Rating
from awardflow.states.eligibility.results import RuleResult

__all__ = [
    "ParamSpec",
    "ParamType",
    "RuleEntry",
    "RuleFn",
    "RuleKind",
    "RuleSetError",
    "coerce_param",
    "get_kind",
    "rule_kind",
    "rule_kinds",
    "run_entry",
]


class RuleSetError(ValueError):
    """A rule-set file is malformed; the message names the file, award and entry."""


class ParamType(Enum):
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    RATING = "rating"
    SCOPE = "scope"
    CODES = "codes"  # one catalogue award code or a list of them
    KINDS = "kinds"  # a list of nominee kinds


_REQUIRED: Final = object()
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """A parameter a kind accepts; without ``default`` the parameter is required."""

    type: ParamType
    default: object = _REQUIRED

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED


@dataclass(frozen=True, slots=True)
class RuleEntry:
    """One rule of a rule set, parameters already checked and converted to their types.

    ``applies_to`` and ``award_types`` restrict the entry (empty = always): the merit chains
    in DOMAIN.md are for individuals proposed for merit (công trạng) awards, and must not
    block a collective or a campaign, thematic or ad hoc award that has its own criteria.
    """

    kind: str
    source: str
    name_vi: str
    name_en: str
    params: Mapping[str, object] = field(default_factory=dict)
    applies_to: tuple[NomineeKind, ...] = ()
    award_types: tuple[AwardType, ...] = ()
    children: tuple[RuleEntry, ...] = ()

    def applies(self, nominee: NomineeFacts, proposal: ProposalFacts) -> bool:
        kind_ok = not self.applies_to or nominee.kind in self.applies_to
        type_ok = not self.award_types or proposal.award_type in self.award_types
        return kind_ok and type_ok

    def result(self, passed: bool, facts_vi: str, facts_en: str) -> RuleResult:
        """The verdict for this entry, carrying its names and legal source."""
        return RuleResult(
            self.kind, self.name_vi, self.name_en, self.source, passed, facts_vi, facts_en
        )

    def get_int(self, key: str) -> int:
        return _expect(self.params[key], int, key)

    def get_optional_int(self, key: str) -> int | None:
        value = self.params.get(key)
        return None if value is None else _expect(value, int, key)

    def get_float(self, key: str) -> float:
        return _expect(self.params[key], float, key)

    def get_bool(self, key: str) -> bool:
        return _expect(self.params[key], bool, key)

    def get_rating(self, key: str) -> Rating:
        return _expect(self.params[key], Rating, key)

    def get_optional_rating(self, key: str) -> Rating | None:
        value = self.params.get(key)
        return None if value is None else _expect(value, Rating, key)

    def get_scope(self, key: str) -> InitiativeScope:
        return _expect(self.params[key], InitiativeScope, key)

    def get_codes(self, key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in _expect(self.params.get(key) or (), tuple, key))

    def get_kinds(self, key: str) -> tuple[NomineeKind, ...]:
        return tuple(NomineeKind(v) for v in _expect(self.params.get(key) or (), tuple, key))


def _expect(value: object, cls: type[_T], key: str) -> _T:
    """Narrow a stored parameter; the loader already converted it, so a miss is a bug."""
    if not isinstance(value, cls):
        raise TypeError(f"rule parameter {key!r} is {value!r}, not {cls.__name__}")
    return value


RuleFn = Callable[[NomineeFacts, ProposalFacts, RuleEntry], RuleResult]


@dataclass(frozen=True, slots=True)
class RuleKind:
    """A registered kind: its default names, its function and the parameters it accepts."""

    name: str
    name_vi: str
    name_en: str
    fn: RuleFn
    params: Mapping[str, ParamSpec]
    #: Kinds that combine sub-rules (one_of, all_of) take them under ``options``.
    takes_options: bool = False


_KINDS: dict[str, RuleKind] = {}


def rule_kind(
    name: str,
    *,
    name_vi: str,
    name_en: str,
    params: Mapping[str, ParamSpec] | None = None,
    takes_options: bool = False,
) -> Callable[[RuleFn], RuleFn]:
    """Register ``fn`` as the implementation of rule kind ``name``."""

    def register(fn: RuleFn) -> RuleFn:
        if name in _KINDS:
            raise RuntimeError(f"rule kind {name!r} registered twice")
        spec = dict(params or {})
        _KINDS[name] = RuleKind(name, name_vi, name_en, fn, spec, takes_options)
        return fn

    return register


def rule_kinds() -> Mapping[str, RuleKind]:
    """All registered kinds (read-only), e.g. for documentation or an admin page."""
    return MappingProxyType(_KINDS)


def get_kind(name: str) -> RuleKind:
    try:
        return _KINDS[name]
    except KeyError:
        known = ", ".join(sorted(_KINDS))
        raise RuleSetError(f"unknown rule kind {name!r}; known kinds: {known}") from None


def run_entry(
    nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry
) -> RuleResult | None:
    """Check one entry; None when the entry does not apply to this nominee or award type."""
    if not entry.applies(nominee, proposal):
        return None
    return get_kind(entry.kind).fn(nominee, proposal, entry)


def coerce_param(ptype: ParamType, raw: object, where: str) -> object:
    """Convert a YAML value to the parameter's Python type, or raise with ``where`` in it."""
    try:
        return _COERCERS[ptype](raw)
    except (TypeError, ValueError) as exc:
        raise RuleSetError(f"{where}: expected {ptype.value}, got {raw!r} ({exc})") from None


def _to_int(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise ValueError("a whole number ≥ 0")
    return raw


def _to_float(raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= 1:
        raise ValueError("a fraction between 0 and 1")
    return float(raw)


def _to_bool(raw: object) -> bool:
    if not isinstance(raw, bool):
        raise TypeError("true or false")
    return raw


def _to_codes(raw: object) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not items:
        raise TypeError("an award code or a non-empty list of them")
    return tuple(AwardCode(str(item)).value for item in items)


def _to_kinds(raw: object) -> tuple[NomineeKind, ...]:
    if not isinstance(raw, list) or not raw:
        raise TypeError("a non-empty list of nominee kinds")
    return tuple(NomineeKind(str(item)) for item in raw)


_COERCERS: dict[ParamType, Callable[[object], object]] = {
    ParamType.INT: _to_int,
    ParamType.FLOAT: _to_float,
    ParamType.BOOL: _to_bool,
    ParamType.RATING: lambda raw: Rating(str(raw)),
    ParamType.SCOPE: lambda raw: InitiativeScope(str(raw)),
    ParamType.CODES: _to_codes,
    ParamType.KINDS: _to_kinds,
}
