"""Reports in real Chromium on the demo: a closed round's and a closed phase's summaries are
listed for the director, shown as a page, and download as PDF and XLSX from the API's
renderers; another campaign's director and a unit clerk cannot read them."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select
from tests.web.support import LiveServer

from awardflow.db.models import Campaign, CampaignPhase, Round
from awardflow.services import summaries
from awardflow.services.context import ServiceContext

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def closed(live: LiveServer) -> dict[str, Any]:
    """The Điện Biên campaign's 2026 round and first phase, closed by the summaries service."""
    ctx = ServiceContext.from_settings(live.settings)
    with live.db.write() as s:
        camp = s.execute(
            select(Campaign).where(Campaign.code == "dien-bien-gddt-dmst-2026")
        ).scalar_one()
        rnd = s.execute(
            select(Round).where(Round.campaign_id == camp.id, Round.code == "annual-2026")
        ).scalar_one()
        phase = s.execute(
            select(CampaignPhase).where(
                CampaignPhase.campaign_id == camp.id, CampaignPhase.code == "gd1"
            )
        ).scalar_one()
        by_round = summaries.close_round(s, ctx, rnd.id)
        by_phase = summaries.close_phase(s, ctx, phase.id)
        return {
            "round": (by_round.id, by_round.title, by_round.data),
            "phase": (by_phase.id, by_phase.title),
        }


def test_director_reads_summaries_and_downloads_pdf_and_xlsx(
    page: Page, login_as: Callable[..., Any], closed: dict[str, Any], shot: Callable[..., Any]
) -> None:
    round_id, round_title, data = closed["round"]
    login_as("director")
    page.click("nav.main-nav a:text-is('Báo cáo')")
    expect(page.locator("h1")).to_have_text("Báo cáo sơ kết, tổng kết")
    rows = page.locator("#summaries tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(f"#summary-{closed['phase'][0]}")).to_contain_text("Sơ kết")
    shot(page, "reports-list")

    with page.expect_navigation():
        page.click(f"#summary-{round_id} a:text-is('{round_title}')")
    expect(page.locator("h1")).to_have_text(round_title)
    expect(page.locator("#summary-total")).to_have_text(str(data["total"]))
    awarded = data["by_state"].get("awarded", 0)
    row = page.locator("#by-state tr:has([data-state=awarded])")
    expect(row).to_have_text(f"Được khen thưởng {awarded}")
    shot(page, "reports-summary", full_page=True)

    pdf = page.request.get(page.locator("a", has_text="Tải PDF").get_attribute("href") or "")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF") and len(pdf.body()) > 5000
    xlsx = page.request.get(page.locator("a", has_text="Tải XLSX").get_attribute("href") or "")
    assert xlsx.headers["content-type"] == XLSX
    assert load_workbook(io.BytesIO(xlsx.body()), read_only=True).sheetnames
    html = page.request.get(f"/reports/{round_id}/report.html")
    assert html.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in html.headers["content-security-policy"]
    assert round_title in html.text()


def test_summaries_of_other_campaigns_are_not_shown(
    page: Page, login_as: Callable[..., Any], closed: dict[str, Any]
) -> None:
    round_id = closed["round"][0]
    login_as("clerk")
    page.goto("/reports")
    expect(page.locator("h1")).to_have_text("Không được phép")
    page.context.clear_cookies()
    login_as("director", "hanoi")
    page.goto("/reports")
    expect(page.locator(".empty")).to_contain_text("Chưa có báo cáo nào")
    assert page.request.get(f"/reports/{round_id}/report.pdf").status == 404
    page.goto(f"/reports/{round_id}")
    expect(page.locator("h1")).to_have_text("Không tìm thấy")
