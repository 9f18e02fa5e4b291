"""The pages' session: one signed cookie (itsdangerous) holding the user id, the CSRF token, the
language and the flash messages waiting to be shown. Nothing is stored server-side; the
signature stops tampering, ``web.session_max_age_minutes`` of inactivity ends it.

``WebMiddleware`` (pure ASGI) loads the session for every page request into
``request.state.web_session``, applies a ``?lang=vi|en`` switch, and on the way out writes the
cookie back when it changed and adds the security headers (CSP and friends).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from awardflow.settings import WebSettings
from awardflow.web.i18n import DEFAULT_LANG, Lang, as_lang

COOKIE = "awardflow_session"
SALT = "awardflow-web-session"
#: Re-sign an unchanged cookie after this long, so an active user's session does not expire.
REFRESH_SECONDS = 300

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
)


@dataclass
class Flash:
    kind: str  # success | error | info
    vi: str
    en: str


@dataclass
class WebSession:
    user_id: int | None = None
    csrf: str = ""
    lang: Lang = DEFAULT_LANG
    flashes: list[Flash] = field(default_factory=list)
    modified: bool = False
    cleared: bool = False

    def csrf_token(self) -> str:
        """This session's CSRF token, made on first use."""
        if not self.csrf:
            self.csrf = secrets.token_urlsafe(32)
            self.modified = True
        return self.csrf

    def login(self, user_id: int) -> None:
        """A new session for ``user_id``: a fresh CSRF token (no fixation), language kept."""
        self.user_id = user_id
        self.csrf = secrets.token_urlsafe(32)
        self.cleared = False
        self.modified = True

    def clear(self) -> None:
        """Log out: the cookie is deleted on the way out."""
        self.user_id = None
        self.csrf = ""
        self.flashes = []
        self.cleared = True
        self.modified = True

    def set_lang(self, lang: Lang) -> None:
        if lang != self.lang:
            self.lang = lang
            self.modified = True

    def flash(self, vi: str, en: str, kind: str = "success") -> None:
        self.flashes.append(Flash(kind, vi, en))
        self.modified = True

    def pop_flashes(self) -> list[Flash]:
        found, self.flashes = self.flashes, []
        if found:
            self.modified = True
        return found

    def dump(self) -> dict[str, Any]:
        return {
            "u": self.user_id,
            "c": self.csrf,
            "l": self.lang,
            "f": [[f.kind, f.vi, f.en] for f in self.flashes[-5:]],
        }

    @classmethod
    def load(cls, data: Any) -> WebSession:
        if not isinstance(data, dict):
            return cls()
        user = data.get("u")
        flashes = [
            Flash(str(k), str(v), str(e))
            for item in data.get("f") or []
            if isinstance(item, list) and len(item) == 3
            for k, v, e in [item]
        ]
        return cls(
            user_id=user if isinstance(user, int) and not isinstance(user, bool) else None,
            csrf=str(data.get("c") or ""),
            lang=as_lang(data.get("l")) or DEFAULT_LANG,
            flashes=flashes,
        )


class SessionCodec:
    def __init__(self, settings: WebSettings) -> None:
        self.serializer = URLSafeTimedSerializer(settings.secret_key, salt=SALT)
        self.max_age = settings.session_max_age_minutes * 60
        self.secure = settings.secure_cookies

    def decode(self, raw: str | None) -> tuple[WebSession, bool]:
        """The session in ``raw`` (a fresh one when missing, forged or expired) and whether it
        should be re-signed now to keep it alive."""
        if not raw:
            return WebSession(), False
        try:
            data, signed_at = self.serializer.loads(
                raw, max_age=self.max_age, return_timestamp=True
            )
        except (BadSignature, SignatureExpired):
            return WebSession(modified=True), False
        age = time.time() - signed_at.timestamp()
        return WebSession.load(data), age > REFRESH_SECONDS

    def cookie(self, session: WebSession) -> str:
        flags = "Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if self.secure else "")
        if session.cleared:
            return f"{COOKIE}=; Max-Age=0; {flags}"
        value = self.serializer.dumps(session.dump())
        return f"{COOKIE}={value}; Max-Age={self.max_age}; {flags}"


def is_page_path(path: str) -> bool:
    """Everything but the JSON API and its OpenAPI pages is a page (or a page's static file)."""
    api = path in ("/api", "/openapi.json") or path.startswith(("/api/", "/docs", "/redoc"))
    return not api


def _cookie_value(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header from some other site's cookie
                continue
            if COOKIE in jar:
                return jar[COOKIE].value
    return None


class WebMiddleware:
    """Session in, cookie and security headers out, for page paths only."""

    def __init__(self, app: ASGIApp, settings: WebSettings) -> None:
        self.app = app
        self.codec = SessionCodec(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        session: WebSession | None = None
        if not static:
            session, refresh = self.codec.decode(_cookie_value(scope.get("headers", [])))
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            lang = as_lang((query.get("lang") or [""])[0])
            if lang is not None:
                session.set_lang(lang)
            if refresh and session.user_id is not None:
                session.modified = True
            scope.setdefault("state", {})["web_session"] = session

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS:
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                if session is not None and session.modified:
                    headers.append((b"set-cookie", self.codec.cookie(session).encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
