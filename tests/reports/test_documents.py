"""Every generated document opened with its own library: the figures equal the database's,
names keep their diacritics, sổ vàng numbers run 1, 2, 3 … and the package's checksums hold."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from tests.reports.conftest import DECISION_DAY, DECISION_NO, NAMES, Scene, first_page_png, pdf_text

from awardflow.db.models import DecisionItem, Nomination
from awardflow.errors import Conflict, InvalidInput
from awardflow.services import decisions, documents, packages


def _state_counts(scene: Scene) -> dict[str, int]:
    with scene.world.db.read() as s:
        rows = s.execute(select(Nomination.state, func.count()).group_by(Nomination.state))
        return {state.value: n for state, n in rows}


def test_summary_pdf_html_xlsx_match_the_database(
    scene: Scene, tmp_path: Path, artifacts: Path
) -> None:
    counts = _state_counts(scene)
    with scene.world.db.read() as s:
        pdf = documents.summary_document(s, scene.summary_id, "pdf")
        html = documents.summary_document(s, scene.summary_id, "html").decode()
        book = documents.summary_document(s, scene.summary_id, "xlsx")
    text = pdf_text(pdf, tmp_path)
    assert PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width == pytest.approx(595.3, abs=1)
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"):
        assert words in text
    assert "Điện Biên, ngày 30 tháng 12 năm 2026" in text
    for name in ("Vương Thị Ngọc Ánh", "Đặng Quốc Việt", "Nguyễn Thị Lan"):
        assert name in text and name in html
    assert f"Tổng cộng {sum(counts.values())}" in text
    assert "<svg" in html and "Phễu hồ sơ" in html
    wb = openpyxl.load_workbook(io.BytesIO(book))
    states = wb["Theo trạng thái"]
    assert states.freeze_panes == "A2"
    assert {r[1]: r[2] for r in states.iter_rows(min_row=2, values_only=True)} == counts
    awarded = list(wb["Được khen thưởng"].iter_rows(min_row=2, values_only=True))
    assert len(awarded) == counts["awarded"] == 3
    assert {r[1] for r in awarded} == {"Vương Thị Ngọc Ánh", "Đặng Quốc Việt", "Nguyễn Thị Lan"}
    assert {r[5].date() for r in awarded} >= {DECISION_DAY}  # dates are dates, not text
    assert wb["Thông tin"]["B7"].value == sum(counts.values())
    first_page_png(pdf, artifacts, "summary")


def test_review_report_keeps_the_offices_narrative(scene: Scene, tmp_path: Path) -> None:
    with scene.world.db.write() as s:
        stored = documents.set_narrative(
            s, scene.summary_id, "lessons", "Phát huy vai trò người đứng đầu đơn vị."
        )
        stored.data = {**stored.data, "review": "Sơ kết"}
        with pytest.raises(InvalidInput):
            documents.set_narrative(s, scene.summary_id, "nonsense", "x")
    with scene.world.db.read() as s:
        text = pdf_text(documents.summary_document(s, scene.summary_id, "pdf"), tmp_path)
    assert "Phát huy vai trò người đứng đầu đơn vị." in text
    for heading in (
        "CÔNG TÁC TỔ CHỨC TRIỂN KHAI",
        "GƯƠNG ĐIỂN HÌNH TIÊN TIẾN",
        "BÀI HỌC KINH NGHIỆM",
    ):
        assert heading in text
    assert "Thường trực Hội đồng Thi đua - Khen thưởng bổ sung" in text  # sections left to write


def test_council_minutes_pdf_and_docx_carry_the_tallies(
    scene: Scene, tmp_path: Path, artifacts: Path
) -> None:
    with scene.world.db.read() as s:
        pdf = documents.minutes_document(s, scene.council_id, "pdf")
        raw = documents.minutes_document(s, scene.council_id, "docx")
    text = pdf_text(pdf, tmp_path)
    assert "BIÊN BẢN" in text and "Lường Thị Út" in text and "Không đạt" in text
    doc = docx.Document(io.BytesIO(raw))
    ballots = doc.tables[-2]
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in ballots.rows[1:]}
    assert rows["Lường Thị Út"][3:7] == ["1", "1", "1", "3"]  # agree, disagree, abstain, needed
    assert rows["Vương Thị Ngọc Ánh"][3] == "4"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in doc.tables[0].rows[0].cells[1].text
    first_page_png(pdf, artifacts, "minutes")


def test_package_zip_has_every_document_and_true_checksums(
    scene: Scene, tmp_path: Path, artifacts: Path
) -> None:
    steps: list[str] = []
    with scene.world.db.read() as s:
        blob = packages.build_package(s, scene.submission_id, progress=steps.append)
    zf = zipfile.ZipFile(io.BytesIO(blob))
    manifest = json.loads(zf.read("manifest.json"))
    assert [i["nominee"] for i in manifest["items"]] == ["Nguyễn Thị Lan", "Trần Văn Minh"]
    names = {f["name"] for f in manifest["files"]}
    assert set(zf.namelist()) == names | {"manifest.json"}
    for f in manifest["files"]:
        data = zf.read(f["name"])
        assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["size"]
    letter = docx.Document(io.BytesIO(zf.read("01-to-trinh.docx")))
    body = "\n".join(p.text for p in letter.paragraphs)
    assert "TỜ TRÌNH" in body and "Kính gửi: Sở Nội vụ tỉnh" in body
    assert "2 cá nhân và 0 tập thể" in body
    listing = openpyxl.load_workbook(io.BytesIO(zf.read("02-danh-sach-de-nghi.xlsx"))).active
    header = [c.value for c in listing[3]]
    assert header == [
        "TT",
        "Họ và tên / Tập thể",
        "Chức vụ và đơn vị",
        "Hình thức khen thưởng",
        "Tóm tắt thành tích",
    ]
    assert listing["C4"].value == "Giáo viên Tin học, Trường THPT Chuyên Lê Quý Đôn"
    assert listing.freeze_panes == "A4"
    report = pdf_text(zf.read("04-bao-cao-thanh-tich/001-nguyen-thi-lan.pdf"), tmp_path)
    assert "BÁO CÁO THÀNH TÍCH" in report and "Giáo viên Tin học" in report
    assert "Chiến sĩ thi đua cơ sở" in report  # her earlier awards
    assert "Lường Thị Út" in pdf_text(zf.read("03-bien-ban-hop-hoi-dong-1.pdf"), tmp_path)
    assert steps[-1] == "Trần Văn Minh"
    for name, png in (
        ("01-to-trinh.pdf", "cover_letter"),
        ("02-danh-sach-de-nghi.pdf", "nominee_list"),
        ("04-bao-cao-thanh-tich/001-nguyen-thi-lan.pdf", "achievement_report"),
    ):
        first_page_png(zf.read(name), artifacts, png)


def test_decision_and_certificates_number_the_recipients(
    scene: Scene, tmp_path: Path, artifacts: Path
) -> None:
    with scene.world.db.read() as s:
        orders = s.execute(
            select(DecisionItem.order_no).where(DecisionItem.decision_id == scene.decision_id)
        ).scalars()
        assert sorted(orders) == [1, 2]
        decision = decisions.decision_pdf(s, scene.decision_id)
        certs = decisions.certificates_pdf(s, scene.decision_id)
    text = pdf_text(decision, tmp_path)
    assert f"Số: {DECISION_NO}" in text and "Điện Biên, ngày 20 tháng 12 năm 2026" in text
    assert "QUYẾT ĐỊNH" in text and "GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO" in text
    reader = PdfReader(io.BytesIO(certs))
    assert len(reader.pages) == 2
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    for page_no, name in ((1, "Vương Thị Ngọc Ánh"), (2, "Đặng Quốc Việt")):
        page = " ".join(reader.pages[page_no - 1].extract_text().split())
        assert name in page and f"Số sổ vàng: {page_no}" in page and "TẶNG" in page
        assert f"Quyết định số: {DECISION_NO}, ngày 20/12/2026" in page
    first_page_png(decision, artifacts, "decision")
    first_page_png(certs, artifacts, "certificate")


def test_issue_decision_is_idempotent_and_guarded(scene: Scene) -> None:
    ids = scene.ids
    with scene.world.db.write() as s:
        again = decisions.issue_decision(
            s, issuer_unit_id=scene.world["so"], number=DECISION_NO, day=DECISION_DAY
        )
        assert again.id == scene.decision_id
        with pytest.raises(InvalidInput):  # not awarded under this number
            decisions.issue_decision(
                s,
                issuer_unit_id=scene.world["so"],
                number=DECISION_NO,
                day=DECISION_DAY,
                nomination_ids=[ids["minh"]],
            )
        with pytest.raises(Conflict):  # already in decision 123
            decisions.issue_decision(
                s,
                issuer_unit_id=scene.world["snv"],
                number=DECISION_NO,
                day=DECISION_DAY,
                nomination_ids=[ids["anh"]],
            )
        s.rollback()
    with scene.world.db.read() as s:
        assert s.scalar(select(func.count()).select_from(DecisionItem)) == 2
    assert NAMES["p-anh"][0] == "Vương Thị Ngọc Ánh"
