"""HTML to PDF with WeasyPrint; each template sets its own @page (A4, portrait or landscape).

Liberation Serif is Times-metric and covers every Vietnamese letter (Debian fonts-liberation2).

``html_to_pdf`` renders one document. ``html_to_pdfs`` lays out one document made of several
parts (each starting on a new page, its first element carrying an ``id``) once and writes each
part's pages as its own PDF: the submission package's achievement reports use it, which saves
WeasyPrint's per-document work (parsing the HTML and the inline stylesheet, page set-up), about
10 of a one-page report's 80 ms. The rest is per line and per table cell (docs/reports.md).
"""

from __future__ import annotations

import gc
import io
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from itertools import pairwise
from typing import Any

_FONT_CSS = """

html { font-family: "Liberation Serif", "Times New Roman", serif; font-size: 13pt; }
"""


@lru_cache(maxsize=1)
def _setup() -> tuple[Any, Any]:
    # WeasyPrint logs every CSS property it ignores at WARNING; documents are ours, so keep the
    # log quiet rather than letting our screen-only rules spam the console.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    # One font configuration and one parsed base stylesheet for the whole process: fontconfig
    # is set up and the CSS parsed once, not per document.
    config = FontConfiguration()
    return CSS(string=_FONT_CSS, font_config=config), config


_renders = 0
_renders_lock = threading.Lock()
_was_enabled = True


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while WeasyPrint lays out and writes.

    Layout allocates large, long-lived trees of small objects (boxes, styles, text layouts), so
    the collector keeps running during a render, and its generation-2 passes walk the whole
    process heap: 19 ms of a 500-nominee package's 112 ms per nomination (measured with
    ``gc.callbacks``); paused, 5.5 ms are left for the passes after the render, and the peak
    memory grows from 207 to 242 MiB. (``gc.freeze`` saves as much but leaves the previous
    render's garbage frozen: 605 MiB.) Reference counting still frees everything else; nested
    and concurrent renders share one pause, and the collector's state before is restored.
    """
    global _renders, _was_enabled
    with _renders_lock:
        if _renders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _renders += 1
    try:
        yield
    finally:
        with _renders_lock:
            _renders -= 1
            if _renders == 0 and _was_enabled:
                gc.enable()


def html_to_pdf(html: str) -> bytes:
    """Render one HTML document (its own ``@page`` rules win over the A4 default)."""
    from weasyprint import HTML

    base_css, config = _setup()
    out = io.BytesIO()
    with _collector_paused():
        HTML(string=html, base_url=".").write_pdf(out, stylesheets=[base_css], font_config=config)
    return out.getvalue()


def html_to_pdfs(html: str, part_ids: Sequence[str]) -> list[bytes]:
    """One PDF per part of a document laid out once, in the order of ``part_ids``.

    Each part must start on a new page (``break-before: page``) with the element whose ``id``
    is in ``part_ids`` on its first page; part *i* gets the pages from its first page up to the
    next part's first page. The markers are taken out of the pages, so a part's PDF holds no
    named destination the single document would not have. Page numbers restart in each part
    only if the document's CSS says so (see ``achievement_report.html``).
    """
    from weasyprint import HTML

    if not part_ids:
        return []
    base_css, config = _setup()
    with _collector_paused():
        document = HTML(string=html, base_url=".").render(
            stylesheets=[base_css], font_config=config
        )
        return [
            document.copy(document.pages[a:b]).write_pdf()
            for a, b in _part_pages(document.pages, part_ids)
        ]


def _part_pages(pages: Sequence[Any], part_ids: Sequence[str]) -> list[tuple[int, int]]:
    """Each part's page range (start, end) from the page that carries its marker; the markers
    are taken out of the pages' anchors."""
    wanted = set(part_ids)
    first: dict[str, int] = {}
    for number, page in enumerate(pages):
        for anchor in [a for a in page.anchors if a in wanted]:
            first.setdefault(anchor, number)  # a part spanning pages is anchored on each
            del page.anchors[anchor]
    missing = [p for p in part_ids if p not in first]
    if missing:
        raise ValueError(f"no page carries the parts {missing[:3]}")
    starts = [first[p] for p in part_ids]
    if any(a >= b for a, b in pairwise(starts)):
        raise ValueError("parts must start on their own pages, in the order given")
    return list(zip(starts, [*starts[1:], len(pages)], strict=True))
