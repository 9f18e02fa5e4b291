"""CSRF: one token per session, sent back by every unsafe request, either as the form field
``csrf_token`` (``{{ csrf_field() }}``) or as the ``X-CSRF-Token`` header (htmx requests; app.js
copies it from ``<meta name="csrf-token">``). Checked for every page route by ``csrf_protect``,
which ``web.mount`` adds to every page router, so no page can forget it."""

from __future__ import annotations

import hmac

from fastapi import Request

from awardflow.errors import Forbidden

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FIELD = "csrf_token"
HEADER = "x-csrf-token"


class CsrfRefused(Forbidden):
    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__(
            "Biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã chống giả mạo CSRF). Không có gì "
            "được thay đổi. Hãy tải lại trang rồi thử lại.",
            "The form has expired or is not valid (missing CSRF token). Nothing was changed. "
            "Reload the page and try again.",
        )


async def csrf_protect(request: Request) -> None:
    """Refuse (403) an unsafe request whose token does not match the session's."""
    if request.method in SAFE_METHODS:
        return
    session = getattr(request.state, "web_session", None)
    expected = session.csrf if session is not None else ""
    sent = request.headers.get(HEADER, "")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # cached on the request: the route reads it again
            value = form.get(FIELD)
            sent = value if isinstance(value, str) else ""
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfRefused()
