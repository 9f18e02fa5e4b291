"""Rule sets as data: loading, the set in force on a date, validation, end-to-end checks."""

from __future__ import annotations

from datetime import date

import pytest

from awardflow.campaigns.catalogue import AwardType, NomineeKind
from awardflow.states.eligibility import (
    Initiative,
    InitiativeScope,
    NoRuleSetInForce,
    RuleSetError,
    evaluate,
    load_rulesets,
    parse_ruleset,
    rule_kinds,
    ruleset_in_force,
)

UNVERIFIED = "(theo DOMAIN.md, chưa kiểm chứng)"


def _all_entries(ruleset):
    stack = [*ruleset.common, *(e for entries in ruleset.awards.values() for e in entries)]
    while stack:
        entry = stack.pop()
        stack.extend(entry.children)
        yield entry


@pytest.mark.parametrize(
    ("on", "name"),
    [
        (date(2024, 1, 1), "Nghị định 98/2023/NĐ-CP"),
        (date(2025, 3, 1), "Nghị định 98/2023/NĐ-CP"),
        (date(2025, 6, 30), "Nghị định 98/2023/NĐ-CP"),
        (date(2025, 7, 1), "Nghị định 152/2025/NĐ-CP"),
        (date(2025, 9, 1), "Nghị định 152/2025/NĐ-CP"),
    ],
)
def test_ruleset_in_force_follows_effective_dates(on, name):
    assert ruleset_in_force(load_rulesets(), on).name == name


def test_no_ruleset_before_the_first_one_takes_effect():
    with pytest.raises(NoRuleSetInForce) as caught:
        ruleset_in_force(load_rulesets(), date(2023, 12, 31))
    assert "Không có bộ quy tắc xét khen thưởng nào có hiệu lực ngày 31/12/2023" in (
        caught.value.message_vi
    )
    assert "earliest takes effect on 2024-01-01" in caught.value.message_en
    with pytest.raises(NoRuleSetInForce):
        ruleset_in_force([], date(2025, 1, 1))


def test_explanation_names_the_ruleset_and_decree_in_force(kit):
    nominee = kit.nominee(ratings={2025: "htt"})
    old = evaluate(ruleset_in_force(load_rulesets(), date(2025, 3, 1)), nominee, kit.proposal())
    new = evaluate(ruleset_in_force(load_rulesets(), date(2025, 9, 1)), nominee, kit.proposal())
    assert old.ruleset == "Nghị định 98/2023/NĐ-CP"
    assert new.ruleset == "Nghị định 152/2025/NĐ-CP"
    assert "Nghị định 98/2023/NĐ-CP" in old.results[-1].source
    assert "Nghị định 152/2025/NĐ-CP" in new.results[-1].source
    assert new.results[-1].source.endswith(UNVERIFIED)


def test_every_source_is_named_and_152_ones_are_marked_unverified():
    old, new = load_rulesets()
    for entry in _all_entries(old):
        assert entry.source
        assert "152/2025" not in entry.source
    for entry in _all_entries(new):
        assert "98/2023" not in entry.source
        if "152/2025" in entry.source:
            assert entry.source.endswith(UNVERIFIED)


def test_152_keeps_the_98_values():
    """DOMAIN.md: where 152's articles were not found, the 98/2023 values are given."""
    old, new = load_rulesets()
    assert old.awards.keys() == new.awards.keys()

    def shape(entries):
        return [
            (e.kind, dict(e.params), e.applies_to, e.award_types, shape(e.children))
            for e in entries
        ]

    for code in old.awards:
        assert shape(old.awards[code]) == shape(new.awards[code]), code
    assert shape(old.common) == shape(new.common)


def test_packaged_rulesets_cover_every_chain_and_use_every_kind():
    for ruleset in load_rulesets():
        assert {
            "ldtt",
            "cstd_co_so",
            "cstd_tinh",
            "cstd_toan_quoc",
            "bang_khen_tinh",
            "bang_khen_bo",
            "bang_khen_ttg",
            "huan_chuong_ld3",
            "ttldtt",
            "ttldxs",
        } <= set(ruleset.awards)
        assert {e.kind for e in _all_entries(ruleset)} == set(rule_kinds())


def _cstd_tinh_nominee(kit, scope=InitiativeScope.PROVINCE):
    return kit.nominee(
        ratings=kit.ratings("htxs", 2023, 2024, 2025),
        awards=kit.titles("cstd_co_so", 2023, 2024, 2025),
        initiatives=(Initiative("SK-5", "Chuyển đổi số hồ sơ", scope, 2025),),
    )


def test_cstd_tinh_end_to_end(kit):
    ruleset = ruleset_in_force(load_rulesets(), kit.as_of)
    proposal = kit.proposal("cstd_tinh", initiative_ids=("SK-5",))
    explanation = evaluate(ruleset, _cstd_tinh_nominee(kit), proposal)
    assert explanation.passed
    assert explanation.failures == ()
    assert [r.rule for r in explanation.results] == [
        "nominee_kind",
        "no_active_exclusion",
        "one_achievement_one_award",
        "initiative_unused",
        "quota",
        "consecutive_titles",
        "initiatives",
    ]
    weak = evaluate(ruleset, _cstd_tinh_nominee(kit, InitiativeScope.GRASSROOTS), proposal)
    assert not weak.passed
    (failure,) = weak.failures
    assert failure.name_vi == "Sáng kiến có phạm vi ảnh hưởng cấp tỉnh"
    assert "tiêu chuẩn danh hiệu Chiến sĩ thi đua cấp bộ, ngành, tỉnh" in failure.source


def test_individual_merit_chain_skips_collectives_and_campaign_awards(kit):
    ruleset = ruleset_in_force(load_rulesets(), kit.as_of)
    individual = evaluate(ruleset, kit.nominee(), kit.proposal("bang_khen_tinh"))
    assert [r.rule for r in individual.failures] == ["one_of"]
    unit = kit.nominee(kind=NomineeKind.COLLECTIVE)
    assert evaluate(ruleset, unit, kit.proposal("bang_khen_tinh")).passed
    campaign = kit.proposal("bang_khen_tinh", award_type=AwardType.CAMPAIGN)
    assert evaluate(ruleset, kit.nominee(), campaign).passed


def test_cstd_co_so_end_to_end(kit):
    ruleset = ruleset_in_force(load_rulesets(), kit.as_of)
    nominee = kit.nominee(ratings={2025: "htxs"}, awards=kit.titles("ldtt", 2025))
    assert evaluate(ruleset, nominee, kit.proposal("cstd_co_so")).passed
    no_ldtt = kit.nominee(ratings={2025: "htxs"})
    failures = evaluate(ruleset, no_ldtt, kit.proposal("cstd_co_so")).failures
    assert [f.name_vi for f in failures] == ["Đạt danh hiệu Lao động tiên tiến năm xét"]


def _ruleset(entry, award="ldtt"):
    return {"name": "t", "effective_from": "2024-01-01", "awards": {award: [entry]}}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_ruleset({"rule": "magic", "source": "s"}), "unknown rule kind 'magic'"),
        (_ruleset({"rule": "min_rating", "source": "s"}), "missing parameter 'min'"),
        (_ruleset({"rule": "min_rating", "min": "good", "source": "s"}), "expected rating"),
        (
            _ruleset({"rule": "min_rating", "min": "htt", "mni": 1, "source": "s"}),
            "unknown parameter 'mni'",
        ),
        (_ruleset({"rule": "min_rating", "min": "htt"}), "source: expected non-empty text"),
        (
            _ruleset({"rule": "quota", "source": "s"}, award="bang_khen_huyen"),
            "not a catalogue award",
        ),
        (_ruleset({"rule": "quota", "source": "s", "options": []}), "takes no options"),
        (_ruleset({"rule": "one_of", "source": "s", "options": []}), "options must not be empty"),
        (
            _ruleset({"rule": "consecutive_titles", "titles": "cstd", "count": 2, "source": "s"}),
            "expected codes",
        ),
        (_ruleset({"rule": "quota", "source": "s", "applies_to": ["household"]}), "applies_to"),
        ({"name": "t", "effective_from": "01/07/2025"}, "not a date"),
        ({"name": "t", "effective_from": "2025-07-01", "extra": 1}, "unknown keys"),
    ],
)
def test_malformed_rulesets_fail_when_loaded(data, message):
    with pytest.raises(RuleSetError, match=message):
        parse_ruleset(data, "sai.yaml")
