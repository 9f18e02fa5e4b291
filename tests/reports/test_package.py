"""The submission package's achievement reports are laid out together and written one PDF per
nominee: each PDF is that nominee's report and nobody else's, reads exactly like the report
rendered alone (page numbers restart), and the package has the same bytes when built again."""

from __future__ import annotations

import gc
import io
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import update
from tests.integration.test_council import MEMBERS, session_with, vote
from tests.reports.conftest import pdf_text
from tests.support.world import (
    NOW,
    World,
    add_bang_khen_record,
    add_evidence,
    new_draft,
    new_person,
)

from awardflow.db.models import Award, Person
from awardflow.reports.html import render
from awardflow.reports.pdf import html_to_pdf, html_to_pdfs
from awardflow.services import council as council_svc
from awardflow.services import nominations, packages
from awardflow.services import submissions as submissions_svc
from awardflow.services.context import ServiceContext
from awardflow.services.transitions import transition

#: Four nominees, no name inside another; Việt's report runs over several pages.
NOMINEES = {
    "pk-lan": "Nguyễn Thị Lan",
    "pk-viet": "Đặng Quốc Việt",
    "pk-anh": "Vương Thị Ngọc Ánh",
    "pk-minh": "Trần Văn Minh",
}
LONG = "pk-viet"
PARAGRAPHS = 45
REPORTS = "04-bao-cao-thanh-tich/"


def _paragraph(i: int) -> str:
    return (
        f"Đoạn {i:02d}: chủ trì đề tài ứng dụng công nghệ số trong dạy học, bồi dưỡng học sinh "
        "giỏi đạt giải cấp tỉnh, được đồng nghiệp và phụ huynh ghi nhận, tích cực tham gia các "
        "phong trào thi đua của ngành."
    )


def _proposed(w: World, ctx: ServiceContext, code: str, achievement: str | None) -> int:
    """A Bằng khen dossier of ``code`` carried to the council (the unit edits its draft first)."""
    with w.db.write() as s:
        nom_id = new_draft(s, w, ctx, w[code], award="bang_khen_tinh")
        if achievement:
            nominations.edit(s, ctx, nom_id, w.actor("clerk_a"), {"achievement": achievement})
        add_evidence(s, nom_id)
        transition(s, ctx, nom_id, "propose", w.actor("head_a"), now=NOW)
        transition(s, ctx, nom_id, "claim", w.actor("appraiser1"), now=NOW)
        for criterion in ("ca_nhan_1", "ca_nhan_2"):
            nominations.record_criterion(
                s, ctx, nom_id, w.actor("appraiser1"), criterion, True, now=NOW
            )
        transition(s, ctx, nom_id, "recommend", w.actor("appraiser1"), comment="Đạt", now=NOW)
        return nom_id


@pytest.fixture
def submission(sqlite_world: World, ctx: ServiceContext) -> tuple[World, int]:
    w = sqlite_world
    with w.db.write() as s:
        # four staff of one school: lift the world's quota of two Bằng khen per unit
        s.execute(update(Award).where(Award.id == w["bang_khen_tinh"]).values(quota_per_unit=None))
        for code, name in NOMINEES.items():
            person = s.get(Person, new_person(s, w, code))
            assert person is not None
            person.full_name, person.position, person.birth_year = name, "Giáo viên", 1985
            add_bang_khen_record(s, person.id)  # the record the report lists
    long_text = "\n".join(_paragraph(i) for i in range(PARAGRAPHS))
    ids = [_proposed(w, ctx, code, long_text if code == LONG else None) for code in NOMINEES]
    sid, _ = session_with(w, ctx, present=MEMBERS[:4])
    for nid in ids:
        vote(w, ctx, sid, nid, dict.fromkeys(MEMBERS[:4], "agree"))
    with w.db.write() as s:
        council_svc.close_session(s, ctx, w.actor("secretary"), sid, now=NOW)
        sub = submissions_svc.prepare_submission(
            s, ctx, round_id=w["round"], authority_unit_id=w["snv"], now=NOW
        )
        assert sub is not None
        return w, sub.id


def _page_texts(pdf: bytes, tmp: Path) -> list[str]:
    path = tmp / "report.pdf"
    path.write_bytes(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        for n in range(1, pages + 1)
    ]


def _footer(page: str) -> str:
    """The page's last non-blank line (where the page number sits)."""
    return [line for line in page.splitlines() if line.strip()][-1].strip()


def test_one_achievement_pdf_per_nominee_reading_as_if_rendered_alone(
    submission: tuple[World, int], tmp_path: Path
) -> None:
    w, sub_id = submission
    with w.db.read() as s:
        blob = packages.build_package(s, sub_id)
        ctx = packages.package_context(s, sub_id)
        alone = {
            row["nominee"]: html_to_pdf(
                render(
                    "achievement_report.html",
                    lh=ctx["lh"],
                    reports=[packages.achievement_context(s, row, ctx["round"].year)],
                    part_ids=["report-0"],
                )
            )
            for row in ctx["rows"]
        }
    zf = zipfile.ZipFile(io.BytesIO(blob))
    reports = sorted(n for n in zf.namelist() if n.startswith(REPORTS))
    assert len(reports) == len(NOMINEES) == len(alone)
    by_name = {}
    for member in reports:
        text = pdf_text(zf.read(member), tmp_path)
        inside = [name for name in NOMINEES.values() if name in text]
        assert len(inside) == 1, (member, inside)  # its nominee, and no other nominee
        by_name[inside[0]] = member
    assert set(by_name) == set(NOMINEES.values())
    for name, member in by_name.items():
        pdf = zf.read(member)
        assert member.endswith(f"-{packages.slug(name)}.pdf")
        assert _page_texts(pdf, tmp_path) == _page_texts(alone[name], tmp_path), name
    long_pages = _page_texts(zf.read(by_name[NOMINEES[LONG]]), tmp_path)
    assert len(long_pages) >= 3
    # a report's first page carries no number and the next ones count 2, 3 … within the report
    assert not _footer(long_pages[0]).isdigit()
    assert [_footer(p) for p in long_pages[1:]] == [str(n) for n in range(2, len(long_pages) + 1)]
    text = pdf_text(zf.read(by_name[NOMINEES[LONG]]), tmp_path)
    assert all(f"Đoạn {i:02d}:" in text for i in range(PARAGRAPHS))
    for name, member in by_name.items():
        if name != NOMINEES[LONG]:
            assert len(PdfReader(io.BytesIO(zf.read(member))).pages) == 1


def test_package_has_the_same_bytes_when_built_again(submission: tuple[World, int]) -> None:
    w, sub_id = submission
    with w.db.read() as s:
        first = packages.build_package(s, sub_id)
    # a day later: nothing in the package may carry the time it was built
    later = datetime(2027, 3, 4, 5, 6, 7, tzinfo=UTC)
    with time_machine.travel(later, tick=False), w.db.read() as s:
        again = packages.build_package(s, sub_id)
    assert again == first
    members = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert {n.rsplit(".", 1)[-1] for n in members} >= {"docx", "xlsx", "pdf", "json"}


def test_parts_of_one_layout_split_at_their_first_pages(tmp_path: Path) -> None:
    style = "<style>@page { size: A5 } section { break-before: page }</style>"
    parts = ["một", "hai", "ba"]
    filler = "<p>dòng tiếp theo</p>" * 60  # the second part runs over pages
    body = "".join(
        f'<section id="p-{i}"><p>{word}</p>{filler if i == 1 else ""}</section>'
        for i, word in enumerate(parts)
    )
    html = f"<html><head>{style}</head><body>{body}</body></html>"
    pdfs = html_to_pdfs(html, ["p-0", "p-1", "p-2"])
    assert [pdf_text(p, tmp_path).split()[0] for p in pdfs] == parts
    readers = [PdfReader(io.BytesIO(p)) for p in pdfs]
    assert [len(r.pages) > 1 for r in readers] == [False, True, False]
    assert all(not r.named_destinations for r in readers)  # the markers are not left behind
    assert html_to_pdfs("<p>x</p>", []) == []
    with pytest.raises(ValueError, match="p-9"):
        html_to_pdfs(html, ["p-0", "p-9"])
    with pytest.raises(ValueError, match="order"):
        html_to_pdfs(html, ["p-1", "p-0"])
    assert gc.isenabled()  # the collector paused during a render runs again, even after an error
