"""DOCX documents through docxtpl: the templates are built once, in code, with python-docx (a
small, reviewable description instead of a binary file), then filled like any Jinja template."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.table import _Cell
from docxtpl import DocxTemplate

from awardflow.reports.official import MOTTO, MOTTO_SUB

FONT = "Times New Roman"
CENTER = WD_ALIGN_PARAGRAPH.CENTER


def _document() -> DocumentObject:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    return doc


def _para(
    container: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    align: Any = None,
    size: int | None = None,
) -> None:
    blank = isinstance(container, _Cell) and [q.text for q in container.paragraphs] == [""]
    p = container.paragraphs[0] if blank else container.add_paragraph()
    run = p.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    if align is not None:
        p.alignment = align


def _header(doc: DocumentObject) -> None:
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(65), Mm(100)
    _para(left, "{{ lh_parent }}", align=CENTER, size=12)
    _para(left, "{{ lh_body }}", bold=True, align=CENTER, size=12)
    _para(left, "{{ number_line }}", align=CENTER)
    _para(right, MOTTO, bold=True, align=CENTER, size=12)
    _para(right, MOTTO_SUB, bold=True, align=CENTER)
    _para(right, "{{ dateline }}", italic=True, align=CENTER)


def _paragraphs(doc: DocumentObject, name: str) -> None:
    doc.add_paragraph("{%p for para in " + name + " %}")
    p = doc.add_paragraph("{{ para }}")
    p.paragraph_format.first_line_indent = Mm(10)
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    doc.add_paragraph("{%p endfor %}")


def _grid(doc: DocumentObject, name: str, headers: list[str], fields: list[str]) -> None:
    """A bordered table: a header row, then one row per item of ``name`` (docxtpl ``{%tr %}``)."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        cell.paragraphs[0].alignment = CENTER
    table.rows[1].cells[0].text = "{%tr for r in " + name + " %}"
    for cell, field in zip(table.rows[2].cells, fields, strict=True):
        cell.text = "{{ r." + field + " }}"
    table.rows[3].cells[0].text = "{%tr endfor %}"


def _signatures(doc: DocumentObject, left: bool) -> None:
    table = doc.add_table(rows=1, cols=2)
    to, by = table.rows[0].cells
    if left:
        _para(to, "Nơi nhận:", bold=True, italic=True, size=12)
        to.add_paragraph("{%p for r in recipients %}")
        _para(to, "- {{ r }};", size=11)
        to.add_paragraph("{%p endfor %}")
    else:
        _para(to, "{{ left_title }}", bold=True, align=CENTER)
        _para(to, "\n\n\n{{ left_name }}", bold=True, align=CENTER)
    _para(by, "{{ signer_title }}", bold=True, align=CENTER)
    _para(by, "(Ký, ghi rõ họ tên, đóng dấu)", italic=True, align=CENTER, size=11)
    _para(by, "\n\n\n{{ signer_name }}", bold=True, align=CENTER)


def _cover_letter() -> DocumentObject:
    doc = _document()
    _header(doc)
    _para(doc, "TỜ TRÌNH", bold=True, align=CENTER, size=14)
    _para(doc, "{{ subject }}", bold=True, align=CENTER)
    _para(doc, "Kính gửi: {{ recipient }}", align=CENTER)
    _paragraphs(doc, "paragraphs")
    _grid(
        doc,
        "rows",
        ["TT", "Hình thức khen thưởng", "Cá nhân", "Tập thể"],
        ["order", "award", "individual", "collective"],
    )
    _paragraphs(doc, "closing")
    _signatures(doc, left=True)
    return doc


def _minutes() -> DocumentObject:
    doc = _document()
    _header(doc)
    _para(doc, "BIÊN BẢN", bold=True, align=CENTER, size=14)
    _para(doc, "{{ subject }}", bold=True, align=CENTER)
    _paragraphs(doc, "opening")
    _para(doc, "Thành viên Hội đồng:", bold=True)
    _grid(
        doc,
        "members",
        ["TT", "Họ và tên", "Chức danh", "Dự họp"],
        ["order", "name", "seat", "present"],
    )
    _paragraphs(doc, "attendance")
    _para(doc, "Kết quả bỏ phiếu kín:", bold=True)
    _grid(
        doc,
        "items",
        [
            "TT",
            "Họ và tên / Tập thể",
            "Hình thức",
            "Đồng ý",
            "Không đồng ý",
            "Không biểu quyết",
            "Cần đạt",
            "Kết quả",
        ],
        ["order", "nominee", "award", "agree", "disagree", "abstain", "required", "outcome"],
    )
    _paragraphs(doc, "closing")
    _signatures(doc, left=False)
    return doc


_BUILDERS: dict[str, Callable[[], DocumentObject]] = {
    "cover_letter": _cover_letter,
    "minutes": _minutes,
}


@cache
def template_bytes(kind: str) -> bytes:
    out = io.BytesIO()
    _BUILDERS[kind]().save(out)
    return out.getvalue()


def render_docx(kind: str, context: dict[str, Any]) -> bytes:
    """Fill the ``kind`` template (cover_letter | minutes) with ``context``."""
    tpl = DocxTemplate(io.BytesIO(template_bytes(kind)))
    tpl.render(context, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()
