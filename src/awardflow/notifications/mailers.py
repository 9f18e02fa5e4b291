"""Mailers behind one small protocol (DESIGN §3, side effects): SMTP (aiosmtplib), file (.eml
under ``var/mail/``, the embedded default) and memory (unit tests).

``send`` returns the server's answer; it raises :class:`TemporaryMailError` when a later attempt
may succeed (connection refused, 4xx) and :class:`PermanentMailError` when it cannot (5xx,
refused recipient).
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib

from awardflow.notifications.message import envelope, to_bytes
from awardflow.settings import MailSettings


class MailError(Exception):
    pass


class TemporaryMailError(MailError):
    pass


class PermanentMailError(MailError):
    pass


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> str: ...


class RateLimiter:
    """At most ``per_second`` sends, spaced evenly (one limiter per SMTP server)."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


class SmtpMailer:
    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.limiter = RateLimiter(settings.messages_per_second)

    async def send(self, message: EmailMessage) -> str:
        s = self.settings
        await self.limiter.wait()
        sender, recipients = envelope(message)
        try:
            errors, answer = await aiosmtplib.send(
                to_bytes(message),
                sender=sender,
                recipients=recipients,
                hostname=s.host,
                port=s.port,
                username=s.username,
                password=s.password,
                use_tls=s.security == "ssl",
                start_tls=s.security == "starttls",
                timeout=s.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as err:
            raise PermanentMailError(_describe(err)) from err
        except aiosmtplib.SMTPResponseException as err:
            cls = PermanentMailError if 500 <= err.code < 600 else TemporaryMailError
            raise cls(_describe(err)) from err
        except (aiosmtplib.SMTPException, OSError) as err:
            raise TemporaryMailError(_describe(err)) from err
        if errors:  # one message, one recipient: a partial refusal is a refusal
            code, text = next(iter(errors.values()))
            raise PermanentMailError(f"{code} {text}")
        return answer


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"[:1000]


class FileMailer:
    """Writes each message to ``{dir}/{message-id}.eml``; a resend overwrites the same file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: EmailMessage) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9@._-]", "", str(message["Message-ID"])) or "message"
        path = self.directory / f"{name}.eml"
        path.write_bytes(to_bytes(message))
        return f"250 written to {path}"


class MemoryMailer:
    """Keeps every message sent; thread-safe, for tests."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def send(self, message: EmailMessage) -> str:
        with self._lock:
            self.sent.append(message)
        return f"250 queued as memory-{len(self.sent)}"


def mailer_from_settings(settings: MailSettings) -> Mailer:
    if settings.backend == "smtp":
        return SmtpMailer(settings)
    if settings.backend == "memory":
        return MemoryMailer()
    return FileMailer(settings.file_dir)
