"""HTML to PDF with WeasyPrint; each template sets its own @page (A4, portrait or landscape).

Liberation Serif is Times-metric and covers every Vietnamese letter (Debian fonts-liberation2).
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
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

    config = FontConfiguration()
    return CSS(string=_FONT_CSS, font_config=config), config


def html_to_pdf(html: str) -> bytes:
    """Render one HTML document (its own ``@page`` rules win over the A4 default)."""
    from weasyprint import HTML

    base_css, config = _setup()
    out = io.BytesIO()
    HTML(string=html, base_url=".").write_pdf(out, stylesheets=[base_css], font_config=config)
    return out.getvalue()
