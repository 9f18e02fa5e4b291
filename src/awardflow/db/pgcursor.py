"""psycopg's cursor with a ``description`` built column by column when read.

psycopg builds a ``Column`` object for every result column each time ``description`` is read,
and SQLAlchemy reads it after every execution. For a statement it has run before, SQLAlchemy
takes the result's columns from its own compiled cache and only asks whether there is a
description at all, so those objects are built for nothing: with the guards' wide rows
(nomination, round, campaign and award in one select) that was ~10 % of a lifecycle's client
CPU on PostgreSQL (bench/README.md). The columns are still there, each built on first access
from the result the cursor held when ``description`` was read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import psycopg
from psycopg import pq

_ROWS = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_CHUNK)


class _Result:
    """What ``psycopg.Column`` reads of a cursor, kept from the moment ``description`` was
    read (the cursor may move on to another result before a column is asked for)."""

    __slots__ = ("_encoding", "adapters", "pgresult")

    def __init__(self, cursor: psycopg.Cursor[Any], result: Any) -> None:
        self.pgresult = result
        self._encoding = cursor._encoding
        self.adapters = cursor.adapters


class LazyDescription(Sequence[psycopg.Column]):
    __slots__ = ("_columns", "_n", "_result")

    def __init__(self, result: _Result, n: int) -> None:
        self._result = result
        self._n = n
        self._columns: dict[int, psycopg.Column] = {}

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> psycopg.Column: ...

    @overload
    def __getitem__(self, index: slice) -> list[psycopg.Column]: ...

    def __getitem__(self, index: int | slice) -> psycopg.Column | list[psycopg.Column]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._n))]
        i = index + self._n if index < 0 else index
        if not 0 <= i < self._n:
            raise IndexError(index)
        column = self._columns.get(i)
        if column is None:
            column = self._columns[i] = psycopg.Column(self._result, i)  # type: ignore[arg-type]
        return column


class Cursor(psycopg.Cursor[Any]):
    """psycopg's client-side cursor, with :class:`LazyDescription` (pass it as the
    connection's ``cursor_factory``)."""

    @property
    def description(self) -> LazyDescription | None:  # type: ignore[override]
        result = self.pgresult
        if result and (result.nfields or result.status in _ROWS):
            return LazyDescription(_Result(self, result), result.nfields)
        return None
