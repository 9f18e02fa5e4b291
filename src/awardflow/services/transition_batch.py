"""The batch form of the transition service (:mod:`awardflow.services.transitions`) for the
flows' batches: balanced assignment, council sessions opening and closing, submission
packages, the authority's answers, the sweep's lapses and the supervisor's bulk reassignment.

Each item is decided exactly as ``transition()`` decides it
(``transitions._decide``: the same guards, effects, deadline and audit event), in order, and
the decided items are written together by the same writer (``transitions._write``, which
``transition()`` uses for its one item): one locked select for all rows, the guards' look-ups
the batch cannot change read once, executemany writes. There is no second copy of the
decision or of the writer here: this module only orders, remembers and groups. (They are
called through the module, ``transitions._decide``, so whatever wraps them there — the
lifecycle benchmark times them — sees the batches' items too.)
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.db.repositories import nominations as repo
from awardflow.errors import AwardflowError
from awardflow.services import transitions
from awardflow.services.context import ServiceContext
from awardflow.services.facts import BatchMemo
from awardflow.services.transitions import TransitionResult
from awardflow.states import Actor, Payload, Trigger, parse_trigger


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One transition of a batch: what ``transition()`` takes for one nomination."""

    nomination_id: int
    trigger: str | Trigger
    actor: Actor
    comment: str | None = None
    data: Mapping[str, Any] | None = None
    expected_version: int | None = None


#: Decided moves are written at most this many at a time: enough to amortise each statement,
#: and a bound on what a batch holds in memory at once.
WRITE_EVERY = 100


class TransitionBatch:
    """Many transitions in the caller's transaction, each decided as ``transition()`` decides
    it, in the order they are added, and written together (up to ``WRITE_EVERY`` at a time).

    ``add`` raises what ``transition()`` raises for that item (NotFound, VersionConflict,
    Forbidden, TransitionRefused…) and then has planned nothing: a refused item writes nothing,
    so no savepoint is needed around it. ``write`` stores what was planned (also done before
    a guard reads what earlier items change, and before a second item of the same nomination
    — see :class:`~awardflow.services.facts.BatchMemo`). A failed write (a version moved since
    the select) raises VersionConflict, rolls the batch's writes back to a savepoint, and
    leaves the batch ``broken``: the caller's transaction must not carry on with it."""

    def __init__(self, session: Session, ctx: ServiceContext, *, now: datetime | None = None):
        self.session = session
        self.ctx = ctx
        self.now = now or datetime.now(UTC)
        self.broken = False
        # the memo calls back through a weak reference: a batch -> memo -> batch cycle would
        # leave every row and move of the batch to the cyclic collector
        self.memo = BatchMemo(flush=_weakly(self.write))
        self._rows: dict[int, repo.WithContext] = {}
        self._pending: list[transitions._Move] = []
        self._moved: set[int] = set()  # nominations moved by this batch (written or pending)
        self._known: set[int] = set()  # ids the memo's per-nomination reads cover

    def load(self, nomination_ids: Sequence[int]) -> None:
        """Read (and lock) the rows the batch will move, with their context, in one select."""
        missing = [n for n in dict.fromkeys(nomination_ids) if n not in self._rows]
        if any(n in self._moved for n in missing):
            self.write()  # a row read again must show what this batch did to it
        if missing:
            self._rows.update(repo.get_many_with_context_for_update(self.session, missing))
            self.memo.nomination_ids.extend(n for n in missing if n not in self._known)
            self._known.update(missing)
            self.memo.forget_nominations()

    def add(
        self,
        nomination_id: int,
        trigger: str | Trigger,
        actor: Actor,
        *,
        comment: str | None = None,
        data: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> TransitionResult:
        """Decide one transition; its result is final once :meth:`write` has run."""
        if self.broken:
            raise RuntimeError("this transition batch failed to write; roll back")
        trig = parse_trigger(trigger) if isinstance(trigger, str) else trigger
        self.load([nomination_id])  # a nomination moved before is read again, after a write
        found = self._rows.get(nomination_id)
        if found is None:
            raise transitions._not_found(nomination_id)
        payload = Payload((comment or "").strip() or None, dict(data or {}))
        move = transitions._decide(
            self.session,
            self.ctx,
            found,
            trig,
            actor,
            payload,
            self.now,
            expected_version,
            self.memo,
        )
        self._pending.append(move)
        self._moved.add(nomination_id)
        del self._rows[nomination_id]  # the move holds it until written; a new item re-reads
        result = move.result()
        if len(self._pending) >= WRITE_EVERY:
            self.write()
        return result

    def write(self) -> None:
        """Store every decided, not yet written transition."""
        moves, self._pending = self._pending, []
        if not moves:
            return
        try:
            if len(moves) == 1:  # as transition(): nothing is written when the UPDATE misses
                transitions._write(self.session, moves)
            else:  # an executemany may have updated some rows before one missed
                with self.session.begin_nested():
                    transitions._write(self.session, moves)
        except BaseException:
            self.broken = True
            raise


def _weakly(method: Callable[[], None]) -> Callable[[], None]:
    ref = weakref.WeakMethod(method)

    def call() -> None:
        bound = ref()
        if bound is not None:
            bound()

    return call


TransitionOutcome = TransitionResult | AwardflowError


def transition_many(
    session: Session,
    ctx: ServiceContext,
    items: Sequence[BatchItem],
    *,
    now: datetime | None = None,
) -> list[TransitionOutcome]:
    """``transition()`` for each item, in order, as one batch: per item its result or the
    error ``transition()`` would have raised for it (nothing is written for that item; the
    others go through). A failed write raises (see :class:`TransitionBatch`)."""
    batch = TransitionBatch(session, ctx, now=now)
    batch.load([item.nomination_id for item in items])
    outcomes: list[TransitionOutcome] = []
    for item in items:
        try:
            outcomes.append(
                batch.add(
                    item.nomination_id,
                    item.trigger,
                    item.actor,
                    comment=item.comment,
                    data=item.data,
                    expected_version=item.expected_version,
                )
            )
        except AwardflowError as refused:
            if batch.broken:  # an earlier item's write failed, not this item
                raise
            outcomes.append(refused)
    batch.write()
    return outcomes


__all__ = [
    "WRITE_EVERY",
    "BatchItem",
    "TransitionBatch",
    "TransitionOutcome",
    "transition_many",
]


def transition_all(
    session: Session,
    ctx: ServiceContext,
    items: Sequence[BatchItem],
    *,
    now: datetime | None = None,
) -> None:
    """:func:`transition_many` for a step that must move every item: the first refusal is
    raised, as one failing ``transition()`` call would, and the caller's transaction (the
    entry point's unit of work) keeps nothing of the step."""
    for outcome in transition_many(session, ctx, items, now=now):
        if isinstance(outcome, AwardflowError):
            raise outcome
