"""The FastAPI application: ``create_app(settings, db=None)``.

Plain ``def`` routes (FastAPI runs them in its thread pool; sessions are synchronous). Each
request owns its transaction through ``Database.write()`` / ``read()``.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from awardflow import web
from awardflow.api import errors
from awardflow.api.deps import Services, _utcnow
from awardflow.api.routes import (
    actions,
    auth,
    council,
    evidence,
    health,
    nominations,
    org,
    records,
    work,
)
from awardflow.db.session import Database
from awardflow.services.context import ServiceContext
from awardflow.services.evidence import DiskFileStore, FileStore
from awardflow.settings import Settings

DESCRIPTION = (
    "awardflow: đề nghị, thẩm định, xét duyệt và trình khen thưởng trong phong trào thi đua. "
    "Errors always have the shape {error, message (vi), message_en, field}."
)


def create_app(
    settings: Settings,
    db: Database | None = None,
    *,
    store: FileStore | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The API over ``db`` (or a database opened from ``settings``, disposed at shutdown)."""
    owns_db = db is None
    database = db or Database(settings.database_url, echo=settings.database_echo)
    ctx = ServiceContext.from_settings(settings)
    svc = Services(
        settings=settings,
        db=database,
        ctx=ctx,
        store=store or DiskFileStore(settings.evidence.store_dir),
        clock=clock or _utcnow,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        with database.read() as s:  # the make-up days and extra days off in the database
            ctx.reload_calendar(s)
        yield
        if owns_db:
            database.dispose()

    app = FastAPI(title="awardflow", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.services = svc
    errors.install(app)
    if settings.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.api.cors_origins),
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["ETag"],
        )
    for module in (health, auth, org, nominations, actions, evidence, work, council, records):
        app.include_router(module.router)
    web.mount(app, svc)
    _build_routes(app)
    return app


_BUILD_LOCK = threading.Lock()


def _build_routes(app: FastAPI) -> None:
    """Build every route's dependency model now, under one lock. FastAPI 0.150 builds them
    lazily at the first request, per included router; concurrent first requests (or two apps
    built in parallel) then race on the shared ``Annotated`` parameter metadata."""
    scope = {"type": "http", "path": "/", "method": "GET", "root_path": "", "headers": []}
    with _BUILD_LOCK:
        for route in app.router.routes:
            route.matches(scope)
