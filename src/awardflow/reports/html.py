"""HTML rendering of stored summaries (PDF and XLSX renderers join with the reports issue)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_ENV = Environment(
    loader=PackageLoader("awardflow.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

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


def render_summary(data: dict[str, Any]) -> str:
    return _ENV.get_template("summary.html").render(d=data, states=STATE_VI, phases=PHASE_VI)
