"""Which deadline a waiting state gets (DESIGN §2, "Deadlines and escalation").

Each state takes the earlier of a relative limit in working days and the round's absolute date
for that phase. The department's appraisal clock runs from the proposal and stops while the
dossier is back with its unit; on re-proposal it resumes with the days left.
"""

from __future__ import annotations

from datetime import date, datetime

from awardflow.campaigns.calendar import (
    WorkingCalendar,
    compute_due,
    local_date,
    remaining_working_days,
)
from awardflow.db.models import Nomination, Round
from awardflow.states.lifecycle import NominationState as S

#: When a round gives no limit, DOMAIN.md's defaults (working days).
DEFAULT_LIMITS = {"appraise": 20, "return_answer": 5, "authority_answer": 20, "decide": 10}


def _limit(value: int | None, name: str) -> int:
    return value if value is not None else DEFAULT_LIMITS[name]


def due_for(
    nomination: Nomination, rnd: Round, calendar: WorkingCalendar, now: datetime
) -> datetime | None:
    """The deadline for the nomination's current state, entered at ``now``."""
    state = nomination.state
    relative: int | None = None
    absolute: date | None = None
    if state is S.DRAFT:
        absolute = rnd.proposals_close
    elif state in (S.PROPOSED, S.IN_APPRAISAL):
        used = nomination.dept_days_used
        relative = remaining_working_days(_limit(rnd.limit_appraise, "appraise"), used)
        absolute = rnd.appraisal_due
        started = nomination.dept_clock_started_at or now
        return compute_due(started, calendar, relative, absolute)
    elif state is S.RETURNED or state is S.AUTHORITY_RETURNED:
        relative = _limit(rnd.limit_return_answer, "return_answer")
    elif state in (S.APPRAISED, S.IN_COUNCIL):
        absolute = rnd.council_by
    elif state is S.COUNCIL_APPROVED:
        relative = _limit(rnd.limit_decide, "decide")
        absolute = rnd.submission_by
    elif state is S.SUBMITTED:
        relative = _limit(rnd.limit_authority_answer, "authority_answer")
    else:
        return None
    return compute_due(now, calendar, relative, absolute)


def days_spent(calendar: WorkingCalendar, since: datetime | None, now: datetime) -> int:
    """Working days of the department's clock between ``since`` and ``now``."""
    if since is None:
        return 0
    return calendar.working_days_between(local_date(since), local_date(now))
