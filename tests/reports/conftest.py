"""A round carried to its end for the documents: council minutes, a director's decision with two
recipients, a submission of two Bằng khen nominations (one conferred), and the round summary.
Also helpers to read PDFs back (pdftotext keeps the diacritics) and to render first pages."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.integration.test_council import MEMBERS, appraised, session_with, vote
from tests.support.world import NOW, World, new_person

from awardflow.db.models import CampaignVersion, Person
from awardflow.services import council as council_svc
from awardflow.services import submissions as submissions_svc
from awardflow.services import summaries as summaries_svc
from awardflow.services.context import ServiceContext
from awardflow.services.decisions import issue_decision
from awardflow.services.transitions import transition

CLOSE = datetime(2026, 12, 30, 3, tzinfo=UTC)
DECISION_NO = "123/QĐ-SGDĐT"
DECISION_DAY = date(2026, 12, 20)
NAMES = {
    "p-lan": ("Nguyễn Thị Lan", "Giáo viên Tin học", "female"),
    "p-minh": ("Trần Văn Minh", "Tổ trưởng tổ Toán", "male"),
    "p-anh": ("Vương Thị Ngọc Ánh", "Phó Hiệu trưởng", "female"),
    "p-viet": ("Đặng Quốc Việt", "Giáo viên Ngữ văn", "male"),
    "p-ut": ("Lường Thị Út", "Nhân viên thư viện", "female"),
}
DEFINITION = {
    "plan": {"dateline": "Điện Biên, ngày tháng năm 2026"},
    "legal_basis": ["Luật Thi đua, khen thưởng số 06/2022/QH15"],
    "offices": {"council": {"name": "Hội đồng Thi đua - Khen thưởng Sở Giáo dục và Đào tạo"}},
}


@dataclass
class Scene:
    world: World
    ids: dict[str, int]
    council_id: int
    submission_id: int
    decision_id: int
    summary_id: int


def _people(w: World) -> None:
    with w.db.write() as s:
        for code in ("p-anh", "p-viet", "p-ut"):
            new_person(s, w, code)
        for code, (name, position, gender) in NAMES.items():
            p = s.get(Person, w[code])
            assert p is not None
            p.full_name, p.position, p.gender, p.birth_year = name, position, gender, 1984
        version = s.execute(select(CampaignVersion)).scalar_one()
        version.definition = {**version.definition, **DEFINITION}


def build_scene(w: World, ctx: ServiceContext) -> Scene:
    _people(w)
    ids = {
        "lan": appraised(w, ctx, "p-lan", "bang_khen_tinh"),
        "minh": appraised(w, ctx, "p-minh", "bang_khen_tinh"),
        "anh": appraised(w, ctx, "p-anh"),
        "viet": appraised(w, ctx, "p-viet"),
        "ut": appraised(w, ctx, "p-ut"),
    }
    sid, _ = session_with(w, ctx, present=MEMBERS[:4])
    for key in ("lan", "minh", "anh", "viet"):
        vote(w, ctx, sid, ids[key], dict.fromkeys(MEMBERS[:4], "agree"))
    vote(w, ctx, sid, ids["ut"], {"member1": "agree", "member2": "disagree", "member3": "abstain"})
    decided = {"decision_number": DECISION_NO, "decision_date": DECISION_DAY.isoformat()}
    with w.db.write() as s:
        council_svc.close_session(s, ctx, w.actor("secretary"), sid, now=NOW)
        for key in ("viet", "anh"):
            transition(s, ctx, ids[key], "decide", w.actor("director"), data=decided, now=NOW)
        sub = submissions_svc.prepare_submission(
            s, ctx, round_id=w["round"], authority_unit_id=w["snv"], now=NOW
        )
        assert sub is not None
        conferred = {"decision_number": "88/QĐ-UBND", "decision_date": "2026-12-28"}
        transition(s, ctx, ids["lan"], "confer", w.actor("authority"), data=conferred, now=NOW)
        decision = issue_decision(
            s,
            issuer_unit_id=w["so"],
            number=DECISION_NO,
            day=DECISION_DAY,
            nomination_ids=[ids["anh"], ids["viet"]],
            title="Về việc tặng Giấy khen cho cá nhân có thành tích trong năm học 2025–2026",
        )
        summary = summaries_svc.close_round(s, ctx, w["round"], now=CLOSE)
        return Scene(w, ids, sid, sub.id, decision.id, summary.id)


@pytest.fixture
def scene(sqlite_world: World, ctx: ServiceContext) -> Scene:
    return build_scene(sqlite_world, ctx)


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where documents and their first-page PNGs go; AWARDFLOW_DOC_ARTIFACTS keeps them."""
    kept = os.environ.get("AWARDFLOW_DOC_ARTIFACTS")
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        return Path(kept)
    return tmp_path_factory.mktemp("documents")


def pdf_text(pdf: bytes, tmp: Path) -> str:
    """The PDF's text as pdftotext extracts it (a real reader, so diacritics are checked)."""
    path = tmp / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return " ".join(out.stdout.split())


def first_page_png(pdf: bytes, artifacts: Path, name: str) -> Path:
    """Render page 1 at 50 dpi (the visual check); the PNG must exist and not be blank."""
    path = artifacts / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(path),
            str(artifacts / name),
        ],
        check=True,
    )
    png = artifacts / f"{name}.png"
    assert png.stat().st_size > 2000
    return png


def has_tool(name: str) -> bool:
    return shutil.which(name) is not None
