"""Which dossiers will miss their round's next deadline at the current pace: pure arithmetic,
no I/O (``supervisor_views`` gathers the counts from the database).

The method, per round and per stage the department works on:

- **stage and deadline.** Appraisal (``proposed``, ``in_appraisal``, ``returned``) must be done
  by the round's ``appraisal_due``; the council (``appraised``, ``in_council``) by
  ``council_by``; the decision or submission (``council_approved``) by ``submission_by``.
  Proposals (drafts) are the units' own work and invisible to the department, so they are not
  forecast. A stage whose date has passed is not forecast either: its dossiers are already
  overdue and the dashboard lists them.
- **pace.** How many dossiers left the stage (any way out: forward, returned, declined,
  withdrawn) in the last ``WINDOW`` working days, per working day. The window is shortened to
  the working days since the round opened when the round is younger, and is at least one day.
- **time left.** Working days from today through the deadline, today included (the
  Vietnamese calendar: weekends, Tết and holidays, make-up days).
- **forecast.** At that pace the stage can finish ``floor(pace × days left)`` dossiers; the
  rest will miss. Dossiers are taken in order of their own due date (then the time they
  entered the state), so the ones at the end of that queue are the ones named as at risk.
  No pace at all means every open dossier of the stage is at risk.

It is a straight-line projection on purpose: it is easy to check by hand and errs on the side
of warning early when a stage has stalled.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

#: Working days of history the pace is measured over.
WINDOW = 10

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Projection:
    open_now: int
    done_in_window: int
    window_days: int
    days_left: int
    pace: float  # dossiers per working day
    capacity: int  # dossiers the stage can still finish by the deadline
    will_miss: int


def window_days(working_days_since_open: int, window: int = WINDOW) -> int:
    """The pace window: ``window`` working days, or fewer for a young round; at least 1."""
    return max(1, min(window, working_days_since_open))


def project(open_now: int, done_in_window: int, window: int, days_left: int) -> Projection:
    """How many of the ``open_now`` dossiers of a stage will miss a deadline ``days_left``
    working days away when ``done_in_window`` left the stage in the last ``window`` days."""
    if open_now < 0 or done_in_window < 0 or days_left < 0:
        raise ValueError("counts and days must not be negative")
    if window < 1:
        raise ValueError("the window is at least one working day")
    pace = done_in_window / window
    capacity = math.floor(pace * days_left + 1e-9)
    return Projection(
        open_now=open_now,
        done_in_window=done_in_window,
        window_days=window,
        days_left=days_left,
        pace=pace,
        capacity=capacity,
        will_miss=max(0, open_now - capacity),
    )


def at_risk(queue: Sequence[T], will_miss: int) -> list[T]:
    """The dossiers named as at risk: the last ``will_miss`` of the queue (ordered by due
    date, soonest first), since the soonest due are worked first."""
    if will_miss <= 0:
        return []
    return list(queue[-will_miss:])
