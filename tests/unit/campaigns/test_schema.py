"""The campaign file format: a bad file is refused with problems that point at the right line
and field, in both languages; a good one loads with the defaults filled in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from awardflow.campaigns.catalogue import AwardCode
from awardflow.campaigns.loader import (
    CampaignFileError,
    Problem,
    definition_fingerprint,
    load_definition,
    parse_definition,
    validate_file,
)
from awardflow.campaigns.schema import CampaignDefinition, StepName
from awardflow.errors import InvalidInput
from awardflow.states.lifecycle import WAITING, NominationState, Role

# A small valid campaign. Each test changes one line and expects the problem on that line.
BASE = """\
# a test campaign
code: test-campaign-2026
title: Phong trào thi đua thử nghiệm
title_en: A test campaign
issuer: {code: so-thu, name: Sở Thử nghiệm}
plan: {number: /KH-ST, date: null}
legal_basis:
  - Luật Thi đua, khen thưởng số 06/2022/QH15
organiser_level: department
scope:
  unit_kinds: [school, office]
  description: Các trường học và các phòng thuộc Sở
period: {start: 2026-01-01, end: 2030-12-31}
phases:
  - code: gd1
    name: Giai đoạn 1
    start: 2026-01-01
    end: 2027-12-31
    review: {kind: midterm, name: Sơ kết, date: 2027-12-20}
  - code: gd2
    name: Giai đoạn 2
    start: 2028-01-01
    end: 2030-12-31
    review: {kind: final, name: Tổng kết, date: 2030-12-20}
rounds:
  - code: annual-2026
    name: Năm 2026
    kind: annual
    phase: gd1
    opens: 2026-10-01
    dates:
      proposals_close: 2026-11-10
      appraisal_due: 2026-11-25
      council_by: 2026-12-05
  - code: final-2030
    name: Tổng kết
    kind: final
    phase: gd2
    opens: 2030-09-01
    dates:
      proposals_close: 2030-11-10
      appraisal_due: 2030-11-25
      council_by: 2030-12-05
      submission_by: 2030-12-09
awards:
  - code: giay_khen
    name: Giấy khen của Giám đốc Sở
    deciding_authority: organiser
    rounds: [annual, final]
  - code: co_thi_dua_tinh
    name: Cờ thi đua của UBND tỉnh
    deciding_authority: province
    threshold: 0.8
    rounds: [final]
criteria:
  collective:
    - {code: tt-1, text: Hoàn thành xuất sắc nhiệm vụ}
  individual:
    - {code: cn-1, text: Có sáng kiến được công nhận, required: false}
offices:
  proposing_units: {unit_kinds: [school], description: Các trường học}
  appraising_office: {code: phong-tccb, name: Phòng Tổ chức cán bộ}
  standing_body: {code: phong-tccb, name: Phòng Tổ chức cán bộ}
  council:
    name: Hội đồng Thi đua - Khen thưởng Sở
    chair_title: Giám đốc Sở
    members:
      - {role: chair, title: Giám đốc Sở}
      - {role: member, title: Trưởng phòng, count: 5}
      - {role: secretary, title: Chuyên viên}
    quorum: 2/3
    size: 7
  receiving_authority: {code: so-noi-vu, name: Sở Nội vụ}
  central_authority: {code: bo-noi-vu, name: Bộ Nội vụ}
"""


def change(old: str, new: str, text: str = BASE) -> str:
    """``text`` with the one occurrence of ``old`` replaced (fails if not exactly one)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, fragment: str) -> int:
    """1-based line of the only line containing ``fragment``."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert len(hits) == 1, f"{fragment!r} on lines {hits}"
    return hits[0]


def write(tmp_path: Path, text: str, name: str = "campaign.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def the_problem(path: Path, field: str) -> Problem:
    """The problem on ``field``; ``load_definition`` must refuse the file as well."""
    problems = validate_file(path)
    with pytest.raises(CampaignFileError) as raised:
        load_definition(path)
    assert raised.value.problems == tuple(problems)
    matching = [p for p in problems if p.field == field]
    assert matching, f"no problem on {field}; got {[str(p) for p in problems]}"
    problem = matching[0]
    assert problem.file == str(path)
    assert problem.message_vi.strip()
    assert problem.message_en.strip()
    assert problem.message_vi != problem.message_en
    return problem


def test_base_file_is_valid_and_gets_catalogue_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    assert validate_file(path) == []
    definition = load_definition(path)
    giay_khen = definition.award(AwardCode.GIAY_KHEN)
    assert giay_khen.threshold == 0.5  # catalogue default, nothing written
    assert set(giay_khen.nominee_kinds) == {"individual", "collective"}
    assert definition.offices.council.quorum == pytest.approx(2 / 3)
    assert definition.round("annual-2026").dates.council_by == dt.date(2026, 12, 5)
    assert definition.decided_by_organiser(giay_khen)
    assert not definition.decided_by_organiser(definition.award("co_thi_dua_tinh"))


def test_malformed_yaml_gives_the_parsers_line_and_column(tmp_path: Path) -> None:
    text = change("  unit_kinds: [school, office]\n", "  unit_kinds: [school, office\n")
    path = write(tmp_path, text)
    problems = validate_file(path)
    assert len(problems) == 1
    (problem,) = problems
    assert problem.field == ""
    assert problem.line is not None
    assert problem.column is not None
    # The parser notices the unclosed list where the next key begins.
    assert line_of(text, "unit_kinds: [school, office") <= problem.line
    assert problem.line <= line_of(text, "  description: Các trường học và")
    assert "YAML" in problem.message_en
    assert "YAML" in problem.message_vi
    with pytest.raises(CampaignFileError):
        load_definition(path)


def test_tab_indentation_is_malformed_yaml(tmp_path: Path) -> None:
    text = change("    name: Giai đoạn 1\n", "\tname: Giai đoạn 1\n")
    problem = validate_file(write(tmp_path, text))[0]
    assert problem.line == line_of(text, "\tname: Giai đoạn 1")


def test_unknown_award_code_names_the_valid_ones(tmp_path: Path) -> None:
    text = change("  - code: giay_khen\n", "  - code: xyz\n")
    problem = the_problem(write(tmp_path, text), "awards[0].code")
    assert problem.line == line_of(text, "- code: xyz")
    assert "unknown award code 'xyz'" in problem.message_en
    assert "giay_khen" in problem.message_en
    assert "bang_khen_tinh" in problem.message_en
    assert "xyz" in problem.message_vi
    # The unknown code is the only complaint about that award.
    assert [p.field for p in validate_file(write(tmp_path, text))] == ["awards[0].code"]


def test_phases_out_of_order(tmp_path: Path) -> None:
    text = change("    start: 2028-01-01\n", "    start: 2027-06-01\n")
    problem = the_problem(write(tmp_path, text), "phases[1].start")
    assert problem.line == line_of(text, "start: 2027-06-01")
    assert "after phase gd1 ends" in problem.message_en


def test_phase_ending_before_it_starts(tmp_path: Path) -> None:
    text = change("    end: 2027-12-31\n", "    end: 2025-12-31\n")
    problem = the_problem(write(tmp_path, text), "phases[0].end")
    assert problem.line == line_of(text, "end: 2025-12-31")


def test_review_outside_its_phase(tmp_path: Path) -> None:
    text = change("date: 2027-12-20", "date: 2028-02-01")
    problem = the_problem(write(tmp_path, text), "phases[0].review.date")
    assert problem.line == line_of(text, "date: 2028-02-01")


def test_round_date_outside_its_phase(tmp_path: Path) -> None:
    text = change("      council_by: 2026-12-05\n", "      council_by: 2028-01-10\n")
    problem = the_problem(write(tmp_path, text), "rounds[0].dates.council_by")
    assert problem.line == line_of(text, "council_by: 2028-01-10")
    assert "outside phase gd1" in problem.message_en
    assert "gd1" in problem.message_vi


def test_final_round_must_end_by_the_review(tmp_path: Path) -> None:
    text = change("      submission_by: 2030-12-09\n", "      submission_by: 2030-12-28\n")
    problem = the_problem(write(tmp_path, text), "rounds[1].dates.submission_by")
    assert problem.line == line_of(text, "submission_by: 2030-12-28")
    assert "Tổng kết" in problem.message_en  # names the review it must precede


def test_round_dates_in_lifecycle_order(tmp_path: Path) -> None:
    text = change("      council_by: 2026-12-05\n", "      council_by: 2026-11-20\n")
    problem = the_problem(write(tmp_path, text), "rounds[0].dates.council_by")
    assert problem.line == line_of(text, "council_by: 2026-11-20")
    assert "appraisal_due" in problem.message_en


def test_round_date_before_it_opens(tmp_path: Path) -> None:
    text = change("    opens: 2026-10-01\n", "    opens: 2026-11-15\n")
    problem = the_problem(write(tmp_path, text), "rounds[0].dates.proposals_close")
    assert problem.line == line_of(text, "proposals_close: 2026-11-10")


def test_round_in_unknown_phase(tmp_path: Path) -> None:
    text = change("    phase: gd1\n", "    phase: gd9\n")
    problem = the_problem(write(tmp_path, text), "rounds[0].phase")
    assert problem.line == line_of(text, "phase: gd9")
    assert "gd1, gd2" in problem.message_en


def test_threshold_above_one(tmp_path: Path) -> None:
    text = change("    threshold: 0.8\n", "    threshold: 1.5\n")
    problem = the_problem(write(tmp_path, text), "awards[1].threshold")
    assert problem.line == line_of(text, "threshold: 1.5")
    assert "at most 1" in problem.message_en


@pytest.mark.parametrize(("written", "value"), [("4/5", 0.8), ("80%", 0.8), ("0.9", 0.9)])
def test_threshold_as_ratio_or_percentage(tmp_path: Path, written: str, value: float) -> None:
    text = change("    threshold: 0.8\n", f"    threshold: {written}\n")
    definition = load_definition(write(tmp_path, text))
    assert definition.award("co_thi_dua_tinh").threshold == pytest.approx(value)


def test_quorum_must_be_a_fraction(tmp_path: Path) -> None:
    text = change("    quorum: 2/3\n", "    quorum: 0\n")
    problem = the_problem(write(tmp_path, text), "offices.council.quorum")
    assert problem.line == line_of(text, "quorum: 0")


def test_missing_required_field_is_reported_on_its_section(tmp_path: Path) -> None:
    text = change("    name: Giấy khen của Giám đốc Sở\n", "")
    problem = the_problem(write(tmp_path, text), "awards[0].name")
    assert problem.line == line_of(text, "- code: giay_khen")
    assert "'name'" in problem.message_en
    assert "'name'" in problem.message_vi


def test_missing_top_level_field(tmp_path: Path) -> None:
    text = change("title_en: A test campaign\n", "")
    problem = the_problem(write(tmp_path, text), "title_en")
    assert problem.line == line_of(text, "code: test-campaign-2026")  # the document's start
    assert "expected text" in problem.message_en


def test_wrong_type(tmp_path: Path) -> None:
    text = change("    size: 7\n", "    size: bảy\n")
    problem = the_problem(write(tmp_path, text), "offices.council.size")
    assert problem.line == line_of(text, "size: bảy")
    assert "expected a whole number" in problem.message_en
    assert "số nguyên" in problem.message_vi


def test_bad_date_says_what_a_date_looks_like(tmp_path: Path) -> None:
    text = change("      proposals_close: 2026-11-10\n", "      proposals_close: 2026-13-40\n")
    problem = the_problem(write(tmp_path, text), "rounds[0].dates.proposals_close")
    assert problem.line == line_of(text, "2026-13-40")
    assert "expected a date like 2026-12-15" in problem.message_en


def test_unknown_field_lists_the_valid_ones(tmp_path: Path) -> None:
    text = change("    threshold: 0.8\n", "    treshold: 0.8\n")
    problem = the_problem(write(tmp_path, text), "awards[1].treshold")
    assert problem.line == line_of(text, "treshold: 0.8")
    assert "threshold" in problem.message_en
    assert "deciding_authority" in problem.message_en


def test_unknown_enum_value_lists_the_choices(tmp_path: Path) -> None:
    text = change("organiser_level: department\n", "organiser_level: ministry\n")
    problem = the_problem(write(tmp_path, text), "organiser_level")
    assert problem.line == line_of(text, "organiser_level: ministry")
    assert "'department'" in problem.message_en
    assert "'province'" in problem.message_en


def test_duplicate_key(tmp_path: Path) -> None:
    text = change("    size: 7\n", "    size: 7\n    size: 7\n")
    problem = the_problem(write(tmp_path, text), "offices.council.size")
    assert problem.line == line_of(text, "quorum: 2/3") + 2
    assert f"line {problem.line - 1}" in problem.message_en


def test_nominee_kind_not_in_catalogue(tmp_path: Path) -> None:
    text = change("    threshold: 0.8\n", "    threshold: 0.8\n    nominee_kinds: [individual]\n")
    problem = the_problem(write(tmp_path, text), "awards[1].nominee_kinds[0]")
    assert problem.line == line_of(text, "nominee_kinds: [individual]")


def test_deciding_authority_must_fit_the_level(tmp_path: Path) -> None:
    text = change("    deciding_authority: province\n", "    deciding_authority: organiser\n")
    problem = the_problem(write(tmp_path, text), "awards[1].deciding_authority")
    assert "expected: province" in problem.message_en


def test_award_round_kind_without_rounds(tmp_path: Path) -> None:
    text = change("    rounds: [final]\n", "    rounds: [midterm, final]\n")
    problem = the_problem(write(tmp_path, text), "awards[1].rounds[0]")
    assert problem.line == line_of(text, "rounds: [midterm, final]")


def test_thematic_and_adhoc_kinds_need_no_scheduled_round(tmp_path: Path) -> None:
    text = change("    rounds: [annual, final]\n", "    rounds: [annual, final, thematic, adhoc]\n")
    assert validate_file(write(tmp_path, text)) == []


def test_upward_round_needs_a_submission_date(tmp_path: Path) -> None:
    text = change("      submission_by: 2030-12-09\n", "")
    problem = the_problem(write(tmp_path, text), "rounds[1].dates.submission_by")
    assert "co_thi_dua_tinh" in problem.message_en


def test_duplicate_codes(tmp_path: Path) -> None:
    text = change("  - code: final-2030\n", "  - code: annual-2026\n")
    problem = the_problem(write(tmp_path, text), "rounds[1].code")
    assert problem.line == line_of(text, "    name: Tổng kết") - 1


def test_council_seats_must_add_up(tmp_path: Path) -> None:
    text = change("    size: 7\n", "    size: 9\n")
    problem = the_problem(write(tmp_path, text), "offices.council.size")
    assert "(7)" in problem.message_en


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = change("    threshold: 0.8\n", "    threshold: 2\n")
    text = change("    size: 7\n", "    size: many\n", text)
    text = change("title_en: A test campaign\n", "", text)
    fields = [p.field for p in validate_file(write(tmp_path, text))]
    assert set(fields) == {"title_en", "awards[1].threshold", "offices.council.size"}
    lines = [p.line or 0 for p in validate_file(write(tmp_path, text))]
    assert lines == sorted(lines)


def test_escalation_defaults_cover_every_waiting_state(tmp_path: Path) -> None:
    definition = load_definition(write(tmp_path, BASE))
    states = definition.escalation.states
    assert set(states) == set(WAITING)
    ladder = states[NominationState.IN_APPRAISAL].ladder
    assert [(s.name, s.offset_working_days) for s in ladder] == [
        (StepName.REMINDER, -2),
        (StepName.DUE, 0),
        (StepName.OVERDUE, 3),
    ]
    assert ladder[0].notify == (Role.APPRAISER,)
    assert set(ladder[1].notify) == {Role.APPRAISER, Role.SUPERVISOR}
    assert ladder[2].notify == (Role.DIRECTOR,)
    assert states[NominationState.RETURNED].ladder[0].notify == (Role.UNIT_CLERK, Role.UNIT_HEAD)


def test_escalation_override_for_one_state(tmp_path: Path) -> None:
    text = (
        BASE
        + "escalation:\n"
        + "  stuck_after_days: 7\n"
        + "  states:\n"
        + "    returned: {stuck_after_days: 3}\n"
        + "    submitted:\n"
        + "      ladder:\n"
        + "        - {level: 0, name: due, offset_working_days: 0, notify: [authority, director]}\n"
    )
    states = load_definition(write(tmp_path, text)).escalation.states
    assert states[NominationState.RETURNED].stuck_after_days == 3
    assert states[NominationState.DRAFT].stuck_after_days == 7
    assert len(states[NominationState.SUBMITTED].ladder) == 1
    assert len(states[NominationState.RETURNED].ladder) == 3  # default ladder kept


def test_bad_escalation_ladder(tmp_path: Path) -> None:
    text = (
        BASE
        + "escalation:\n"
        + "  states:\n"
        + "    returned:\n"
        + "      ladder:\n"
        + "        - {level: 0, name: reminder, offset_working_days: -2, notify: [unit_head]}\n"
        + "        - {level: 1, name: due, offset_working_days: 2, notify: [unit_head]}\n"
    )
    path = write(tmp_path, text)
    problem = the_problem(path, "escalation.states.returned.ladder[1].offset_working_days")
    assert problem.line == line_of(text, "name: due, offset_working_days: 2")


def test_escalation_for_a_closed_state(tmp_path: Path) -> None:
    text = BASE + "escalation:\n  states:\n    awarded: {stuck_after_days: 3}\n"
    problem = the_problem(write(tmp_path, text), "escalation.states.awarded")
    assert problem.line == line_of(text, "awarded:")
    assert "not a waiting state" in problem.message_en
    assert "in_appraisal" in problem.message_en


def test_empty_file(tmp_path: Path) -> None:
    (problem,) = validate_file(write(tmp_path, "# nothing yet\n"))
    assert "empty" in problem.message_en
    assert problem.message_vi


def test_top_level_not_a_mapping(tmp_path: Path) -> None:
    (problem,) = validate_file(write(tmp_path, "- code: x\n"))
    assert problem.line == 1
    assert "top level" in problem.message_en


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CampaignFileError) as raised:
        load_definition(tmp_path / "nope.yaml")
    (problem,) = raised.value.problems
    assert problem.line is None
    assert "cannot read" in problem.message_en


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(BASE.replace("Sở Thử nghiệm", "S\xe9").encode("latin-1", "replace"))
    (problem,) = validate_file(path)
    assert "UTF-8" in problem.message_en


def test_campaign_file_error_is_bad_input(tmp_path: Path) -> None:
    path = write(tmp_path, change("    threshold: 0.8\n", "    threshold: 1.5\n"))
    with pytest.raises(InvalidInput) as raised:
        load_definition(path)
    assert isinstance(raised.value, CampaignFileError)
    assert raised.value.field == "awards[1].threshold"
    assert str(path) in raised.value.message_en
    assert raised.value.message_vi


def test_plain_model_validation_raises_validation_error() -> None:
    """Code that builds definitions without the loader still gets the rules enforced."""
    import yaml
    from pydantic import ValidationError

    data = yaml.safe_load(change("    threshold: 0.8\n", "    threshold: 1.5\n"))
    with pytest.raises(ValidationError, match="at most 1"):
        CampaignDefinition.model_validate(data)


def test_fingerprint_ignores_layout_and_sees_changes(tmp_path: Path) -> None:
    original = load_definition(write(tmp_path, BASE, "a.yaml"))
    relaid = BASE.replace("# a test campaign\n", "# reformatted, same content\n\n")
    relaid = change(
        "issuer: {code: so-thu, name: Sở Thử nghiệm}\n",
        "issuer:\n  code: so-thu\n  name: Sở Thử nghiệm\n",
        relaid,
    )
    relaid = change(
        "    deciding_authority: organiser\n",
        "    deciding_authority: organiser\n    threshold: 0.5\n",
        relaid,
    )
    same = load_definition(write(tmp_path, relaid, "b.yaml"))
    changed = load_definition(
        write(
            tmp_path,
            change("      council_by: 2030-12-05\n", "      council_by: 2030-12-06\n"),
            "c.yaml",
        )
    )
    assert definition_fingerprint(original) == definition_fingerprint(same)
    assert definition_fingerprint(original) != definition_fingerprint(changed)
    assert len(definition_fingerprint(original)) == 64


def test_parse_definition_names_the_source() -> None:
    with pytest.raises(CampaignFileError) as raised:
        parse_definition(change("  - code: giay_khen\n", "  - code: xyz\n"), file="upload.yaml")
    assert raised.value.problems[0].file == "upload.yaml"
    assert raised.value.problems[0].where().startswith("upload.yaml:")
