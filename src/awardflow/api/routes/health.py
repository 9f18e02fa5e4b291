"""``GET /api/health``: for load balancers and container health checks. No authentication;
answers 200 when this process can reach the database (one ``SELECT 1``), 503 otherwise, and
says nothing else about the installation."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from awardflow.api.deps import Svc
from awardflow.api.errors import error_body

log = logging.getLogger("awardflow.api")
router = APIRouter(prefix="/api", tags=["health"])


@router.get(
    "/health",
    responses={503: {"description": "The database cannot be reached."}},
    summary="Liveness and database reachability",
)
def health(svc: Svc) -> JSONResponse:
    try:
        with svc.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("health check: database unreachable", exc_info=True)
        body = error_body(
            "database_unavailable",
            "Không kết nối được cơ sở dữ liệu; hãy thử lại sau.",
            "The database cannot be reached; try again later.",
        )
        return JSONResponse({**body, "status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
