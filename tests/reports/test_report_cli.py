"""``awardflow report summary`` writes the stored summary in each format; a wrong id or format
is a clear error with exit code 1 or 2, not a traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

from openpyxl import load_workbook
from tests.support.cli import invoke
from tests.support.world import NOW, build_world

from awardflow.db.session import Database
from awardflow.services import summaries
from awardflow.services.context import ServiceContext


def test_report_summary_formats(cli_db: Database, ctx: ServiceContext, tmp_path: Path) -> None:
    world = build_world(cli_db)
    with cli_db.write() as s:
        sid = summaries.close_round(s, ctx, world["round"], now=NOW).id
    for fmt in ("html", "pdf", "xlsx"):
        out = tmp_path / f"summary.{fmt}"
        code, output = invoke("report", "summary", str(sid), "--format", fmt, "--out", str(out))
        assert code == 0, output
        assert out.stat().st_size > 0
    assert "Tổng hợp kết quả" in (tmp_path / "summary.html").read_text(encoding="utf-8")
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "summary.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert load_workbook(tmp_path / "summary.xlsx", read_only=True).sheetnames
    code, output = invoke("report", "summary", "999", "--out", str(tmp_path / "x.pdf"))
    assert code != 0
    assert "Traceback" not in output
