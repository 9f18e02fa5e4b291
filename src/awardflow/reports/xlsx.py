"""XLSX workbooks (openpyxl, write-only so 10,000-row rounds stay small in memory): the summary
with one sheet per breakdown, and the list of nominees of a submission."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from awardflow.reports.html import PHASE_VI, STATE_VI, conferred_by_form

FONT = "Times New Roman"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FONT = Font(name=FONT, bold=True, size=12)
_HEAD_FILL = PatternFill("solid", fgColor="D9E2F3")
_BODY_FONT = Font(name=FONT, size=12)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
DATE_FORMAT = "dd/mm/yyyy"


def _as_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class _Sheet:
    """One write-only sheet: optional title lines, a styled header that stays frozen, rows."""

    def __init__(
        self,
        wb: Workbook,
        name: str,
        headers: Sequence[str],
        widths: Sequence[int],
        titles: Sequence[str] = (),
    ) -> None:
        self.ws = wb.create_sheet(name[:31])
        for i, width in enumerate(widths):
            self.ws.column_dimensions[chr(ord("A") + i)].width = width
        self.ws.freeze_panes = f"A{len(titles) + 2}"
        for line in titles:
            cell = WriteOnlyCell(self.ws, value=line)
            cell.font = Font(name=FONT, bold=True, size=13)
            self.ws.append([cell])
        self.ws.append([self._head(h) for h in headers])

    def _head(self, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=text)
        cell.font, cell.fill, cell.border, cell.alignment = _HEAD_FONT, _HEAD_FILL, _BORDER, _CENTER
        return cell

    def row(self, values: Iterable[Any]) -> None:
        cells = []
        for value in values:
            cell = WriteOnlyCell(self.ws, value=value)
            cell.font, cell.border, cell.alignment = _BODY_FONT, _BORDER, _WRAP
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        self.ws.append(cells)


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def summary_workbook(data: dict[str, Any]) -> bytes:
    wb = Workbook(write_only=True)
    info = _Sheet(wb, "Thông tin", ["Mục", "Giá trị"], [34, 70])
    period = data["period"]
    for label, value in (
        ("Tiêu đề", data["title"]),
        ("Phong trào", data["campaign"]),
        ("Từ ngày", _as_date(period.get("start"))),
        ("Đến ngày", _as_date(period.get("end"))),
        ("Ngày lập số liệu", _as_date(data.get("generated_on"))),
        ("Tổng số hồ sơ", data["total"]),
        ("Hồ sơ quá hạn", data["overdue"]),
        ("Hồ sơ tồn đọng", data["stuck"]),
        ("Được khen thưởng", len(data["awarded"])),
    ):
        info.row([label, value])
    states = _Sheet(wb, "Theo trạng thái", ["Trạng thái", "Mã", "Số hồ sơ"], [30, 20, 12])
    for state, count in sorted(data["by_state"].items()):
        states.row([STATE_VI.get(state, state), state, count])
    units = _Sheet(wb, "Theo đơn vị", ["TT", "Đơn vị", "Số hồ sơ"], [6, 50, 12])
    for i, row in enumerate(data["by_unit"], start=1):
        units.row([i, row["unit"], row["count"]])
    awards = _Sheet(
        wb, "Theo hình thức", ["Hình thức", "Mã", "Trạng thái", "Số hồ sơ"], [44, 20, 26, 12]
    )
    for row in data["by_award"]:
        awards.row(
            [row["name"], row["code"], STATE_VI.get(row["state"], row["state"]), row["count"]]
        )
    kinds = _Sheet(wb, "Theo đối tượng", ["Đối tượng", "Số hồ sơ"], [20, 12])
    for kind, label in (("individual", "Cá nhân"), ("collective", "Tập thể")):
        kinds.row([label, data["by_kind"].get(kind, 0)])
    times = _Sheet(
        wb,
        "Thời gian xử lý",
        ["Giai đoạn", "Số hồ sơ", "Trung vị (ngày)", "Phân vị 90 (ngày)"],
        [26, 12, 16, 18],
    )
    for phase, t in sorted(data["phase_times"].items()):
        times.row([PHASE_VI.get(phase, phase), t["count"], t["median"], t["p90"]])
    forms = _Sheet(wb, "Khen thưởng theo hình thức", ["Hình thức", "Số lượng"], [50, 12])
    for name, count in conferred_by_form(data):
        forms.row([name, count])
    awarded = _Sheet(
        wb,
        "Được khen thưởng",
        ["TT", "Họ và tên / Tập thể", "Đơn vị", "Hình thức", "Số quyết định", "Ngày quyết định"],
        [6, 30, 40, 36, 18, 16],
    )
    for i, a in enumerate(data["awarded"], start=1):
        awarded.row(
            [
                i,
                a["nominee"],
                a["unit"],
                a["award"],
                a.get("decision_number") or "",
                _as_date(a.get("decision_date")),
            ]
        )
    return _save(wb)


NOMINEE_HEADERS = (
    "TT",
    "Họ và tên / Tập thể",
    "Chức vụ và đơn vị",
    "Hình thức khen thưởng",
    "Tóm tắt thành tích",
)


def nominee_list_workbook(title: str, subtitle: str, rows: Sequence[dict[str, Any]]) -> bytes:
    """Danh sách đề nghị khen thưởng in the usual columns."""
    wb = Workbook(write_only=True)
    sheet = _Sheet(wb, "Danh sách", NOMINEE_HEADERS, [6, 30, 42, 34, 70], titles=[title, subtitle])
    for row in rows:
        sheet.row(
            [row["order"], row["nominee"], row["position_unit"], row["award"], row["achievement"]]
        )
    return _save(wb)
