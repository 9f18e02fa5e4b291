"""Pages under /reports (W4): the round and phase summaries (sơ kết, tổng kết) as pages, with
their downloads (the stored HTML report, PDF, XLSX) from the renderers the API uses."""

from __future__ import annotations

from fastapi import Query
from fastapi.responses import Response

from awardflow.api.deps import IdPath
from awardflow.states import Role
from awardflow.web import reports_views as views
from awardflow.web.deps import PageCtx, page_router

router = page_router()
READERS = (Role.SUPERVISOR, Role.DIRECTOR, Role.COUNCIL_SECRETARY, Role.ADMIN)
PAGE_SIZE = 50
#: The stored report is a document of its own (its inline styles and SVG charts): shown alone,
#: never framed, no scripts.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


@router.get("/reports")
def summaries(page: PageCtx, offset: int = Query(0, ge=0, le=1_000_000)) -> Response:
    page.require(*READERS)
    with page.svc.db.read() as s:
        rows, total = views.summaries(s, page.actor, PAGE_SIZE, offset)
    return page.render(
        "reports/list.html",
        rows=rows,
        total=total,
        limit=PAGE_SIZE,
        offset=offset,
        kinds=views.KIND_LABELS,
    )


@router.get("/reports/{summary_id}")
def summary(summary_id: IdPath, page: PageCtx) -> Response:
    page.require(*READERS)
    with page.svc.db.read() as s:
        found = views.summary(s, page.actor, summary_id)
    return page.render("reports/summary.html", s=found, kinds=views.KIND_LABELS)


@router.get("/reports/{summary_id}/report.{fmt}")
def download(summary_id: IdPath, fmt: str, page: PageCtx) -> Response:
    page.require(*READERS)
    with page.svc.db.read() as s:
        body = views.document(s, page.actor, summary_id, fmt)
    headers = {"Content-Security-Policy": REPORT_CSP}
    if fmt != "html":
        headers["Content-Disposition"] = f'attachment; filename="bao-cao-{summary_id}.{fmt}"'
    return Response(body, media_type=views.MEDIA[fmt], headers=headers)
