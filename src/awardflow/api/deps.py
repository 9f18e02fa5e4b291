"""What every route needs, as FastAPI dependencies: the app's services (database, service
context, file store, clock) and the calling actor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Path, Query, Request

from awardflow.api.ratelimit import SlidingWindow
from awardflow.db.session import Database
from awardflow.services.context import ServiceContext
from awardflow.services.evidence import FileStore
from awardflow.settings import Settings
from awardflow.states import Actor


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    db: Database
    ctx: ServiceContext
    store: FileStore
    clock: Callable[[], datetime] = _utcnow
    limiters: dict[str, SlidingWindow] = field(default_factory=dict)
    #: user id -> (monotonic expiry, Actor): the caller's grants, reused for a few seconds
    actors: dict[int, tuple[float, Actor]] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()


async def services(request: Request) -> Services:
    """``async`` because it does no I/O: FastAPI runs a plain ``def`` dependency in its thread
    pool, a round trip between threads for every request that uses it."""
    svc = request.app.state.services
    assert isinstance(svc, Services)
    return svc


Svc = Annotated[Services, Depends(services)]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip.")]

#: Database ids: positive and within a 32-bit integer (larger values cannot exist).
MAX_ID = 2**31 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
