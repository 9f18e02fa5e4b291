"""What every service needs besides the session: the audit key, the working-day calendar and
the eligibility check. Built once per process (``ServiceContext.from_settings``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import CalendarOverride, WorkingCalendar
from awardflow.db.repositories import org as org_repo
from awardflow.services.facts import EligibilityCheck
from awardflow.settings import Settings


@dataclass
class ServiceContext:
    audit_key: bytes
    eligibility: EligibilityCheck
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)

    @classmethod
    def from_settings(
        cls, settings: Settings, eligibility: EligibilityCheck | None = None
    ) -> ServiceContext:
        if eligibility is None:
            from awardflow.services.eligibility import check_nomination

            eligibility = check_nomination
        return cls(audit_key=settings.audit_key.encode(), eligibility=eligibility)

    def reload_calendar(self, session: Session) -> WorkingCalendar:
        """Rebuild the calendar from the override table (after ``calendar add`` or at start)."""
        overrides = [
            CalendarOverride(o.day, o.kind, o.note) for o in org_repo.calendar_overrides(session)
        ]
        self.calendar = WorkingCalendar(overrides)
        return self.calendar
