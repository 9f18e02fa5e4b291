"""The one place the error tree (``awardflow/errors.py``) becomes HTTP: every error, including
FastAPI's validation errors, Starlette's 404/405 and any unexpected exception, leaves as
``{"error": code, "message": vi, "message_en": en, "field": …}``. No stack trace reaches a client.

A database that is briefly away (a restart, a failover, a full pool, a deadlock victim) is a
503 ``database_unavailable`` with ``Retry-After``, not a 500: the request's transaction was
rolled back (or, if the connection broke during COMMIT, its outcome is unknown), so the client
retries with the same Idempotency-Key or If-Match and nothing is done twice.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from awardflow.errors import (
    AwardflowError,
    Conflict,
    Forbidden,
    InvalidInput,
    ItemRefused,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unauthenticated,
    UnsupportedMediaType,
)

log = logging.getLogger("awardflow.api")

#: Most specific first: the first class an error is an instance of gives its status.
STATUS: tuple[tuple[type[AwardflowError], int], ...] = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (PayloadTooLarge, 413),
    (UnsupportedMediaType, 415),
    (InvalidInput, 422),
    (TooManyRequests, 429),
)

_HTTP_CODES = {
    401: ("unauthenticated", "Cần đăng nhập.", "Authentication required."),
    404: ("not_found", "Không tìm thấy địa chỉ này.", "No such resource."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ.", "Method not allowed."),
    413: ("payload_too_large", "Dữ liệu gửi lên quá lớn.", "The request body is too large."),
    415: ("unsupported_media_type", "Kiểu dữ liệu không được hỗ trợ.", "Unsupported media type."),
}


def status_of(exc: AwardflowError) -> int:
    return next((code for cls, code in STATUS if isinstance(exc, cls)), 400)


def error_body(
    code: str, vi: str, en: str, field: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {"error": code, "message": vi, "message_en": en, "field": field, **extra}


def _headers(exc: AwardflowError) -> dict[str, str] | None:
    if isinstance(exc, Unauthenticated):
        return {"WWW-Authenticate": "Bearer"}
    retry = getattr(exc, "retry_after", None)
    return {"Retry-After": str(retry)} if retry else None


async def _domain(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, AwardflowError)
    return JSONResponse(exc.as_dict(), status_code=status_of(exc), headers=_headers(exc))


async def _item_refused(_: Request, exc: Exception) -> Response:
    """One item of an all-or-none request (a decision's nominations) was refused: its own
    error, status and headers, with the item named."""
    assert isinstance(exc, ItemRefused)
    body = {**exc.error.as_dict(), "nomination_id": exc.nomination_id}
    return JSONResponse(body, status_code=status_of(exc.error), headers=_headers(exc.error))


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie") and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


async def _validation(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field(e.get("loc", ())), "message_en": str(e.get("msg", ""))}
        for e in exc.errors()
    ]
    first = errors[0]["field"] if errors else None
    body = error_body(
        "invalid_input",
        f"Dữ liệu không hợp lệ ở trường '{first}'.",
        f"Invalid input in field '{first}': {errors[0]['message_en'] if errors else ''}",
        first,
        errors=errors,
    )
    return JSONResponse(body, status_code=422)


async def _http(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code, vi, en = _HTTP_CODES.get(
        exc.status_code, ("http_error", "Yêu cầu không hợp lệ.", "Bad request.")
    )
    return JSONResponse(error_body(code, vi, en), status_code=exc.status_code, headers=exc.headers)


def internal_error() -> JSONResponse:
    return JSONResponse(
        error_body(
            "internal_error",
            "Lỗi hệ thống; đã ghi nhận để xử lý. Hãy thử lại sau.",
            "Internal error; it has been logged. Try again later.",
        ),
        status_code=500,
    )


#: SQLSTATE classes and codes after which the same request may succeed: connection exceptions,
#: admin/crash shutdown and "cannot connect now", serialization failure, deadlock, lock timeout
_RETRYABLE_SQLSTATE = ("08", "57P01", "57P02", "57P03", "40001", "40P01", "55P03")
_SQLITE_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED


def database_unavailable(exc: BaseException) -> bool:
    """The database is briefly away or busy and a retry may succeed (not a bug)."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None:
        return str(sqlstate).startswith(_RETRYABLE_SQLSTATE)
    sqlite_code = getattr(exc.orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return (int(sqlite_code) & 0xFF) in _SQLITE_BUSY
    return True  # psycopg's connection-level failures carry no SQLSTATE


def unavailable() -> JSONResponse:
    return JSONResponse(
        error_body(
            "database_unavailable",
            "Cơ sở dữ liệu tạm thời không truy cập được. Hãy thử lại sau ít giây "
            "(gửi lại cùng Idempotency-Key để thao tác không bị làm hai lần).",
            "The database is briefly unavailable. Try again in a few seconds (with the same "
            "Idempotency-Key, so the action is not done twice).",
        ),
        status_code=503,
        headers={"Retry-After": "2"},
    )


class CatchAll:
    """Any unexpected exception becomes the JSON 500 (logged), unless the response has already
    started. A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` (``@app.middleware``)
    runs each request through extra tasks and memory streams, which cost ~15 % of an action."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            where = (scope.get("method"), scope.get("path"))
            if database_unavailable(exc) and not started:
                log.warning("database unavailable on %s %s: %s", *where, exc)
                await unavailable()(scope, receive, send)
                return
            log.exception("unhandled error on %s %s", *where)
            if started:
                raise
            await internal_error()(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(AwardflowError, _domain)
    app.add_exception_handler(ItemRefused, _item_refused)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_middleware(CatchAll)
