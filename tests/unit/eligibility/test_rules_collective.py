"""Collective kinds for TTLĐTT and TTLĐXS, read from the assessed year's member figures."""

from __future__ import annotations

import pytest

from awardflow.campaigns.catalogue import NomineeKind
from awardflow.states.eligibility import CollectiveYear


def _unit(kit, **figures):
    values = {
        "members": 24,
        "ldtt_members": 18,
        "cstd_members": 2,
        "all_completed": True,
        "disciplined_warning_or_above": 0,
    }
    values.update(figures)
    return kit.nominee(
        kind=NomineeKind.COLLECTIVE,
        ratings={2025: "htxs"},
        collective_years={2025: CollectiveYear(year=2025, **values)},
    )


def test_ldtt_share_at_threshold_passes(kit):
    result = kit.check({"rule": "collective_ldtt_share"}, _unit(kit), kit.proposal("ttldtt"))
    assert result.passed
    assert (
        result.facts_vi
    ) == "Năm 2025: 18/24 thành viên đạt Lao động tiên tiến (75 %); cần ít nhất 70 %."
    assert "18 of 24 members are Advanced Workers (75%); at least 70% required." in result.facts_en
    exact = _unit(kit, members=10, ldtt_members=7)
    assert kit.check({"rule": "collective_ldtt_share"}, exact, kit.proposal("ttldtt")).passed


def test_ldtt_share_below_threshold_fails(kit):
    unit = _unit(kit, members=30, ldtt_members=20)
    result = kit.check(
        {"rule": "collective_ldtt_share", "min_share": 0.7}, unit, kit.proposal("ttldtt")
    )
    assert not result.passed
    assert "20/30 thành viên đạt Lao động tiên tiến (66,7 %)" in result.facts_vi
    assert "(66.7%)" in result.facts_en


def test_missing_member_figures_fail(kit):
    unit = kit.nominee(kind=NomineeKind.COLLECTIVE, ratings={2025: "htt"})
    result = kit.check({"rule": "collective_ldtt_share"}, unit, kit.proposal("ttldtt"))
    assert not result.passed
    assert result.facts_vi == "Chưa có số liệu thành viên của tập thể năm 2025."


@pytest.mark.parametrize(("count", "passed"), [(0, True), (1, False)])
def test_no_member_disciplined_at_warning_or_above(kit, count, passed):
    unit = _unit(kit, disciplined_warning_or_above=count)
    result = kit.check({"rule": "collective_no_discipline"}, unit, kit.proposal("ttldtt"))
    assert result.passed is passed
    assert f"Năm 2025: {count} thành viên bị kỷ luật từ mức cảnh cáo trở lên" in result.facts_vi
    assert f"{count} member(s) disciplined at warning level or above" in result.facts_en


@pytest.mark.parametrize(("completed", "passed"), [(True, True), (False, False)])
def test_all_members_completed(kit, completed, passed):
    unit = _unit(kit, all_completed=completed)
    result = kit.check({"rule": "collective_all_completed"}, unit, kit.proposal("ttldxs"))
    assert result.passed is passed
    expected = "tất cả 24 thành viên hoàn thành" if completed else "có thành viên không hoàn thành"
    assert expected in result.facts_vi


@pytest.mark.parametrize(("cstd", "passed"), [(1, True), (0, False)])
def test_at_least_one_cstd_member(kit, cstd, passed):
    unit = _unit(kit, cstd_members=cstd)
    result = kit.check({"rule": "collective_cstd_members"}, unit, kit.proposal("ttldxs"))
    assert result.passed is passed
    assert (
        f"Năm 2025: {cstd} thành viên đạt Chiến sĩ thi đua cơ sở; cần ít nhất 1." == result.facts_vi
    )
