"""The common rule kinds: nominee kind, exclusions, one achievement, initiatives, quota."""

from __future__ import annotations

from datetime import date

import pytest

from awardflow.campaigns.catalogue import NomineeKind
from awardflow.states.eligibility import (
    Exclusion,
    ExclusionKind,
    Initiative,
    InitiativeScope,
    evaluate,
    parse_ruleset,
)


def test_nominee_kind_allowed_by_catalogue(kit):
    result = kit.check({"rule": "nominee_kind"}, kit.nominee(), kit.proposal("cstd_co_so"))
    assert result.passed
    assert "Đối tượng: cá nhân" in result.facts_vi
    assert "Nominee: individual" in result.facts_en


def test_nominee_kind_refuses_collective_for_individual_title(kit):
    nominee = kit.nominee(kind=NomineeKind.COLLECTIVE)
    result = kit.check({"rule": "nominee_kind"}, nominee, kit.proposal("cstd_co_so"))
    assert not result.passed
    assert "Đối tượng: tập thể; Chiến sĩ thi đua cơ sở xét tặng cho: cá nhân." in result.facts_vi
    assert "is for: individual" in result.facts_en


def test_nominee_kind_entry_may_narrow_the_catalogue(kit):
    entry = {"rule": "nominee_kind", "kinds": ["individual"]}
    nominee = kit.nominee(kind=NomineeKind.COLLECTIVE)
    assert kit.check(entry, kit.nominee(), kit.proposal("bang_khen_tinh")).passed
    assert not kit.check(entry, nominee, kit.proposal("bang_khen_tinh")).passed


def test_nominee_kind_outside_catalogue_is_not_restricted(kit):
    ruleset = parse_ruleset(
        {
            "name": "t",
            "effective_from": "2024-01-01",
            "common": [{"rule": "nominee_kind", "source": "s"}],
        }
    )
    (result,) = evaluate(ruleset, kit.nominee(), kit.proposal("giai_thuong_rieng")).results
    assert result.passed
    assert "không có trong danh mục" in result.facts_vi


def test_no_exclusion_passes(kit):
    ended = Exclusion(ExclusionKind.DISCIPLINE, date(2024, 1, 10), date(2025, 1, 10), "khiển trách")
    result = kit.check(
        {"rule": "no_active_exclusion"}, kit.nominee(exclusions=(ended,)), kit.proposal()
    )
    assert result.passed
    assert "Ngày 05/01/2026 không có kỷ luật" in result.facts_vi
    assert "pending on 2026-01-05" in result.facts_en


def test_open_discipline_blocks(kit):
    open_ = Exclusion(ExclusionKind.DISCIPLINE, date(2025, 3, 1), None, "cảnh cáo")
    result = kit.check(
        {"rule": "no_active_exclusion"}, kit.nominee(exclusions=(open_,)), kit.proposal()
    )
    assert not result.passed
    assert "kỷ luật (cảnh cáo) từ 01/03/2025, chưa kết thúc" in result.facts_vi
    assert "discipline (cảnh cáo) since 2025-03-01, still open" in result.facts_en


@pytest.mark.parametrize(
    ("kind", "vi", "en"),
    [
        (ExclusionKind.INVESTIGATION, "điều tra", "investigation"),
        (ExclusionKind.COMPLAINT, "khiếu nại, tố cáo", "complaint"),
        (ExclusionKind.PRESS_ALLEGATION, "báo chí phản ánh", "press allegation"),
    ],
)
def test_pending_review_blocks_until_its_end(kit, kind, vi, en):
    review = Exclusion(kind, date(2025, 12, 1), date(2026, 2, 1))
    proposal = kit.proposal()
    result = kit.check({"rule": "no_active_exclusion"}, kit.nominee(exclusions=(review,)), proposal)
    assert not result.passed
    assert f"{vi}" in result.facts_vi
    assert "đến 01/02/2026" in result.facts_vi
    assert en in result.facts_en
    assert "until 2026-02-01" in result.facts_en
    later = kit.proposal(as_of=date(2026, 2, 1))
    assert kit.check(
        {"rule": "no_active_exclusion"}, kit.nominee(exclusions=(review,)), later
    ).passed


def test_one_achievement_without_other_award_passes(kit):
    proposal = kit.proposal("bang_khen_tinh", achievement_key="du-an-so-hoa")
    result = kit.check({"rule": "one_achievement_one_award"}, kit.nominee(), proposal)
    assert result.passed
    assert "Thành tích «du-an-so-hoa» chưa được khen" in result.facts_vi
    assert "'du-an-so-hoa' has no award" in result.facts_en


def test_one_achievement_with_other_live_nomination_fails(kit):
    proposal = kit.proposal("giay_khen", achievement_key="k1", other_live=("bang_khen_tinh",))
    result = kit.check({"rule": "one_achievement_one_award"}, kit.nominee(), proposal)
    assert not result.passed
    assert "Bằng khen của Chủ tịch UBND tỉnh (đang đề nghị)" in result.facts_vi
    assert "Provincial Chairman's Certificate of Merit (nomination in progress)" in result.facts_en


def test_one_achievement_already_awarded_fails(kit):
    held = kit.award("giay_khen", 2025)
    held = type(held)(held.code, held.year, held.award_type, achievement_key="k1")
    proposal = kit.proposal("bang_khen_tinh", achievement_key="k1")
    result = kit.check({"rule": "one_achievement_one_award"}, kit.nominee(awards=(held,)), proposal)
    assert not result.passed
    assert "Giấy khen (đã khen năm 2025)" in result.facts_vi
    assert "Certificate of Merit (awarded 2025)" in result.facts_en


def _initiative(ident: str, used_by: str | None = None) -> Initiative:
    return Initiative(ident, "Số hoá hồ sơ", InitiativeScope.GRASSROOTS, 2025, used_by)


def test_unused_initiative_passes(kit):
    nominee = kit.nominee(initiatives=(_initiative("SK-1"),))
    result = kit.check(
        {"rule": "initiative_unused"}, nominee, kit.proposal(initiative_ids=("SK-1",))
    )
    assert result.passed
    assert "Sáng kiến SK-1 chưa dùng" in result.facts_vi
    assert "SK-1 not yet used" in result.facts_en


def test_initiative_used_by_another_nomination_fails(kit):
    nominee = kit.nominee(initiatives=(_initiative("SK-1", used_by="HS-2024-017"),))
    result = kit.check(
        {"rule": "initiative_unused"}, nominee, kit.proposal(initiative_ids=("SK-1",))
    )
    assert not result.passed
    assert "SK-1 cho HS-2024-017" in result.facts_vi
    assert "SK-1 for HS-2024-017" in result.facts_en


def test_initiative_backing_a_held_award_fails(kit):
    held = kit.award("cstd_co_so", 2024)
    held = type(held)(held.code, held.year, held.award_type, initiative_ids=("SK-1",))
    nominee = kit.nominee(awards=(held,), initiatives=(_initiative("SK-1"),))
    result = kit.check(
        {"rule": "initiative_unused"}, nominee, kit.proposal(initiative_ids=("SK-1",))
    )
    assert not result.passed
    assert "SK-1 cho cstd_co_so 2024" in result.facts_vi


@pytest.mark.parametrize(("limit", "used"), [(None, 9), (3, 2)])
def test_quota_with_room_passes(kit, limit, used):
    proposal = kit.proposal(quota_limit=limit, quota_used=used)
    result = kit.check({"rule": "quota"}, kit.nominee(), proposal)
    assert result.passed
    expected = "không giới hạn" if limit is None else "2/3 suất; hồ sơ này là suất thứ 3"
    assert expected in result.facts_vi


def test_quota_used_up_fails(kit):
    result = kit.check({"rule": "quota"}, kit.nominee(), kit.proposal(quota_limit=3, quota_used=3))
    assert not result.passed
    assert "3/3 suất; đã hết chỉ tiêu" in result.facts_vi
    assert "3 of 3 places; the quota is used up" in result.facts_en
