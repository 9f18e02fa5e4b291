"""HTML rendering: stored summaries (also the sơ kết / tổng kết reports) and the official
documents, from Jinja2 templates in the Vietnamese administrative form."""

from __future__ import annotations

from collections import Counter
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from awardflow.reports.charts import aging_svg, funnel_svg
from awardflow.reports.official import Letterhead, short_date

_ENV = Environment(
    loader=PackageLoader("awardflow.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["vn_date"] = short_date

STATE_VI = {
    "draft": "Dự thảo",
    "returned": "Trả lại đơn vị",
    "proposed": "Đã đề nghị",
    "in_appraisal": "Đang thẩm định",
    "appraised": "Đã thẩm định",
    "in_council": "Hội đồng đang xét",
    "council_approved": "Hội đồng thông qua",
    "submitted": "Đã trình cấp trên",
    "authority_returned": "Cấp trên trả lại",
    "awarded": "Được khen thưởng",
    "rejected": "Không được khen thưởng",
    "withdrawn": "Đã rút",
    "lapsed": "Hết hiệu lực",
}
PHASE_VI = {
    "unit_proposal": "Đơn vị đề nghị",
    "appraisal": "Thẩm định",
    "council": "Hội đồng xét",
    "submission": "Trình cấp trên",
}
#: The review report's narrative sections (DOMAIN.md "Campaign mechanics"), written by the
#: standing office and stored in ``Summary.narrative``; the figures fill the rest.
NARRATIVE_SECTIONS = {
    "organisation": "Công tác tổ chức triển khai",
    "results": "Kết quả thực hiện các nội dung thi đua",
    "models": "Gương điển hình tiên tiến",
    "shortcomings": "Tồn tại, hạn chế và nguyên nhân",
    "lessons": "Bài học kinh nghiệm",
    "next_tasks": "Phương hướng, nhiệm vụ thời gian tới",
}

#: Rows per table of the awarded list (see summary.html); a list longer than LIST_INLINE moves
#: from the report's body to a landscape annex after the signature.
LIST_CHUNK = 400
LIST_INLINE = 50


def conferred_by_form(data: dict[str, Any]) -> list[tuple[str, int]]:
    """Awards conferred per award form, most first."""
    counts = Counter(a["award"] for a in data.get("awarded", []))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def render_summary(
    data: dict[str, Any],
    narrative: dict[str, Any] | None = None,
    letterhead: Letterhead | None = None,
) -> str:
    """The summary page; a sơ kết / tổng kết (``data["review"]``) follows the report outline."""
    charts = {
        "funnel": funnel_svg(data["by_state"]),
        "aging": aging_svg(dict(sorted(data["phase_times"].items())), PHASE_VI),
    }
    return _ENV.get_template("summary.html").render(
        d=data,
        states=STATE_VI,
        phases=PHASE_VI,
        notes={k: str(v) for k, v in (narrative or {}).items() if v},
        review=bool(data.get("review")),
        charts=charts,
        conferred=conferred_by_form(data),
        lh=letterhead,
        list_chunk=LIST_CHUNK,
        list_inline=LIST_INLINE,
    )


def render(template: str, **context: Any) -> str:
    """Any other document template under ``reports/templates``."""
    return _ENV.get_template(template).render(states=STATE_VI, **context)
