"""The small behaviours of the fact types that the rules rely on."""

from __future__ import annotations

from datetime import date

from awardflow.states.eligibility import Exclusion, ExclusionKind, Explanation, Rating, RuleResult


def test_rating_order_is_htxs_htt_ht_kht():
    assert sorted(Rating, key=lambda r: r.rank, reverse=True) == [
        Rating.HTXS,
        Rating.HTT,
        Rating.HT,
        Rating.KHT,
    ]
    assert Rating.HTXS.at_least(Rating.HTT)
    assert Rating.HTT.at_least(Rating.HTT)
    assert not Rating.HT.at_least(Rating.HTT)
    assert Rating.HTT.label_vi == "hoàn thành tốt nhiệm vụ"


def test_exclusion_end_is_the_first_cleared_day():
    review = Exclusion(ExclusionKind.COMPLAINT, date(2025, 1, 1), date(2025, 2, 1))
    assert not review.active_on(date(2024, 12, 31))
    assert review.active_on(date(2025, 1, 1))
    assert review.active_on(date(2025, 1, 31))
    assert not review.active_on(date(2025, 2, 1))
    assert Exclusion(ExclusionKind.INVESTIGATION, date(2025, 1, 1)).active_on(date(2030, 1, 1))


def test_explanation_passes_only_when_every_rule_passes():
    ok = RuleResult("quota", "Chỉ tiêu", "Quota", "s", True, "đủ", "ok")
    bad = RuleResult("min_rating", "Xếp loại", "Rating", "s", False, "thiếu", "short")
    assert Explanation("ldtt", "t", (ok,)).passed
    both = Explanation("ldtt", "t", (ok, bad))
    assert not both.passed
    assert both.failures == (bad,)
