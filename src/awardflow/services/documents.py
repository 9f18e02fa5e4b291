"""Official documents of summaries and council sessions, and the letterhead they share.

Read-only except :func:`set_narrative`, which stores the standing office's text of a sơ kết /
tổng kết report; every later render of that summary (HTML, PDF) includes it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import TZ, local_date
from awardflow.db.models.campaign import Summary
from awardflow.db.repositories import documents as repo
from awardflow.errors import InvalidInput, NotFound
from awardflow.reports.docx import render_docx
from awardflow.reports.html import NARRATIVE_SECTIONS, render, render_summary
from awardflow.reports.official import Letterhead, head_title, place_of
from awardflow.reports.pdf import html_to_pdf
from awardflow.reports.xlsx import summary_workbook
from awardflow.states.lifecycle import Role

SummaryFormat = Literal["html", "pdf", "xlsx"]
DocFormat = Literal["pdf", "docx"]
SEATS_VI = {
    "chair": "Chủ tịch Hội đồng",
    "vice_chair": "Phó Chủ tịch Hội đồng",
    "member": "Ủy viên",
    "secretary": "Thư ký",
}
OUTCOME_VI = {
    "passed": "Đạt",
    "failed": "Không đạt",
    "postponed": "Hoãn xét",
    "over_quota": "Đạt số phiếu nhưng vượt chỉ tiêu",
}


def letterhead(
    session: Session,
    unit_id: int,
    *,
    campaign_id: int | None = None,
    number: str = "",
    day: date | None = None,
    signer_title: str | None = None,
    signer_name: str | None = None,
    recipients: Sequence[str] = (),
) -> Letterhead:
    """The heading and signature block of a document the unit issues."""
    unit = repo.unit(session, unit_id)
    if unit is None:
        raise NotFound("Không có đơn vị này.", "No such unit.", field="unit_id")
    definition = repo.definition(session, campaign_id) if campaign_id else {}
    title = signer_title or head_title(unit.name)
    if signer_name is None:
        signer_name = repo.signer_name(session, unit.path, Role.DIRECTOR) or repo.signer_name(
            session, unit.path, Role.AUTHORITY
        )
    return Letterhead(
        body=unit.name,
        parent=unit.parent.name if unit.parent else "",
        place=place_of(definition, unit.name),
        signer_title=title.upper(),
        signer_name=signer_name,
        number=number,
        day=day,
        extra={"recipients": list(recipients), "definition": definition},
    )


def docx_context(kind: str, context: dict[str, Any]) -> dict[str, Any]:
    """The flat names the DOCX templates use for the letterhead ``context["lh"]``."""
    lh: Letterhead = context["lh"]
    return {
        "lh_parent": lh.parent.upper(),
        "lh_body": lh.body.upper(),
        "number_line": lh.number_line(kind),
        "dateline": lh.dateline,
        "signer_title": lh.signer_title,
        "signer_name": lh.signer_name,
        "recipients": lh.extra.get("recipients", []),
        **context,
    }


def local_time(moment: datetime | str | None) -> str:
    if moment is None:
        return ""
    m = moment if isinstance(moment, datetime) else datetime.fromisoformat(moment)
    m = m.replace(tzinfo=UTC) if m.utcoffset() is None else m
    local = m.astimezone(TZ)
    day = f"{local.day:02d}/{local.month:02d}/{local.year}"
    return f"{local.hour:02d} giờ {local.minute:02d}, ngày {day}"


# --- summaries ------------------------------------------------------------------------------


def _summary(session: Session, summary_id: int) -> Summary:
    found = repo.summary(session, summary_id)
    if found is None:
        raise NotFound("Không có bản tổng hợp này.", "No such summary.", field="summary_id")
    return found


def summary_document(session: Session, summary_id: int, fmt: SummaryFormat) -> bytes:
    """The stored summary as a web page, a PDF report or an XLSX workbook (same figures)."""
    summary = _summary(session, summary_id)
    if fmt == "xlsx":
        return summary_workbook(summary.data)
    campaign = repo.campaign(session, summary.campaign_id)
    assert campaign is not None
    lh = letterhead(
        session,
        campaign.organiser_unit_id,
        campaign_id=campaign.id,
        day=local_date(summary.created_at),
        recipients=["Sở Nội vụ (Ban Thi đua - Khen thưởng)", "Lãnh đạo Sở", "Lưu: VT"],
    )
    html = render_summary(summary.data, summary.narrative, lh)
    return html.encode() if fmt == "html" else html_to_pdf(html)


def set_narrative(session: Session, summary_id: int, section: str, text: str) -> Summary:
    """Store one narrative section of a report and refresh the stored page with it."""
    if section not in NARRATIVE_SECTIONS:
        raise InvalidInput(
            f"Mục không hợp lệ; chọn một trong: {', '.join(NARRATIVE_SECTIONS)}.",
            f"Unknown section; use one of: {', '.join(NARRATIVE_SECTIONS)}.",
            field="section",
        )
    summary = _summary(session, summary_id)
    narrative = dict(summary.narrative or {})
    narrative[section] = text.strip()
    summary.narrative = narrative  # a new dict, so the JSON column is seen as changed
    summary.html = render_summary(summary.data, narrative)
    session.flush()
    return summary


# --- council minutes ------------------------------------------------------------------------


def minutes_context(session: Session, session_id: int) -> dict[str, Any]:
    council = repo.council_session(session, session_id)
    if council is None or not council.minutes:
        raise NotFound(
            "Không có biên bản của phiên họp này (phiên họp chưa kết thúc).",
            "No minutes for this session (it has not closed).",
            field="session_id",
        )
    minutes = council.minutes
    rnd = repo.round_(session, council.round_id)
    assert rnd is not None
    campaign = repo.campaign(session, rnd.campaign_id)
    assert campaign is not None
    written = {a["user_id"] for a in minutes.get("attendance", []) if a.get("written_vote")}
    members = repo.member_rows(session, session_id)
    by_seat = {m["seat"]: m["name"] for m in reversed(members)}
    chair = repo.user_name(session, council.chair_user_id) or by_seat.get("chair", "")
    secretary = repo.user_name(session, council.secretary_user_id) or by_seat.get("secretary", "")
    lh = letterhead(
        session,
        campaign.organiser_unit_id,
        campaign_id=campaign.id,
        day=local_date(council.closed_at or datetime.now(UTC)),
        signer_title="Chủ tịch Hội đồng",
        signer_name=chair,
    )
    council_name = (lh.extra["definition"].get("offices") or {}).get("council", {}).get(
        "name"
    ) or f"Hội đồng Thi đua - Khen thưởng {lh.body}"
    n, present = int(minutes["members"]), int(minutes["present"])
    needed = math.ceil(float(minutes["quorum"]) * n - 1e-9)
    names = repo.nominees(session, [i["nomination_id"] for i in minutes["items"]])
    items = [
        {
            **item,
            "order": i,
            "award": names[item["nomination_id"]]["award"]
            if item["nomination_id"] in names
            else item["award"],
            "outcome": OUTCOME_VI.get(item["outcome"], item["outcome"]),
            "rank": item.get("rank") or "",
        }
        for i, item in enumerate(minutes["items"], start=1)
    ]
    passed = sum(1 for i in minutes["items"] if i["outcome"] == "passed")
    return {
        "lh": lh,
        "subject": f"Họp {council_name} xét đề nghị khen thưởng {rnd.name}",
        "opening": [
            f"Phiên họp: {council.name}.",
            f"Thời gian: bắt đầu lúc {local_time(minutes['session'].get('opened_at'))}; "
            f"kết thúc lúc {local_time(minutes['session'].get('closed_at'))}.",
            f"Chủ trì: {chair}. Thư ký: {secretary}.",
        ],
        "members": [
            {
                "order": i,
                "name": m["name"],
                "seat": SEATS_VI.get(m["seat"], m["seat"]),
                "present": "Có mặt"
                if m["present"]
                else ("Vắng, có phiếu bằng văn bản" if m["user_id"] in written else "Vắng"),
            }
            for i, m in enumerate(members, start=1)
        ],
        "attendance": [
            f"Tổng số thành viên Hội đồng: {n}; có mặt: {present}; số thành viên tối thiểu "
            f"để phiên họp hợp lệ: {needed}. Phiên họp "
            + (
                "đủ điều kiện tiến hành."
                if minutes["quorum_met"]
                else "không đủ điều kiện tiến hành; các hồ sơ được hoãn xét."
            ),
            "Hội đồng bỏ phiếu kín; tỷ lệ đồng ý tính trên tổng số thành viên Hội đồng.",
        ],
        "items": items,
        "closing": [
            f"Kết quả: {passed}/{len(items)} hồ sơ đạt số phiếu đồng ý theo quy định.",
            "Biên bản được thông qua tại phiên họp và lập thành 02 bản có giá trị như nhau./.",
        ],
        "left_title": "THƯ KÝ HỘI ĐỒNG",
        "left_name": secretary,
    }


def minutes_document(session: Session, session_id: int, fmt: DocFormat) -> bytes:
    """Biên bản họp Hội đồng from the stored session minutes, as PDF or DOCX."""
    ctx = minutes_context(session, session_id)
    if fmt == "docx":
        return render_docx("minutes", docx_context("BB", ctx))
    return html_to_pdf(render("minutes.html", **ctx))
