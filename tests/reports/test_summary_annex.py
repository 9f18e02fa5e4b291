"""A long awarded list leaves the report's body for a landscape annex of consecutive tables
(issue 8: WeasyPrint's layout of one 10,000-row table did not finish); nothing is lost."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from tests.reports.conftest import pdf_text

from awardflow.reports import html as html_mod
from awardflow.reports.pdf import html_to_pdf


def _summary(rows: int) -> dict[str, Any]:
    awarded = [
        {
            "nomination_id": i,
            "nominee": f"Nguyễn Thị Ánh {i:04d}",
            "kind": "individual",
            "unit": "Trường THPT số 1 huyện Mường Ảng",
            "award": "Giấy khen của Giám đốc Sở",
            "decision_number": "123/QĐ-SGDĐT",
            "decision_date": "2026-12-20",
        }
        for i in range(1, rows + 1)
    ]
    by_state = {"awarded": rows, "rejected": 2}
    return {
        "title": "Tổng hợp kết quả năm học 2025–2026",
        "campaign": "Phong trào thi đua đổi mới sáng tạo",
        "period": {"start": "2026-01-05", "end": "2026-12-15"},
        "generated_on": "2026-12-30",
        "by_state": by_state,
        "by_kind": {"individual": rows + 2},
        "by_unit": [{"unit": "Trường THPT số 1 huyện Mường Ảng", "count": rows + 2}],
        "by_award": [{"name": "Giấy khen của Giám đốc Sở", "state": "awarded", "count": rows}],
        "total": rows + 2,
        "phase_times": {"appraisal": {"count": rows, "median": 4.5, "p90": 12.0}},
        "overdue": 0,
        "stuck": 0,
        "awarded": awarded,
    }


def _numbers(page: str) -> list[int]:
    """The TT column of the awarded list's tables."""
    tables = re.findall(r'<table class="grid list">.*?</table>', page, flags=re.S)
    return [int(n) for t in tables for n in re.findall(r'<td class="c">(\d+)</td>', t)]


def test_short_list_stays_in_the_body() -> None:
    page = html_mod.render_summary(_summary(3))
    assert "Phụ lục" not in page
    assert _numbers(page) == [1, 2, 3]


def test_long_list_is_an_annex_of_consecutive_tables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(html_mod, "LIST_CHUNK", 25)
    rows = html_mod.LIST_INLINE + 10
    page = html_mod.render_summary(_summary(rows))
    assert page.count('<table class="grid list">') == -(-rows // 25)
    assert page.count("<th>Họ và tên / Tập thể</th>") == -(-rows // 25)  # every table, a header
    assert _numbers(page) == list(range(1, rows + 1))  # one numbering across the tables
    assert page.index("Phụ lục") > page.index("Danh sách chi tiết tại Phụ lục")

    pdf = html_to_pdf(page)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # the report: portrait
    assert reader.pages[-1].mediabox.width == pytest.approx(841.9, abs=1)  # the annex: landscape
    text = pdf_text(pdf, tmp_path)
    assert f"Nguyễn Thị Ánh {rows:04d}" in text and "DANH SÁCH CÁ NHÂN, TẬP THỂ" in text
