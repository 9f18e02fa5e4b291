"""After discipline ends, achievements count only from its end date (whole years)."""

from __future__ import annotations

from datetime import date

from awardflow.states.eligibility import (
    Exclusion,
    ExclusionKind,
    evaluate,
    load_rulesets,
    ruleset_in_force,
)

CSTD_3 = {"rule": "consecutive_titles", "titles": "cstd_co_so", "count": 3}


def _discipline(start: date, end: date | None) -> Exclusion:
    return Exclusion(ExclusionKind.DISCIPLINE, start, end, "khiển trách")


def test_years_before_the_discipline_end_do_not_count(kit):
    nominee = kit.nominee(
        awards=kit.titles("cstd_co_so", 2023, 2024, 2025),
        exclusions=(_discipline(date(2023, 3, 15), date(2024, 3, 15)),),
    )
    result = kit.check(CSTD_3, nominee, kit.proposal("cstd_tinh"))
    assert not result.passed
    assert "các năm: 2025;" in result.facts_vi
    assert "Kỷ luật kết thúc ngày 15/03/2024: chỉ tính thành tích từ năm 2025." in result.facts_vi
    assert "Discipline ended on 2024-03-15: only achievements from 2025 count." in result.facts_en


def test_discipline_ended_before_the_chain_does_not_matter(kit):
    nominee = kit.nominee(
        awards=kit.titles("cstd_co_so", 2023, 2024, 2025),
        exclusions=(_discipline(date(2022, 1, 1), date(2023, 1, 1)),),
    )
    result = kit.check(CSTD_3, nominee, kit.proposal("cstd_tinh"))
    assert result.passed
    assert "Kỷ luật" not in result.facts_vi


def test_rating_in_the_year_the_discipline_ended_does_not_count(kit):
    nominee = kit.nominee(
        ratings={2025: "htxs"},
        exclusions=(_discipline(date(2025, 1, 20), date(2025, 7, 20)),),
    )
    result = kit.check({"rule": "min_rating", "min": "htt"}, nominee, kit.proposal())
    assert not result.passed
    assert "Năm 2025 chưa có xếp loại" in result.facts_vi
    assert "chỉ tính thành tích từ năm 2026" in result.facts_vi


def test_open_discipline_blocks_and_counts_nothing(kit):
    nominee = kit.nominee(
        awards=kit.titles("cstd_co_so", 2023, 2024, 2025),
        initiatives=(),
        exclusions=(_discipline(date(2025, 11, 1), None),),
    )
    ruleset = ruleset_in_force(load_rulesets(), kit.as_of)
    explanation = evaluate(ruleset, nominee, kit.proposal("cstd_tinh"))
    failed = {r.rule: r for r in explanation.failures}
    assert "no_active_exclusion" in failed
    assert "Đang thi hành kỷ luật: chưa tính thành tích." in failed["consecutive_titles"].facts_vi


def test_discipline_starting_after_the_round_opens_is_ignored(kit):
    nominee = kit.nominee(
        awards=kit.titles("cstd_co_so", 2023, 2024, 2025),
        exclusions=(_discipline(date(2026, 2, 1), date(2026, 8, 1)),),
    )
    assert kit.check(CSTD_3, nominee, kit.proposal("cstd_tinh")).passed
