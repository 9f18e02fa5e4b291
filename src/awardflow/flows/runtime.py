"""What a flow run needs: the database and the service context, built once per worker process.

Flows never decide and never write SQL: they open a unit of work per bounded batch and call a
service (DESIGN §3). Tests and the embedded runner may install their own runtime.
"""

from __future__ import annotations

from dataclasses import dataclass

from awardflow.db.session import Database
from awardflow.services.context import ServiceContext
from awardflow.settings import get_settings


@dataclass
class Runtime:
    db: Database
    ctx: ServiceContext


_current: Runtime | None = None


def runtime() -> Runtime:
    global _current
    if _current is None:
        settings = get_settings()
        db = Database(settings.database_url)
        ctx = ServiceContext.from_settings(settings)
        with db.read() as session:
            ctx.reload_calendar(session)
        _current = Runtime(db, ctx)
    return _current


def install(rt: Runtime | None) -> None:
    """Use ``rt`` for the flows of this process (tests); ``None`` goes back to the settings."""
    global _current
    _current = rt
