"""Charts for the pages, drawn on the server as inline SVG: no JavaScript library, readable
without scripts, printable. Each chart is an ``<svg role="img">`` named by its ``<title>`` and
described by a ``<desc>`` that states every value in words, every bar carries its own
``<title>`` (a tooltip) and its value as visible text, and colours meet WCAG AA contrast on
white. Sizes come from the ``viewBox`` with ``width="100%"``, so a chart takes its container's
width (a page puts it in a ``.narrow`` box) and shrinks to a phone's; only presentation
attributes are used (the CSP forbids inline styles).

Every label passes through :func:`html.escape`; callers give plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

BAR = "#1f5f99"  # 6.6:1 on white
ALERT = "#a4441c"  # 6.1:1 on white, for the bars that need attention
INK = "#1b1b1b"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, sans-serif"'


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value, and whether it should draw the eye (overdue, stuck)."""

    label: str
    value: int
    alert: bool = False


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> str:
    cid = escape(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{cid}-t {cid}-d" class="chart" id="{cid}">'
        f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>'
    )


def describe(bars: Sequence[Bar]) -> str:
    """The chart's values in words, for the ``<desc>`` a screen reader speaks."""
    return "; ".join(f"{b.label}: {b.value}" for b in bars) + "."


def column_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    width: int = 400,
    height: int = 220,
    empty: str = "",
) -> Markup:
    """Vertical columns with the value above each and the label below (a histogram)."""
    top = max((b.value for b in bars), default=0)
    parts = [_open(chart_id, width, height, title, describe(bars) if bars else empty)]
    if not bars or top == 0:
        parts.append(
            f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" '
            f'font-size="14" fill="{INK}" {FONT}>{escape(empty)}</text>'
        )
        return Markup("".join(parts) + "</svg>")
    left, right, base, head = 12, 12, height - 34, 22
    slot = (width - left - right) / len(bars)
    col = slot * 0.62
    for i, b in enumerate(bars):
        h = (base - head) * b.value / top
        x = left + i * slot + (slot - col) / 2
        y = base - h
        mid = left + i * slot + slot / 2
        parts.append(
            f"<g><title>{escape(b.label)}: {b.value}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{col:.1f}" height="{max(h, 1):.1f}" '
            f'fill="{ALERT if b.alert else BAR}"/>'
            f'<text x="{mid:.1f}" y="{y - 6:.1f}" text-anchor="middle" font-size="14" '
            f'font-weight="bold" fill="{INK}" {FONT}>{b.value}</text>'
            f'<text x="{mid:.1f}" y="{base + 20}" text-anchor="middle" font-size="13" '
            f'fill="{INK}" {FONT}>{escape(b.label)}</text></g>'
        )
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{INK}"/>')
    return Markup("".join(parts) + "</svg>")


def funnel_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    width: int = 400,
    label_width: int = 160,
    empty: str = "",
) -> Markup:
    """Horizontal bars centred on one axis, widest first (a funnel), labels on the left and
    values on the right, so nothing overlaps at any width."""
    bar_h, gap = 24, 8
    height = max(len(bars), 1) * (bar_h + gap) + gap
    top = max((b.value for b in bars), default=0)
    parts = [_open(chart_id, width, height, title, describe(bars) if bars else empty)]
    if not bars or top == 0:
        parts.append(
            f'<text x="{width / 2:.0f}" y="{height / 2 + 5:.0f}" text-anchor="middle" '
            f'font-size="14" fill="{INK}" {FONT}>{escape(empty)}</text>'
        )
        return Markup("".join(parts) + "</svg>")
    span = width - label_width - 48
    for i, b in enumerate(bars):
        y = gap + i * (bar_h + gap)
        w = max(span * b.value / top, 1.0)
        x = label_width + (span - w) / 2
        parts.append(
            f"<g><title>{escape(b.label)}: {b.value}</title>"
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" font-size="13" '
            f'fill="{INK}" {FONT}>{escape(b.label)}</text>'
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
            f'fill="{ALERT if b.alert else BAR}"/>'
            f'<text x="{label_width + span + 8}" y="{y + 17}" font-size="14" font-weight="bold" '
            f'fill="{INK}" {FONT}>{b.value}</text></g>'
        )
    return Markup("".join(parts) + "</svg>")
