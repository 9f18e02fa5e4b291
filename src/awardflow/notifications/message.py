"""Build one MIME message: UTF-8 subject, text and HTML alternatives, optional attachment, and
a Message-ID derived from the outbox row, so a resend after a crash collapses in mail clients."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from datetime import datetime
from email.generator import BytesGenerator
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, getaddresses, parseaddr
from io import BytesIO
from pathlib import Path

from awardflow.notifications.render import Rendered

_ADDRESS = re.compile(
    r"^[^@\s<>(),;:\"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


class _MailPolicy(EmailPolicy):
    """SMTP policy that encodes non-ASCII subjects with :class:`email.header.Header`.

    The default folder drops the space at a fold between two encoded words ("Giám đốc" arrives
    as "Giámđốc"); ``Header`` keeps spaces inside the encoded words.
    """

    def fold_binary(self, name: str, value: str) -> bytes:
        text = str(value)
        if name.lower() == "subject" and not text.isascii():
            encoded = Header(text, "utf-8", header_name=name).encode(linesep=self.linesep)
            return f"{name}: {encoded}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


MAIL_POLICY = _MailPolicy(linesep="\r\n")


def to_bytes(message: EmailMessage) -> bytes:
    """The message as sent over SMTP and written to .eml files."""
    out = BytesIO()
    BytesGenerator(out, policy=MAIL_POLICY).flatten(message)
    return out.getvalue()


def envelope(message: EmailMessage) -> tuple[str, list[str]]:
    """Envelope sender and recipients from the From and To headers."""
    sender = parseaddr(str(message["From"]))[1]
    return sender, [addr for _, addr in getaddresses([str(message["To"])]) if addr]


class BadAddress(ValueError):
    """The recipient's address cannot be mailed (a permanent failure)."""


def check_address(address: str | None) -> str:
    value = (address or "").strip()
    if not _ADDRESS.match(value):
        raise BadAddress(f"invalid recipient address: {address!r}")
    return value


def message_id(outbox_id: int, dedupe_key: str, user_id: int, domain: str) -> str:
    """``<outbox-{id}-{dedupe hash}-u{user}@{domain}>``: the same for every attempt."""
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:16]
    return f"<outbox-{outbox_id}-{digest}-u{user_id}@{domain}>"


def build_message(
    rendered: Rendered,
    *,
    sender: str,
    to_name: str,
    to_address: str,
    msg_id: str,
    date: datetime,
    attachment: Path | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = rendered.subject
    msg["From"] = sender
    local, _, domain = to_address.partition("@")
    msg["To"] = Address(display_name=to_name, username=local, domain=domain)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = msg_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    if attachment is not None:
        ctype = mimetypes.guess_type(attachment.name)[0] or "application/octet-stream"
        maintype, _, subtype = ctype.partition("/")
        # mixed: the alternative part first, then the file
        msg.make_mixed()
        msg.add_attachment(
            attachment.read_bytes(), maintype=maintype, subtype=subtype, filename=attachment.name
        )
    return msg
