"""Rule kinds over history: ratings, consecutive titles, initiatives, award-then-window."""

from __future__ import annotations

from awardflow.campaigns.catalogue import AwardType
from awardflow.states.eligibility import Initiative, InitiativeScope

MIN_HTT = {"rule": "min_rating", "min": "htt"}
CSTD_3 = {"rule": "consecutive_titles", "titles": "cstd_co_so", "count": 3}
CSTD_TINH_2 = {"rule": "consecutive_titles", "titles": ["cstd_tinh"], "count": 2, "step": 3}
PROVINCE_INITIATIVE = {"rule": "initiatives", "scope": "province", "within_years": 3}
BK_TTG = {
    "rule": "holds_award_then_window",
    "holds": ["bang_khen_tinh", "bang_khen_bo"],
    "years": 5,
    "titles": "cstd_co_so",
    "title_count": 3,
}
HC_LD3 = {**BK_TTG, "holds": "bang_khen_ttg", "top_rating": "htxs", "top_count": 1}


def test_min_rating_met(kit):
    result = kit.check(MIN_HTT, kit.nominee(ratings={2025: "htt"}), kit.proposal())
    assert result.passed
    assert result.facts_vi == "Năm 2025 xếp loại HTT (hoàn thành tốt nhiệm vụ); cần từ HTT trở lên."
    assert result.facts_en == "2025: rated HTT (completed tasks well); HTT or better required."


def test_min_rating_below_or_missing_fails(kit):
    low = kit.check(MIN_HTT, kit.nominee(ratings={2025: "ht"}), kit.proposal())
    assert not low.passed
    assert "xếp loại HT (hoàn thành nhiệm vụ)" in low.facts_vi
    missing = kit.check(MIN_HTT, kit.nominee(ratings={2024: "htxs"}), kit.proposal())
    assert not missing.passed
    assert "Năm 2025 chưa có xếp loại" in missing.facts_vi
    assert "2025: no rating" in missing.facts_en


def test_consecutive_htxs_years(kit):
    entry = {"rule": "min_rating", "min": "htxs", "years": 2}
    good = kit.check(entry, kit.nominee(ratings=kit.ratings("htxs", 2024, 2025)), kit.proposal())
    assert good.passed
    assert good.facts_vi == "Các năm liên tục xếp loại HTXS đến năm 2025: 2024, 2025; cần 2 năm."
    broken = kit.nominee(ratings={2023: "htxs", 2024: "htt", 2025: "htxs"})
    bad = kit.check(entry, broken, kit.proposal())
    assert not bad.passed
    assert "đến năm 2025: 2025; cần 2 năm" in bad.facts_vi
    assert "up to 2025: 2025; 2 required" in bad.facts_en


def test_three_consecutive_cstd_co_so(kit):
    nominee = kit.nominee(awards=kit.titles("cstd_co_so", 2023, 2024, 2025))
    result = kit.check(CSTD_3, nominee, kit.proposal("cstd_tinh"))
    assert result.passed
    assert "Tìm thấy Chiến sĩ thi đua cơ sở các năm: 2023, 2024, 2025" in result.facts_vi
    assert "cần 3 năm liên tục." in result.facts_vi
    assert "Grassroots Emulation Fighter found for: 2023, 2024, 2025" in result.facts_en
    assert "3 consecutive required" in result.facts_en


def test_gap_in_cstd_co_so_breaks_the_chain(kit):
    nominee = kit.nominee(awards=kit.titles("cstd_co_so", 2022, 2024, 2025))
    result = kit.check(CSTD_3, nominee, kit.proposal("cstd_tinh"))
    assert not result.passed
    assert "các năm: 2022, 2024, 2025; liên tục đến năm 2025: 2024, 2025" in result.facts_vi
    assert "consecutive up to 2025: 2024, 2025" in result.facts_en


def test_chain_must_end_at_the_assessed_year(kit):
    nominee = kit.nominee(awards=kit.titles("cstd_co_so", 2021, 2022, 2023))
    result = kit.check(CSTD_3, nominee, kit.proposal("cstd_tinh"))
    assert not result.passed
    assert "liên tục đến năm 2025: không có" in result.facts_vi


def test_consecutive_conferments_three_years_apart(kit):
    good = kit.nominee(awards=kit.titles("cstd_tinh", 2022, 2025))
    result = kit.check(CSTD_TINH_2, good, kit.proposal("cstd_toan_quoc"))
    assert result.passed
    assert "cần 2 lần liên tục, cách nhau 3 năm" in result.facts_vi
    bad = kit.nominee(awards=kit.titles("cstd_tinh", 2021, 2025))
    result = kit.check(CSTD_TINH_2, bad, kit.proposal("cstd_toan_quoc"))
    assert not result.passed
    assert "2 consecutive required, 3 years apart" in result.facts_en


def test_thematic_and_ad_hoc_awards_never_count_toward_chains(kit):
    awards = (
        kit.award("cstd_co_so", 2023),
        kit.award("cstd_co_so", 2024, AwardType.THEMATIC),
        kit.award("cstd_co_so", 2025, AwardType.ADHOC),
    )
    result = kit.check(CSTD_3, kit.nominee(awards=awards), kit.proposal("cstd_tinh"))
    assert not result.passed
    assert "các năm: 2023; liên tục đến năm 2025: không có" in result.facts_vi
    assert (
        "Không tính khen thưởng chuyên đề, đột xuất: Chiến sĩ thi đua cơ sở 2024" in result.facts_vi
    )
    assert "Thematic and ad hoc awards not counted" in result.facts_en
    merit = tuple(kit.award("cstd_co_so", y, AwardType.MERIT) for y in (2024, 2025))
    counted = kit.nominee(awards=(awards[0], *merit))
    assert kit.check(CSTD_3, counted, kit.proposal("cstd_tinh")).passed


def _init(ident: str, scope: InitiativeScope, year: int = 2024) -> Initiative:
    return Initiative(ident, f"Sáng kiến {ident}", scope, year)


def test_provincial_initiative_cited_in_window(kit):
    nominee = kit.nominee(initiatives=(_init("SK-7", InitiativeScope.PROVINCE),))
    proposal = kit.proposal("cstd_tinh", initiative_ids=("SK-7",))
    result = kit.check(PROVINCE_INITIATIVE, nominee, proposal)
    assert result.passed
    assert "đạt phạm vi từ cấp tỉnh trở lên trong các năm 2023–2025: SK-7 (cấp tỉnh, 2024)" in (
        result.facts_vi
    )
    assert "of provincial scope or wider within 2023–2025: SK-7 (provincial, 2024)" in (
        result.facts_en
    )


def test_national_initiative_satisfies_provincial_scope(kit):
    nominee = kit.nominee(initiatives=(_init("SK-9", InitiativeScope.NATIONAL),))
    proposal = kit.proposal("cstd_tinh", initiative_ids=("SK-9",))
    assert kit.check(PROVINCE_INITIATIVE, nominee, proposal).passed


def test_grassroots_old_or_uncited_initiatives_do_not_count(kit):
    nominee = kit.nominee(
        initiatives=(
            _init("SK-1", InitiativeScope.GRASSROOTS),
            _init("SK-2", InitiativeScope.PROVINCE, year=2021),
            _init("SK-3", InitiativeScope.PROVINCE),
        )
    )
    proposal = kit.proposal("cstd_tinh", initiative_ids=("SK-1", "SK-2", "SK-404"))
    result = kit.check(PROVINCE_INITIATIVE, nominee, proposal)
    assert not result.passed
    assert "Sáng kiến hồ sơ nêu: SK-1 (cơ sở, 2024), SK-2 (cấp tỉnh, 2021)" in result.facts_vi
    assert "2023–2025: không có; cần 1." in result.facts_vi
    assert "Không có trong hồ sơ: SK-404." in result.facts_vi
    assert "Not on record: SK-404." in result.facts_en


def test_bang_khen_thu_tuong_chain_met(kit):
    nominee = kit.nominee(
        awards=(kit.award("bang_khen_tinh", 2019), *kit.titles("cstd_co_so", 2021, 2023, 2025)),
        ratings=kit.ratings("htt", 2020, 2021, 2022, 2023, 2024, 2025),
    )
    result = kit.check(BK_TTG, nominee, kit.proposal("bang_khen_ttg"))
    assert result.passed
    assert "Có Bằng khen của Chủ tịch UBND tỉnh hoặc Bằng khen của Bộ trưởng năm 2019." in (
        result.facts_vi
    )
    assert "liên tục các năm 2020, 2021, 2022, 2023, 2024, 2025 (6 năm)" in result.facts_vi
    assert "trong thời gian đó: 2021, 2023, 2025; cần 3" in result.facts_vi
    assert "Then rated HTT or better in consecutive years 2020" in result.facts_en


def test_bang_khen_thu_tuong_without_held_bang_khen_fails(kit):
    thematic = kit.award("bang_khen_tinh", 2019, AwardType.THEMATIC)
    nominee = kit.nominee(
        awards=(thematic, *kit.titles("cstd_co_so", 2021, 2023, 2025)),
        ratings=kit.ratings("htt", *range(2020, 2026)),
    )
    result = kit.check(BK_TTG, nominee, kit.proposal("bang_khen_ttg"))
    assert not result.passed
    assert result.facts_vi.startswith("Chưa có Bằng khen của Chủ tịch UBND tỉnh")
    assert "Không tính khen thưởng chuyên đề, đột xuất: Bằng khen của Chủ tịch UBND tỉnh 2019" in (
        result.facts_vi
    )
    assert result.facts_en.startswith("Holds no Provincial Chairman's Certificate of Merit")


def test_bang_khen_thu_tuong_window_too_short_or_too_few_titles(kit):
    short = kit.nominee(
        awards=(kit.award("bang_khen_bo", 2022), *kit.titles("cstd_co_so", 2023, 2024, 2025)),
        ratings=kit.ratings("htxs", *range(2018, 2026)),
    )
    result = kit.check(BK_TTG, short, kit.proposal("bang_khen_ttg"))
    assert not result.passed
    assert "2023, 2024, 2025 (3 năm); cần ít nhất 5 năm" in result.facts_vi
    broken = kit.nominee(
        awards=(kit.award("bang_khen_tinh", 2017), *kit.titles("cstd_co_so", 2018, 2019, 2025)),
        ratings={**kit.ratings("htt", *range(2018, 2026)), 2020: "ht"},
    )
    result = kit.check(BK_TTG, broken, kit.proposal("bang_khen_ttg"))
    assert not result.passed
    assert "(5 năm)" in result.facts_vi
    assert "trong thời gian đó: 2025; cần 3" in result.facts_vi
    assert "in that time: 2025; 3 required" in result.facts_en


def test_huan_chuong_needs_an_htxs_year_in_the_window(kit):
    awards = (kit.award("bang_khen_ttg", 2019), *kit.titles("cstd_co_so", 2021, 2022, 2024))
    all_htt = kit.nominee(awards=awards, ratings=kit.ratings("htt", *range(2020, 2026)))
    result = kit.check(HC_LD3, all_htt, kit.proposal("huan_chuong_ld3"))
    assert not result.passed
    assert "năm HTXS: không có; cần ít nhất 1" in result.facts_vi
    assert "HTXS years: none; at least 1 required" in result.facts_en
    one_htxs = kit.nominee(awards=awards, ratings={**all_htt.ratings, 2023: "htxs"})
    result = kit.check(HC_LD3, one_htxs, kit.proposal("huan_chuong_ld3"))
    assert result.passed
    assert "năm HTXS: 2023" in result.facts_vi
