"""Combining kinds: one_of lists every option's verdict; all_of needs each."""

from __future__ import annotations

from awardflow.states.eligibility import Initiative, InitiativeScope

ONE_OF = {
    "rule": "one_of",
    "options": [
        {"rule": "min_rating", "min": "htxs", "name_vi": "Xếp loại HTXS", "name_en": "HTXS"},
        {
            "rule": "initiatives",
            "scope": "grassroots",
            "within_years": 1,
            "name_vi": "Sáng kiến",
            "name_en": "Initiative",
            "source": "Nguồn riêng",
        },
    ],
}
ALL_OF = {
    "rule": "all_of",
    "options": [{"rule": "min_rating", "min": "htxs", "years": 2}, {"rule": "quota"}],
}


def test_one_of_passes_on_any_option(kit):
    nominee = kit.nominee(
        ratings={2025: "htt"},
        initiatives=(Initiative("SK-1", "Phần mềm xếp lịch", InitiativeScope.GRASSROOTS, 2025),),
    )
    result = kit.check(ONE_OF, nominee, kit.proposal("cstd_co_so", initiative_ids=("SK-1",)))
    assert result.passed
    assert result.facts_vi.startswith(
        "Cần đạt ít nhất một phương án. (1) Không đạt – Xếp loại HTXS"
    )
    assert "(2) Đạt – Sáng kiến: " in result.facts_vi
    assert "[Nguồn riêng]" in result.facts_vi
    assert "(1) Failed – HTXS" in result.facts_en
    assert "(2) Passed – Initiative" in result.facts_en


def test_one_of_fails_when_no_option_passes(kit):
    result = kit.check(ONE_OF, kit.nominee(ratings={2025: "htt"}), kit.proposal("cstd_co_so"))
    assert not result.passed
    assert "(1) Không đạt" in result.facts_vi
    assert "(2) Không đạt" in result.facts_vi
    assert "Năm 2025 xếp loại HTT" in result.facts_vi


def test_all_of_needs_every_condition(kit):
    nominee = kit.nominee(ratings=kit.ratings("htxs", 2024, 2025))
    good = kit.check(ALL_OF, nominee, kit.proposal("bang_khen_tinh"))
    assert good.passed
    assert good.facts_vi.startswith("Cần đạt tất cả điều kiện. (1) Đạt")
    full = kit.proposal("bang_khen_tinh", quota_limit=1, quota_used=1)
    bad = kit.check(ALL_OF, nominee, full)
    assert not bad.passed
    assert "(2) Không đạt – Chỉ tiêu khen thưởng của đợt" in bad.facts_vi
    assert "(2) Failed – Round quota" in bad.facts_en
