"""What every ``awardflow`` sub-command shares: the configured database for one command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from awardflow.settings import get_settings

if TYPE_CHECKING:
    from awardflow.db.session import Database


@contextmanager
def database() -> Iterator[Database]:
    """The configured database for one command, disposed of afterwards."""
    from awardflow.db.session import Database

    db = Database(get_settings().database_url)
    try:
        yield db
    finally:
        db.dispose()
