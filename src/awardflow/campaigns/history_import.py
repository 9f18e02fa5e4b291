"""Import a nominee's past ratings, awards, initiatives and exclusions from CSV or XLSX.

Units keep their history in spreadsheets. One row per fact, columns: nominee_code,
record_type (rating|award|initiative|exclusion), year, value, award_type, decision_number,
decision_date, scope, start, end, level, note. A bad row is reported with its spreadsheet row
number (header = row 1) and skipped; good rows are kept, so one typo does not block a unit.

What ``value`` holds depends on record_type: the rating (htxs|htt|ht|kht), the award code,
the initiative's id (its title goes in ``note``), or the exclusion kind. Vietnamese labels
("hoàn thành tốt nhiệm vụ", "chuyên đề", "kỷ luật", "cấp tỉnh"...) are accepted too.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

import openpyxl

from awardflow.campaigns.catalogue import AwardType, NomineeKind
from awardflow.states.eligibility.facts import (
    AwardRecord,
    CollectiveYear,
    Exclusion,
    ExclusionKind,
    Initiative,
    InitiativeScope,
    NomineeFacts,
    Rating,
)

__all__ = [
    "HistoryImport",
    "HistoryImportError",
    "NomineeHistory",
    "ParsedRow",
    "RecordType",
    "RowError",
    "facts_by_nominee",
    "parse_history",
]

_E = TypeVar("_E", bound=StrEnum)


class RecordType(StrEnum):
    RATING = "rating"
    AWARD = "award"
    INITIATIVE = "initiative"
    EXCLUSION = "exclusion"


Fact = Rating | AwardRecord | Initiative | Exclusion


class HistoryImportError(ValueError):
    """The file as a whole cannot be read (type, encoding); rows are never reported here."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        self.message_vi, self.message_en = message_vi, message_en
        super().__init__(f"{message_en} / {message_vi}")


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """One good row: ``fact`` is a Rating (for ``year``), AwardRecord, Initiative or Exclusion."""

    row: int
    nominee_code: str
    record_type: RecordType
    year: int | None
    fact: Fact
    note: str = ""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    field: str
    message_vi: str
    message_en: str


@dataclass(frozen=True, slots=True)
class HistoryImport:
    rows: list[ParsedRow]
    errors: list[RowError]


@dataclass(frozen=True, slots=True)
class NomineeHistory:
    """The imported part of one nominee's facts; the caller adds who the nominee is."""

    ratings: dict[int, Rating] = field(default_factory=dict)
    awards: list[AwardRecord] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)

    def to_facts(
        self,
        kind: NomineeKind,
        name: str,
        collective_years: Mapping[int, CollectiveYear] | None = None,
    ) -> NomineeFacts:
        return NomineeFacts(
            kind=kind,
            name=name,
            ratings=dict(self.ratings),
            awards=tuple(self.awards),
            initiatives=tuple(self.initiatives),
            exclusions=tuple(self.exclusions),
            collective_years=dict(collective_years or {}),
        )


def facts_by_nominee(rows: Iterable[ParsedRow]) -> dict[str, NomineeHistory]:
    """Group parsed rows by nominee code, in file order."""
    grouped: dict[str, NomineeHistory] = {}
    for row in rows:
        history = grouped.setdefault(row.nominee_code, NomineeHistory())
        fact = row.fact
        if isinstance(fact, Rating) and row.year is not None:
            history.ratings[row.year] = fact
        elif isinstance(fact, AwardRecord):
            history.awards.append(fact)
        elif isinstance(fact, Initiative):
            history.initiatives.append(fact)
        elif isinstance(fact, Exclusion):
            history.exclusions.append(fact)
    return grouped


def parse_history(path: Path) -> HistoryImport:
    """Parse a .csv (UTF-8, BOM optional) or .xlsx history file; see the module docstring."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records = list(_csv_records(path))
    elif suffix == ".xlsx":
        records = list(_xlsx_records(path))
    else:
        raise HistoryImportError(
            f"Không đọc được tệp {path.name}: chỉ nhận .csv hoặc .xlsx.",
            f"Cannot read {path.name}: only .csv and .xlsx are accepted.",
        )
    return _parse_records(records)


_REQUIRED_COLUMNS = ("nominee_code", "record_type")


def _parse_records(records: list[list[object]]) -> HistoryImport:
    if not records:
        return HistoryImport([], [RowError(1, "header", "Tệp trống.", "The file is empty.")])
    header = [_norm(str(h or "")).replace(" ", "_") for h in records[0]]
    missing = [c for c in _REQUIRED_COLUMNS if c not in header]
    if missing:
        listed = ", ".join(missing)
        return HistoryImport(
            [], [RowError(1, "header", f"Thiếu cột: {listed}.", f"Missing column(s): {listed}.")]
        )
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    for number, values in enumerate(records[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        reader = _RowReader(number, dict(zip(header, values, strict=False)))
        parsed = reader.parse()
        errors.extend(reader.errors)
        if parsed is not None:
            rows.append(parsed)
    return HistoryImport(*_drop_conflicting_ratings(rows, errors))


def _drop_conflicting_ratings(
    rows: list[ParsedRow], errors: list[RowError]
) -> tuple[list[ParsedRow], list[RowError]]:
    """Two different ratings for one nominee and year: keep the first, report the other."""
    seen: dict[tuple[str, int | None], ParsedRow] = {}
    kept: list[ParsedRow] = []
    for row in rows:
        if row.record_type is RecordType.RATING:
            first = seen.setdefault((row.nominee_code, row.year), row)
            if first.fact != row.fact:
                errors.append(
                    RowError(
                        row.row,
                        "value",
                        f"Năm {row.year} đã có xếp loại khác ở dòng {first.row}.",
                        f"Year {row.year} already has a different rating on row {first.row}.",
                    )
                )
                continue
        kept.append(row)
    return kept, sorted(errors, key=lambda e: e.row)


#: Vietnamese labels people type in spreadsheets, mapped to the enum values.
_ALIASES: dict[type[StrEnum], dict[str, str]] = {
    RecordType: {
        "xếp loại": "rating",
        "khen thưởng": "award",
        "sáng kiến": "initiative",
        "loại trừ": "exclusion",
    },
    Rating: {
        "hoàn thành xuất sắc nhiệm vụ": "htxs",
        "hoàn thành tốt nhiệm vụ": "htt",
        "hoàn thành nhiệm vụ": "ht",
        "không hoàn thành nhiệm vụ": "kht",
    },
    AwardType: {
        "công trạng": "merit",
        "thường xuyên": "merit",
        "theo đợt": "campaign",
        "phong trào": "campaign",
        "chuyên đề": "thematic",
        "đột xuất": "adhoc",
        "cống hiến": "career",
    },
    InitiativeScope: {"cơ sở": "grassroots", "cấp tỉnh": "province", "toàn quốc": "national"},
    ExclusionKind: {
        "kỷ luật": "discipline",
        "điều tra": "investigation",
        "khiếu nại": "complaint",
        "tố cáo": "complaint",
        "báo chí": "press_allegation",
    },
}
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class _RowReader:
    """Reads one row's cells, collecting every problem so the user can fix them at once."""

    def __init__(self, row: int, values: dict[str, object]) -> None:
        self.row, self.values = row, values
        self.errors: list[RowError] = []

    def fail(self, column: str, vi: str, en: str) -> None:
        self.errors.append(RowError(self.row, column, vi, en))

    def text(self, column: str, required: bool = False) -> str | None:
        raw = self.values.get(column)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # Excel stores typed ids and numbers as floats
        text = unicodedata.normalize("NFC", str(raw)).strip() if raw is not None else ""
        if not text and required:
            self.fail(column, f"Thiếu giá trị cột {column}.", f"Column {column} is empty.")
        return text or None

    def year(self, required: bool = True) -> int | None:
        text = self.text("year", required)
        if text is None:
            return None
        if text.isdigit() and 1900 <= int(text) <= 2100:
            return int(text)
        self.fail(
            "year",
            f"Năm «{text}» không hợp lệ (cần số từ 1900 đến 2100).",
            f"Year '{text}' is not valid (a number from 1900 to 2100).",
        )
        return None

    def day(self, column: str, required: bool = False) -> date | None:
        raw = self.values.get(column)
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = self.text(column, required)
        if text is None:
            return None
        try:
            match = _DMY.match(text)
            if match:
                return date(int(match[3]), int(match[2]), int(match[1]))
            return date.fromisoformat(text)
        except ValueError:
            self.fail(
                column,
                f"Ngày «{text}» ở cột {column} không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd).",
                f"Date '{text}' in column {column} is not valid (dd/mm/yyyy or yyyy-mm-dd).",
            )
            return None

    def choice(self, column: str, enum: type[_E], required: bool = True) -> _E | None:
        text = self.text(column, required)
        if text is None:
            return None
        key = _norm(text)
        try:
            return enum(_ALIASES.get(enum, {}).get(key, key))
        except ValueError:
            accepted = ", ".join(m.value for m in enum)
            self.fail(
                column,
                f"Giá trị «{text}» ở cột {column} không hợp lệ; chấp nhận: {accepted}.",
                f"Value '{text}' in column {column} is not valid; accepted: {accepted}.",
            )
            return None

    def parse(self) -> ParsedRow | None:
        """The row's fact, or None (with ``errors`` filled) when any cell is wrong."""
        code = self.text("nominee_code", required=True)
        record_type = self.choice("record_type", RecordType)
        if record_type is None:
            return None
        fact, year = _BUILDERS[record_type](self)
        if code is None or fact is None or self.errors:
            return None
        return ParsedRow(self.row, code, record_type, year, fact, self.text("note") or "")


def _rating(r: _RowReader) -> tuple[Fact | None, int | None]:
    year, rating = r.year(), r.choice("value", Rating)
    return (rating if year is not None else None), year


def _award(r: _RowReader) -> tuple[Fact | None, int | None]:
    year, code = r.year(), r.text("value", required=True)
    award_type = r.choice("award_type", AwardType)
    number, decided = r.text("decision_number"), r.day("decision_date")
    if year is None or code is None or award_type is None:
        return None, year
    return AwardRecord(code, year, award_type, number, decided), year


def _initiative(r: _RowReader) -> tuple[Fact | None, int | None]:
    year, ident = r.year(), r.text("value", required=True)
    scope = r.choice("scope", InitiativeScope)
    if year is None or ident is None or scope is None:
        return None, year
    return Initiative(ident, r.text("note") or ident, scope, year), year


def _exclusion(r: _RowReader) -> tuple[Fact | None, int | None]:
    kind, year = r.choice("value", ExclusionKind), r.year(required=False)
    start, end, level = r.day("start", required=True), r.day("end"), r.text("level")
    if start and end and end < start:
        r.fail("end", "Ngày kết thúc trước ngày bắt đầu.", "The end date is before the start.")
        return None, year
    if kind is None or start is None:
        return None, year
    return Exclusion(kind, start, end, level), year


_BUILDERS = {
    RecordType.RATING: _rating,
    RecordType.AWARD: _award,
    RecordType.INITIATIVE: _initiative,
    RecordType.EXCLUSION: _exclusion,
}


def _norm(text: str) -> str:
    """NFC (spreadsheets from macOS store decomposed Vietnamese), lower case, single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).strip().lower())


def _csv_records(path: Path) -> Iterator[list[object]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise HistoryImportError(
            f"Tệp {path.name} không phải UTF-8; hãy lưu lại dưới dạng CSV UTF-8.",
            f"{path.name} is not UTF-8; save it again as CSV UTF-8.",
        ) from None
    first_line = text.split("\n", 1)[0]
    # Excel with a Vietnamese locale saves "CSV" with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_records(path: Path) -> Iterator[list[object]]:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()
