"""``mount(app, svc)``: the web pages on the API's FastAPI app (``api.app.create_app`` calls it
once). Pages live at ``/`` next to the API under ``/api``; static files at ``/static``."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from awardflow.api.deps import Services
from awardflow.web import errors
from awardflow.web.csrf import csrf_protect
from awardflow.web.pages import ROUTERS
from awardflow.web.session import WebMiddleware

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI, svc: Services) -> None:
    """Add the pages, their session and security middleware, error pages and static files."""
    errors.install(app)
    app.add_middleware(WebMiddleware, settings=svc.settings.web)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(csrf_protect)])
