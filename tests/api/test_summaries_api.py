"""Round summaries over the API in every format, from the same renderers as the CLI."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from pypdf import PdfReader
from tests.api.conftest import Auth
from tests.api.testclient import TestClient
from tests.support.world import NOW, World

from awardflow.services import summaries
from awardflow.services.context import ServiceContext


def test_summary_in_json_html_pdf_and_xlsx(
    client: TestClient, auth: Auth, api_world: World, ctx: ServiceContext
) -> None:
    with api_world.db.write() as s:
        sid = summaries.close_round(s, ctx, api_world["round"], now=NOW).id
    headers = auth("supervisor")
    as_json = client.get(f"/api/summaries/{sid}", headers=headers)
    assert as_json.status_code == 200
    assert as_json.json()["title"].startswith("Tổng hợp kết quả")
    page = client.get(f"/api/summaries/{sid}?format=html", headers=headers)
    assert "text/html" in page.headers["content-type"]
    pdf = client.get(f"/api/summaries/{sid}?format=pdf", headers=headers)
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    xlsx = client.get(f"/api/summaries/{sid}?format=xlsx", headers=headers)
    assert load_workbook(io.BytesIO(xlsx.content), read_only=True).sheetnames
    assert client.get(f"/api/summaries/{sid}?format=pdf", headers=auth("head_a")).status_code in (
        403,
        404,
    )
