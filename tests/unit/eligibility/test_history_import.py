"""History import from CSV and XLSX: good rows kept, bad rows reported per row and skipped."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

import openpyxl
import pytest

from awardflow.campaigns.catalogue import AwardType, NomineeKind
from awardflow.campaigns.history_import import (
    HistoryImportError,
    RecordType,
    facts_by_nominee,
    parse_history,
)
from awardflow.states.eligibility import (
    AwardRecord,
    Exclusion,
    ExclusionKind,
    Initiative,
    InitiativeScope,
    ProposalFacts,
    Rating,
    evaluate,
    load_rulesets,
    ruleset_in_force,
)

HEADER = [
    "nominee_code",
    "record_type",
    "year",
    "value",
    "award_type",
    "decision_number",
    "decision_date",
    "scope",
    "start",
    "end",
    "level",
    "note",
]
GOOD = [
    ["GV-001", "rating", "2023", "htxs", "", "", "", "", "", "", "", ""],
    ["GV-001", "rating", "2024", "Hoàn thành tốt nhiệm vụ", "", "", "", "", "", "", "", ""],
    ["GV-001", "rating", "2025", "HTXS", "", "", "", "", "", "", "", ""],
    [
        "GV-001",
        "award",
        "2023",
        "cstd_co_so",
        "merit",
        "12/QĐ-SGDĐT",
        "15/12/2023",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "GV-001",
        "award",
        "2024",
        "cstd_co_so",
        "công trạng",
        "9/QĐ-SGDĐT",
        "2024-12-20",
        "",
        "",
        "",
        "",
        "",
    ],
    ["GV-001", "award", "2025", "cstd_co_so", "merit", "", "", "", "", "", "", ""],
    ["GV-001", "award", "2024", "bang_khen_tinh", "chuyên đề", "", "", "", "", "", "", ""],
    ["GV-001", "initiative", "2025", "SK-5", "", "", "", "cấp tỉnh", "", "", "", "Số hoá học bạ"],
    [
        "TT-07",
        "exclusion",
        "",
        "kỷ luật",
        "",
        "",
        "",
        "",
        "01/03/2024",
        "01/03/2025",
        "khiển trách",
        "",
    ],
]
BAD = [
    ["GV-002", "rating", "20x4", "htt", "", "", "", "", "", "", "", ""],
    ["GV-002", "medal", "2024", "htt", "", "", "", "", "", "", "", ""],
    ["GV-002", "award", "2024", "giay_khen", "merit", "5/QĐ", "31/02/2024", "", "", "", "", ""],
]


def _write_csv(path, rows, *, bom=True, delimiter=","):
    lines = [delimiter.join(row) for row in [HEADER, *rows]]
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _assert_good_rows(result):
    assert len(result.rows) == len(GOOD)
    facts = facts_by_nominee(result.rows)
    gv = facts["GV-001"]
    assert gv.ratings == {2023: Rating.HTXS, 2024: Rating.HTT, 2025: Rating.HTXS}
    assert gv.awards[0] == AwardRecord(
        "cstd_co_so", 2023, AwardType.MERIT, "12/QĐ-SGDĐT", date(2023, 12, 15)
    )
    assert gv.awards[1].decision_date == date(2024, 12, 20)
    assert gv.awards[3].award_type is AwardType.THEMATIC
    assert gv.initiatives == [Initiative("SK-5", "Số hoá học bạ", InitiativeScope.PROVINCE, 2025)]
    assert facts["TT-07"].exclusions == [
        Exclusion(ExclusionKind.DISCIPLINE, date(2024, 3, 1), date(2025, 3, 1), "khiển trách")
    ]


def _assert_bad_rows(result, first_bad_row):
    assert [(e.row, e.field) for e in result.errors] == [
        (first_bad_row, "year"),
        (first_bad_row + 1, "record_type"),
        (first_bad_row + 2, "decision_date"),
    ]
    year, kind, day = result.errors
    assert "Năm «20x4» không hợp lệ" in year.message_vi
    assert "Year '20x4' is not valid" in year.message_en
    assert "Giá trị «medal» ở cột record_type không hợp lệ" in kind.message_vi
    assert "accepted: rating, award, initiative, exclusion" in kind.message_en
    assert "Ngày «31/02/2024» ở cột decision_date không hợp lệ" in day.message_vi
    assert "GV-002" not in facts_by_nominee(result.rows)


def test_csv_good_rows_with_bom(tmp_path):
    result = parse_history(_write_csv(tmp_path / "lich_su.csv", GOOD))
    assert result.errors == []
    _assert_good_rows(result)


def test_csv_bad_rows_are_reported_and_skipped(tmp_path):
    result = parse_history(_write_csv(tmp_path / "lich_su.csv", [*GOOD, *BAD], bom=False))
    _assert_good_rows(result)
    _assert_bad_rows(result, first_bad_row=len(GOOD) + 2)


def test_csv_with_semicolons_and_decomposed_vietnamese(tmp_path):
    nfd = unicodedata.normalize("NFD", "hoàn thành xuất sắc nhiệm vụ")
    rows = [["GV-003", "xếp loại", "2025", nfd, *[""] * 8]]
    result = parse_history(_write_csv(tmp_path / "excel.csv", rows, delimiter=";"))
    assert result.errors == []
    (row,) = result.rows
    assert row.record_type is RecordType.RATING
    assert row.fact is Rating.HTXS


def test_conflicting_ratings_keep_the_first(tmp_path):
    rows = [
        ["GV-004", "rating", "2025", "htt", *[""] * 8],
        ["GV-004", "rating", "2025", "ht", *[""] * 8],
    ]
    result = parse_history(_write_csv(tmp_path / "x.csv", rows))
    assert [r.fact for r in result.rows] == [Rating.HTT]
    (error,) = result.errors
    assert (error.row, error.field) == (3, "value")
    assert "đã có xếp loại khác ở dòng 2" in error.message_vi


def test_missing_required_column_is_a_header_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("code,record_type\nGV-1,rating\n", encoding="utf-8")
    result = parse_history(path)
    assert result.rows == []
    assert [(e.row, e.field) for e in result.errors] == [(1, "header")]
    assert result.errors[0].message_vi == "Thiếu cột: nominee_code."


def test_unsupported_file_type_or_encoding_is_refused(tmp_path):
    with pytest.raises(HistoryImportError, match=r"only \.csv and \.xlsx"):
        parse_history(tmp_path / "x.xls")
    legacy = tmp_path / "cp1258.csv"
    legacy.write_bytes(",".join(HEADER).encode() + b"\nGV-1,rating,2025,ho\xe0n\n")
    with pytest.raises(HistoryImportError, match="not UTF-8"):
        parse_history(legacy)


def _write_xlsx(path, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_with_typed_cells_and_bad_rows(tmp_path):
    typed = [
        ["GV-001", "rating", 2024, "htt", None, None, None, None, None, None, None, None],
        [
            "GV-001",
            "award",
            2024.0,
            "cstd_co_so",
            "merit",
            "9/QĐ",
            datetime(2024, 12, 20),
            *[None] * 5,
        ],
        [
            "GV-001",
            "initiative",
            2025,
            1042,
            None,
            None,
            None,
            "national",
            None,
            None,
            None,
            "Ứng dụng AI",
        ],
        [
            "GV-001",
            "exclusion",
            None,
            "complaint",
            None,
            None,
            None,
            None,
            date(2025, 5, 1),
            None,
            None,
            None,
        ],
        [None] * 12,
    ]
    path = _write_xlsx(tmp_path / "lich_su.xlsx", [*typed, *BAD])
    result = parse_history(path)
    facts = facts_by_nominee(result.rows)["GV-001"]
    assert facts.ratings == {2024: Rating.HTT}
    assert facts.awards == [
        AwardRecord("cstd_co_so", 2024, AwardType.MERIT, "9/QĐ", date(2024, 12, 20))
    ]
    assert facts.initiatives[0].id == "1042"
    assert facts.exclusions == [Exclusion(ExclusionKind.COMPLAINT, date(2025, 5, 1))]
    _assert_bad_rows(result, first_bad_row=len(typed) + 2)


def test_imported_history_feeds_the_rules(tmp_path):
    result = parse_history(_write_csv(tmp_path / "lich_su.csv", GOOD))
    nominee = facts_by_nominee(result.rows)["GV-001"].to_facts(NomineeKind.INDIVIDUAL, "Lê Văn An")
    ruleset = ruleset_in_force(load_rulesets(), date(2026, 1, 5))
    proposal = ProposalFacts(
        award_code="cstd_tinh",
        year=2025,
        as_of=date(2026, 1, 5),
        award_type=AwardType.MERIT,
        achievement_key=None,
        initiative_ids=("SK-5",),
        quota_limit=None,
        quota_used=0,
    )
    explanation = evaluate(ruleset, nominee, proposal)
    assert explanation.passed, explanation.failures
