"""Tokens and identity, reusable by the pages (which will carry the same token in a cookie).

Access tokens are short-lived JWTs (HS256) naming the user; refresh tokens are longer-lived
JWTs of type ``refresh`` that only buy a new pair. The caller's actor (user and grants) is
loaded from the database and reused for ``api.actor_cache_seconds`` (default 5 s), so a revoked
grant or a deactivated user takes effect within that (at once with 0).
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from starlette.concurrency import run_in_threadpool

from awardflow.api.deps import Services, Svc
from awardflow.api.ratelimit import SlidingWindow
from awardflow.errors import NotFound, TooManyRequests, Unauthenticated
from awardflow.services import auth as auth_service
from awardflow.services.actors import actor_for_user
from awardflow.settings import ApiSettings
from awardflow.states import Actor

ALGORITHM = "HS256"
oauth2 = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def _invalid() -> Unauthenticated:
    return Unauthenticated(
        "Phiên đăng nhập không hợp lệ hoặc đã hết hạn; hãy đăng nhập lại.",
        "The token is invalid or expired; log in again.",
    )


def issue(settings: ApiSettings, user_id: int, kind: str) -> str:
    seconds = (
        settings.access_token_minutes * 60
        if kind == "access"
        else settings.refresh_token_days * 86400
    )
    now = int(time.time())
    claims = {"sub": str(user_id), "typ": kind, "iat": now, "exp": now + seconds}
    claims["jti"] = uuid.uuid4().hex
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def token_pair(settings: ApiSettings, user_id: int) -> dict[str, Any]:
    return {
        "access_token": issue(settings, user_id, "access"),
        "refresh_token": issue(settings, user_id, "refresh"),
        "token_type": "bearer",
        "expires_in": settings.access_token_minutes * 60,
    }


def user_id_from(settings: ApiSettings, token: str, kind: str) -> int:
    try:
        claims = jwt.decode(
            token, settings.jwt_secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError:
        raise _invalid() from None
    if claims.get("typ") != kind or not str(claims.get("sub", "")).isdigit():
        raise _invalid()
    return int(claims["sub"])


def _token_user(svc: Services, token: str | None) -> int:
    if not token:
        raise Unauthenticated("Cần đăng nhập.", "Authentication required.")
    return user_id_from(svc.settings.api, token, "access")


def _cached_actor(svc: Services, user_id: int) -> Actor | None:
    cached = svc.actors.get(user_id)
    return cached[1] if cached is not None and cached[0] > time.monotonic() else None


def _load_actor(svc: Services, user_id: int) -> Actor:
    now = time.monotonic()
    try:
        with svc.db.read() as s:
            actor = actor_for_user(s, user_id)
    except NotFound:
        raise _invalid() from None
    # A revoked grant or deactivated user takes effect within ``actor_cache_seconds``.
    svc.actors[user_id] = (now + svc.settings.api.actor_cache_seconds, actor)
    return actor


async def current_actor(svc: Svc, token: Annotated[str | None, Depends(oauth2)]) -> Actor:
    """The caller. ``async``: checking the token's signature and finding the caller's cached
    grants need no I/O (~0.1 ms), and a plain ``def`` dependency would cost a round trip to
    FastAPI's thread pool on every request; only loading the grants from the database (the
    first request, then every ``actor_cache_seconds``) goes to the thread pool."""
    user_id = _token_user(svc, token)
    cached = _cached_actor(svc, user_id)
    if cached is not None:
        return cached
    return await run_in_threadpool(_load_actor, svc, user_id)


Me = Annotated[Actor, Depends(current_actor)]


def _limiter(svc: Services, name: str, limit: int) -> SlidingWindow:
    if name not in svc.limiters:
        svc.limiters[name] = SlidingWindow(limit, svc.settings.api.login_window_seconds)
    return svc.limiters[name]


def check_login_rate(svc: Services, request: Request, username: str) -> None:
    """Count a login attempt per user name and per client address; 429 past either limit."""
    api = svc.settings.api
    address = request.client.host if request.client else "unknown"
    for name, key, limit in (
        ("login-user", username.lower(), api.login_attempts_per_user),
        ("login-address", address, api.login_attempts_per_address),
    ):
        wait = _limiter(svc, name, limit).hit(key)
        if wait is not None:
            err = TooManyRequests(
                "Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút.",
                "Too many login attempts; try again in a few minutes.",
                field="username",
            )
            err.retry_after = int(wait)
            raise err


def login(svc: Services, request: Request, username: str, password: str) -> dict[str, Any]:
    check_login_rate(svc, request, username)
    with svc.db.write() as s:
        user = auth_service.authenticate(s, username, password)
        user_id = user.id
    return token_pair(svc.settings.api, user_id)


def refresh(svc: Services, refresh_token: str) -> dict[str, Any]:
    user_id = user_id_from(svc.settings.api, refresh_token, "refresh")
    try:
        with svc.db.read() as s:
            actor_for_user(s, user_id)
    except NotFound:
        raise _invalid() from None
    return token_pair(svc.settings.api, user_id)
