"""``/dev/mail`` (development only, ``web.dev_pages``): the messages the file mailer wrote to
``mail.file_dir``, newest first, and one message shown safely: headers and the text part as
text, the HTML part in a sandboxed frame served with its own strict policy (no scripts, no
network)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import Query
from fastapi.responses import Response

from awardflow.errors import NotFound
from awardflow.settings import Settings
from awardflow.web.deps import PageCtx, page_router

router = page_router()

LIST_LIMIT = 200
_NAME = re.compile(r"^[A-Za-z0-9@._-]{1,200}\.eml$")
FRAME_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox"
)


def dev_pages_enabled(settings: Settings) -> bool:
    """``web.dev_pages`` when set; otherwise on only when ``base_url`` is a loopback address
    (a development machine, as ``awardflow up`` runs it) — a deployment's base_url is its own."""
    if settings.web.dev_pages is not None:
        return settings.web.dev_pages
    host = urlsplit(settings.base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class MailSummary:
    name: str
    subject: str
    to: str
    sent: datetime | None


def _not_found() -> NotFound:
    return NotFound("Không có thư này.", "No such message.", field="name")


def _require(page: PageCtx) -> Path:
    if not dev_pages_enabled(page.svc.settings):
        raise NotFound("Không tìm thấy trang này.", "No such page.")
    return page.svc.settings.mail.file_dir


def _parse(path: Path) -> EmailMessage:
    with path.open("rb") as f:
        message = BytesParser(policy=policy.default).parse(f)
    assert isinstance(message, EmailMessage)
    return message


def _date(message: EmailMessage) -> datetime | None:
    raw = message.get("Date")
    if not raw:
        return None
    try:
        return parsedate_to_datetime(str(raw))
    except (TypeError, ValueError):
        return None


def _summaries(folder: Path) -> list[MailSummary]:
    if not folder.is_dir():
        return []
    files = sorted(
        (p for p in folder.iterdir() if p.is_file() and _NAME.match(p.name)),
        key=lambda p: (p.stat().st_mtime, p.name),
        reverse=True,
    )[:LIST_LIMIT]
    found = []
    for path in files:
        message = _parse(path)
        found.append(
            MailSummary(
                path.name,
                str(message.get("Subject", "")),
                str(message.get("To", "")),
                _date(message),
            )
        )
    return found


def _message(folder: Path, name: str) -> EmailMessage:
    if not _NAME.match(name):
        raise _not_found()
    path = folder / name
    if not path.is_file():
        raise _not_found()
    return _parse(path)


def _part(message: EmailMessage, subtype: str) -> str | None:
    body = message.get_body(preferencelist=(subtype,))
    if body is None or not isinstance(body, EmailMessage):
        return None
    content = body.get_content()
    return content if isinstance(content, str) else None


@router.get("/dev/mail")
def mail_list(page: PageCtx, name: str | None = Query(None, max_length=220)) -> Response:
    folder = _require(page)
    mails = _summaries(folder)
    selected = None
    if name:
        message = _message(folder, name)
        selected = {
            "name": name,
            "subject": str(message.get("Subject", "")),
            "from": str(message.get("From", "")),
            "to": str(message.get("To", "")),
            "date": _date(message),
            "message_id": str(message.get("Message-ID", "")),
            "text": _part(message, "plain"),
            "has_html": _part(message, "html") is not None,
            "attachments": [a.get_filename() or "" for a in message.iter_attachments()],
        }
    return page.render("devmail/list.html", mails=mails, selected=selected, folder=str(folder))


@router.get("/dev/mail/{name}/html")
def mail_html(page: PageCtx, name: str) -> Response:
    folder = _require(page)
    html = _part(_message(folder, name), "html")
    if html is None:
        raise _not_found()
    return Response(
        html,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": FRAME_CSP, "X-Frame-Options": "SAMEORIGIN"},
    )
