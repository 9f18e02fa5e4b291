"""Charts drawn on the server as inline SVG (no JavaScript, so they print in the PDF too)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

FONT = 'font-family="Liberation Serif, Times New Roman, serif"'
#: Stages of the funnel, each with the current states that have reached it. A rejected,
#: withdrawn or lapsed dossier counts only in the first bar: where it stopped is not stored here.
FUNNEL = (
    ("Tổng số hồ sơ", None),
    (
        "Đã đề nghị",
        {
            "proposed",
            "in_appraisal",
            "appraised",
            "in_council",
            "council_approved",
            "submitted",
            "authority_returned",
            "awarded",
        },
    ),
    (
        "Qua thẩm định",
        {
            "appraised",
            "in_council",
            "council_approved",
            "submitted",
            "authority_returned",
            "awarded",
        },
    ),
    ("Hội đồng thông qua", {"council_approved", "submitted", "authority_returned", "awarded"}),
    ("Được khen thưởng", {"awarded"}),
)


def funnel_stages(by_state: Mapping[str, int]) -> list[tuple[str, int]]:
    total = sum(by_state.values())
    return [
        (label, total if states is None else sum(by_state.get(s, 0) for s in states))
        for label, states in FUNNEL
    ]


def funnel_svg(by_state: Mapping[str, int], width: int = 600) -> str:
    stages = funnel_stages(by_state)
    top = max((n for _, n in stages), default=0) or 1
    bar_h, gap, label_w = 26, 8, 150
    height = len(stages) * (bar_h + gap) + gap
    span = width - label_w - 60
    parts = [_open(width, height, "Phễu hồ sơ theo giai đoạn")]
    for i, (label, n) in enumerate(stages):
        y = gap + i * (bar_h + gap)
        w = max(span * n / top, 1.0)
        x = label_w + (span - w) / 2
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" font-size="13" {FONT}>'
            f"{escape(label)}</text>"
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#3b6ea8"/>'
            f'<text x="{label_w + span + 8}" y="{y + 18}" font-size="13" {FONT}>{n}</text>'
        )
    return "".join(parts) + "</svg>"


def aging_svg(phase_times: Mapping[str, Any], labels: Mapping[str, str], width: int = 600) -> str:
    """Median and 90th-percentile days per lifecycle phase, as paired horizontal bars."""
    rows = [(labels.get(p, p), float(t["median"]), float(t["p90"])) for p, t in phase_times.items()]
    top = max((p90 for *_, p90 in rows), default=0.0) or 1.0
    bar_h, gap, label_w = 12, 12, 150
    height = len(rows) * (2 * bar_h + gap) + gap + 24
    span = width - label_w - 70
    parts = [_open(width, height, "Thời gian xử lý theo giai đoạn (ngày)")]
    for i, (label, median, p90) in enumerate(rows):
        y = gap + i * (2 * bar_h + gap)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h + 4}" text-anchor="end" font-size="13" '
            f"{FONT}>{escape(label)}</text>"
        )
        for j, (value, colour) in enumerate(((median, "#3b6ea8"), (p90, "#d08a2e"))):
            yy = y + j * bar_h
            w = max(span * value / top, 1.0)
            parts.append(
                f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="{bar_h - 1}" '
                f'fill="{colour}"/><text x="{label_w + w + 4:.1f}" y="{yy + bar_h - 2}" '
                f'font-size="11" {FONT}>{value:g}</text>'
            )
    legend_y = height - 8
    parts.append(
        f'<rect x="{label_w}" y="{legend_y - 9}" width="10" height="10" fill="#3b6ea8"/>'
        f'<text x="{label_w + 14}" y="{legend_y}" font-size="11" {FONT}>Trung vị</text>'
        f'<rect x="{label_w + 90}" y="{legend_y - 9}" width="10" height="10" fill="#d08a2e"/>'
        f'<text x="{label_w + 104}" y="{legend_y}" font-size="11" {FONT}>Phân vị 90</text>'
    )
    return "".join(parts) + "</svg>"


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>{escape(title)}</title>'
    )
