"""The reports pages (issue 7, W4): the stored round and phase summaries (sơ kết, tổng kết) the
actor may see (``services.records``, the API's rule), one summary's figures as a page, and its
downloads from the same renderers as the API and ``awardflow report summary``."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from sqlalchemy.orm import Session

from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.errors import NotFound
from awardflow.reports.html import NARRATIVE_SECTIONS, conferred_by_form
from awardflow.services import records
from awardflow.services.documents import summary_document
from awardflow.states import Actor, NominationState, Phase

Format = Literal["html", "pdf", "xlsx"]
MEDIA: dict[str, str] = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
KIND_LABELS: dict[str, tuple[str, str]] = {
    "round": ("Tổng hợp đợt xét", "Round summary"),
    "midterm": ("Sơ kết", "Midterm review"),
    "final": ("Tổng kết", "Final review"),
    "phase": ("Tổng hợp giai đoạn", "Phase summary"),
}
#: Rows of the awarded list shown on the page; the documents carry the whole list.
AWARDED_ON_PAGE = 100


def summaries(
    session: Session, actor: Actor, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    rows, total = records.summaries(session, actor, limit, offset)
    titles = {c.id: c.title for c in campaigns_repo.campaigns(session)}
    out = [
        {
            "id": r.id,
            "title": r.title,
            "kind": r.kind,
            "version": r.version,
            "created_at": r.created_at,
            "campaign": titles.get(r.campaign_id, ""),
            "total": int(r.data.get("total", 0)),
            "awarded": len(r.data.get("awarded", [])),
        }
        for r in rows
    ]
    return out, total


def summary(session: Session, actor: Actor, summary_id: int) -> dict[str, Any]:
    """One visible summary's figures, ordered for the page."""
    row = records.summary(session, actor, summary_id)
    d = row.data
    states = [s.value for s in NominationState]
    phases = [p.value for p in Phase]
    return {
        "id": row.id,
        "title": row.title,
        "kind": row.kind,
        "version": row.version,
        "created_at": row.created_at,
        "data": d,
        "start": _day(d.get("period", {}).get("start")),
        "end": _day(d.get("period", {}).get("end")),
        "by_state": sorted(d.get("by_state", {}).items(), key=lambda kv: states.index(kv[0])),
        "phase_times": sorted(d.get("phase_times", {}).items(), key=lambda kv: phases.index(kv[0])),
        "conferred": conferred_by_form(d),
        "awarded": d.get("awarded", [])[:AWARDED_ON_PAGE],
        "narrative": [
            (title, str(row.narrative[key]))
            for key, title in NARRATIVE_SECTIONS.items()
            if (row.narrative or {}).get(key)
        ],
    }


def _day(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def document(session: Session, actor: Actor, summary_id: int, fmt: str) -> bytes:
    """The summary as the API serves it: the stored page, or the PDF report / XLSX workbook."""
    if fmt not in MEDIA:
        raise NotFound("Không có định dạng này.", "No such format.", field="format")
    row = records.summary(session, actor, summary_id)
    if fmt == "html":
        return row.html.encode()
    return summary_document(session, summary_id, "pdf" if fmt == "pdf" else "xlsx")
