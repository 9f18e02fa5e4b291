"""Rule kinds over the nominee's history: ratings, chains of titles, initiatives.

Each reads the history through ``History``, so thematic and ad hoc awards and the years
before a discipline ended are left out the same way everywhere, and each says which years
it found so an appraiser can check the verdict against the dossier.
"""

from __future__ import annotations

from dataclasses import dataclass

from awardflow.states.eligibility.facts import (
    Initiative,
    InitiativeScope,
    NomineeFacts,
    ProposalFacts,
    Rating,
)
from awardflow.states.eligibility.history import History, award_names, run_ending, years_text
from awardflow.states.eligibility.registry import ParamSpec, ParamType, RuleEntry, rule_kind
from awardflow.states.eligibility.results import RuleResult


def _min_vi(rating: Rating) -> str:
    return rating.short if rating is Rating.HTXS else f"từ {rating.short} trở lên"


def _min_en(rating: Rating) -> str:
    return rating.short if rating is Rating.HTXS else f"{rating.short} or better"


def _ignored_notes(history: History, codes: tuple[str, ...]) -> tuple[str, str]:
    """Say which held titles were left out because they are thematic or ad hoc."""
    ignored = history.ignored_titles(codes)
    if not ignored:
        return "", ""
    listed = ", ".join(f"{award_names([a.code])[0]} {a.year}" for a in ignored)
    listed_en = ", ".join(f"{award_names([a.code])[1]} {a.year}" for a in ignored)
    return (
        f" Không tính khen thưởng chuyên đề, đột xuất: {listed}.",
        f" Thematic and ad hoc awards not counted: {listed_en}.",
    )


@rule_kind(
    "min_rating",
    name_vi="Xếp loại mức độ hoàn thành nhiệm vụ",
    name_en="Yearly rating",
    params={"min": ParamSpec(ParamType.RATING), "years": ParamSpec(ParamType.INT, default=1)},
)
def min_rating(nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry) -> RuleResult:
    """Rated ``min`` or better in the assessed year (and the ``years - 1`` before it)."""
    history, year = History.of(nominee, proposal), proposal.year
    floor, years = entry.get_rating("min"), entry.get_int("years")
    run = run_ending(year, lambda y: (r := history.rating(y)) is not None and r.at_least(floor))
    note_vi, note_en = history.note_vi(year - years + 1), history.note_en(year - years + 1)
    if years == 1:
        rating = history.rating(year)
        got_vi = f"xếp loại {rating.short} ({rating.label_vi})" if rating else "chưa có xếp loại"
        got_en = f"rated {rating.short} ({rating.label_en})" if rating else "no rating"
        return entry.result(
            bool(run),
            f"Năm {year} {got_vi}; cần {_min_vi(floor)}.{note_vi}",
            f"{year}: {got_en}; {_min_en(floor)} required.{note_en}",
        )
    listed_vi, listed_en = years_text(run)
    return entry.result(
        len(run) >= years,
        f"Các năm liên tục xếp loại {_min_vi(floor)} đến năm {year}: {listed_vi}; "
        f"cần {years} năm.{note_vi}",
        f"Consecutive years rated {_min_en(floor)} up to {year}: {listed_en}; "
        f"{years} required.{note_en}",
    )


@rule_kind(
    "consecutive_titles",
    name_vi="Đạt danh hiệu liên tục",
    name_en="Consecutive titles",
    params={
        "titles": ParamSpec(ParamType.CODES),
        "count": ParamSpec(ParamType.INT),
        "step": ParamSpec(ParamType.INT, default=1),
    },
)
def consecutive_titles(
    nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry
) -> RuleResult:
    """``count`` consecutive conferments of ``titles`` ending at the assessed year.

    ``step`` is the years between two consecutive conferments: 1 for yearly titles, 3 for
    CSTĐ cấp tỉnh, which is conferred on three years' CSTĐ cơ sở at a time.
    """
    history, year = History.of(nominee, proposal), proposal.year
    titles, count, step = entry.get_codes("titles"), entry.get_int("count"), entry.get_int("step")
    found = history.title_years(titles)
    run = run_ending(year, lambda y: y in found, step)
    name_vi, name_en = award_names(titles)
    found_vi, found_en = years_text(found)
    gap_vi = " năm liên tục" if step == 1 else f" lần liên tục, cách nhau {step} năm"
    gap_en = "" if step == 1 else f", {step} years apart"
    ignored_vi, ignored_en = _ignored_notes(history, titles)
    first = year - (count - 1) * step
    return entry.result(
        len(run) >= count,
        f"Tìm thấy {name_vi} các năm: {found_vi}; liên tục đến năm {year}: {years_text(run)[0]}; "
        f"cần {count}{gap_vi}.{ignored_vi}{history.note_vi(first)}",
        f"{name_en} found for: {found_en}; consecutive up to {year}: {years_text(run)[1]}; "
        f"{count} consecutive required{gap_en}.{ignored_en}{history.note_en(first)}",
    )


@rule_kind(
    "initiatives",
    name_vi="Sáng kiến, đề tài được công nhận",
    name_en="Recognised initiatives",
    params={
        "scope": ParamSpec(ParamType.SCOPE),
        "count": ParamSpec(ParamType.INT, default=1),
        "within_years": ParamSpec(ParamType.INT, default=None),
    },
)
def initiatives(nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry) -> RuleResult:
    """The proposal's initiatives of at least ``scope``, recognised within the window.

    Only initiatives the proposal cites count: an initiative backs one award, so the unit
    must say which one backs this nomination.
    """
    history, year = History.of(nominee, proposal), proposal.year
    scope, count = entry.get_scope("scope"), entry.get_int("count")
    within = entry.get_optional_int("within_years")
    known = {i.id: i for i in nominee.initiatives}
    cited = [known[i] for i in proposal.initiative_ids if i in known]
    first = year - within + 1 if within else min((i.year for i in cited), default=year)
    good = [
        i
        for i in cited
        if i.scope.rank >= scope.rank and first <= i.year <= year and history.counts(i.year)
    ]
    window_vi = f" trong các năm {first}–{year}" if within else ""
    window_en = f" within {first}–{year}" if within else ""
    unknown = ", ".join(i for i in proposal.initiative_ids if i not in known)
    unknown_vi = f" Không có trong hồ sơ: {unknown}." if unknown else ""
    unknown_en = f" Not on record: {unknown}." if unknown else ""
    return entry.result(
        len(good) >= count,
        f"Sáng kiến hồ sơ nêu: {_listed(cited, 'vi')}; đạt phạm vi từ {scope.label_vi} trở lên"
        f"{window_vi}: {_listed(good, 'vi')}; cần {count}."
        f"{unknown_vi}{history.note_vi(first)}",
        f"Initiatives cited: {_listed(cited, 'en')}; of {scope.label_en} scope or wider"
        f"{window_en}: {_listed(good, 'en')}; {count} required."
        f"{unknown_en}{history.note_en(first)}",
    )


def _listed(items: list[Initiative], lang: str) -> str:
    if not items:
        return "không có" if lang == "vi" else "none"
    return ", ".join(f"{i.id} ({_scope_label(i.scope, lang)}, {i.year})" for i in items)


def _scope_label(scope: InitiativeScope, lang: str) -> str:
    return scope.label_vi if lang == "vi" else scope.label_en


@rule_kind(
    "holds_award_then_window",
    name_vi="Đã được khen, sau đó đủ số năm liên tục",
    name_en="Holds an award, then enough consecutive years",
    params={
        "holds": ParamSpec(ParamType.CODES),
        "years": ParamSpec(ParamType.INT),
        "min_rating": ParamSpec(ParamType.RATING, default=Rating.HTT),
        "titles": ParamSpec(ParamType.CODES, default=None),
        "title_count": ParamSpec(ParamType.INT, default=0),
        "top_rating": ParamSpec(ParamType.RATING, default=None),
        "top_count": ParamSpec(ParamType.INT, default=0),
    },
)
def holds_award_then_window(
    nominee: NomineeFacts, proposal: ProposalFacts, entry: RuleEntry
) -> RuleResult:
    """Holds one of ``holds``, then ``years``+ consecutive years rated ``min_rating`` or better.

    The window runs from the year after the most recent award of ``holds`` to the assessed
    year; within it ``title_count`` years with one of ``titles`` and ``top_count`` years
    rated ``top_rating`` are required (Bằng khen Thủ tướng, Huân chương Lao động hạng Ba).
    """
    history, year = History.of(nominee, proposal), proposal.year
    holds = entry.get_codes("holds")
    held = [a for a in history.chain_awards(holds) if a.year <= year]
    held_vi, held_en = award_names(holds)
    ignored_vi, ignored_en = _ignored_notes(history, holds)
    if not held:
        return entry.result(
            False,
            f"Chưa có {held_vi}.{ignored_vi}",
            f"Holds no {held_en}.{ignored_en}",
        )
    since = max(a.year for a in held)
    window = _Window.measure(history, entry, since, year)
    first = year - entry.get_int("years") + 1
    return entry.result(
        window.passed,
        f"Có {held_vi} năm {since}. {window.text_vi()}{ignored_vi}{history.note_vi(first)}",
        f"Holds {held_en} from {since}. {window.text_en()}{ignored_en}{history.note_en(first)}",
    )


@dataclass(frozen=True, slots=True)
class _Window:
    """The consecutive qualifying years after the held award, and what they contain."""

    entry: RuleEntry
    run: list[int]
    titled: list[int]
    top: list[int]

    @classmethod
    def measure(cls, history: History, entry: RuleEntry, since: int, year: int) -> _Window:
        floor, top_rating = entry.get_rating("min_rating"), entry.get_optional_rating("top_rating")
        run = run_ending(
            year,
            lambda y: y > since and (r := history.rating(y)) is not None and r.at_least(floor),
        )
        titled = [y for y in history.title_years(entry.get_codes("titles")) if y in run]
        top: list[int] = []
        if top_rating is not None:
            top = [
                y for y in run if (r := history.rating(y)) is not None and r.at_least(top_rating)
            ]
        return cls(entry, run, titled, top)

    @property
    def passed(self) -> bool:
        e = self.entry
        return (
            len(self.run) >= e.get_int("years")
            and len(self.titled) >= e.get_int("title_count")
            and len(self.top) >= e.get_int("top_count")
        )

    def text_vi(self) -> str:
        e, floor = self.entry, self.entry.get_rating("min_rating")
        parts = [
            f"Sau đó xếp loại {_min_vi(floor)} liên tục các năm {years_text(self.run)[0]} "
            f"({len(self.run)} năm); cần ít nhất {e.get_int('years')} năm"
        ]
        if e.get_int("title_count"):
            parts.append(
                f"{award_names(e.get_codes('titles'))[0]} trong thời gian đó: "
                f"{years_text(self.titled)[0]}; cần {e.get_int('title_count')}"
            )
        top_rating = e.get_optional_rating("top_rating")
        if top_rating is not None and e.get_int("top_count"):
            parts.append(
                f"năm {top_rating.short}: {years_text(self.top)[0]}; "
                f"cần ít nhất {e.get_int('top_count')}"
            )
        return "; ".join(parts) + "."

    def text_en(self) -> str:
        e, floor = self.entry, self.entry.get_rating("min_rating")
        parts = [
            f"Then rated {_min_en(floor)} in consecutive years {years_text(self.run)[1]} "
            f"({len(self.run)} years); at least {e.get_int('years')} required"
        ]
        if e.get_int("title_count"):
            parts.append(
                f"{award_names(e.get_codes('titles'))[1]} in that time: "
                f"{years_text(self.titled)[1]}; {e.get_int('title_count')} required"
            )
        top_rating = e.get_optional_rating("top_rating")
        if top_rating is not None and e.get_int("top_count"):
            parts.append(
                f"{top_rating.short} years: {years_text(self.top)[1]}; "
                f"at least {e.get_int('top_count')} required"
            )
        return "; ".join(parts) + "."
