"""When a campaign happens: its plan, period, phases with their reviews, and rounds.

These sections check what they can check alone; that each round lies inside its phase is
checked in :mod:`awardflow.campaigns.schema`. All dates are inclusive last days: a plan's
"trước ngày 15/12" (before 15 December) is written ``12-14``, because a deadline falls due at
the end of its day (``campaigns/calendar.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import PositiveInt, model_validator

from awardflow.campaigns.catalogue import AwardType
from awardflow.campaigns.schema_base import (
    Code,
    Frozen,
    Issue,
    ReviewKind,
    RoundKind,
    Text,
    raise_issues,
)

__all__ = ["Limits", "Period", "Phase", "PlanRef", "Review", "Round", "RoundDates"]


def _order_issue(field: str, value: dt.date, before: str, earlier: dt.date) -> Issue:
    return Issue(
        (field,),
        f"{field} ({value}) không được sớm hơn {before} ({earlier})",
        f"{field} ({value}) must not be before {before} ({earlier})",
    )


class PlanRef(Frozen):
    """The plan (kế hoạch) as printed. A draft leaves number and day blank ("Số: /KH-SGDDT",
    "ngày tháng 5 năm 2026"): ``date`` is then null and ``dateline`` keeps the printed words."""

    number: str | None
    date: dt.date | None
    dateline: str | None = None


class Period(Frozen):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise_issues([_order_issue("end", self.end, "start", self.start)])
        return self


class Review(Frozen):
    """The event that closes a phase. ``when`` is the plan's own wording ("cuối năm 2027",
    "quý IV năm 2030"); ``date`` is the last day that wording allows, until the real date
    is known."""

    kind: ReviewKind
    name: Text
    date: dt.date
    when: str | None = None


class Phase(Frozen):
    code: Code
    name: Text
    start: dt.date
    end: dt.date
    review: Review

    @model_validator(mode="after")
    def _dates_in_phase(self) -> Phase:
        issues: list[Issue] = []
        if self.end < self.start:
            issues.append(_order_issue("end", self.end, "start", self.start))
        elif not self.start <= self.review.date <= self.end:
            issues.append(
                Issue(
                    ("review", "date"),
                    f"ngày {self.review.name.lower()} ({self.review.date}) phải nằm trong giai "
                    f"đoạn, từ {self.start} đến {self.end}",
                    f"the review date ({self.review.date}) must fall within the phase, "
                    f"{self.start} to {self.end}",
                )
            )
        raise_issues(issues)
        return self


class RoundDates(Frozen):
    """Absolute deadlines of a round, one per lifecycle phase; null where it does not apply
    (a round whose awards are all decided by the organiser has no ``submission_by``)."""

    #: The yearly report on the campaign is due (báo cáo kết quả thực hiện phong trào).
    report_due: dt.date | None = None
    proposals_close: dt.date
    #: Appraisal starts no earlier than this (Lâm Đồng: "sau ngày 10 tháng 11").
    appraisal_opens: dt.date | None = None
    appraisal_due: dt.date | None = None
    council_by: dt.date | None = None
    submission_by: dt.date | None = None

    #: The lifecycle order the dates must keep.
    ORDER: ClassVar[tuple[str, ...]] = (
        "proposals_close",
        "appraisal_opens",
        "appraisal_due",
        "council_by",
        "submission_by",
    )

    def present(self) -> list[tuple[str, dt.date]]:
        """Every date that is set, as (field, date), in field order."""
        return [(name, v) for name in type(self).model_fields if (v := getattr(self, name))]

    @model_validator(mode="after")
    def _lifecycle_order(self) -> RoundDates:
        issues: list[Issue] = []
        last: tuple[str, dt.date] | None = None
        for name in self.ORDER:
            value: dt.date | None = getattr(self, name)
            if value is None:
                continue
            if last is not None and value < last[1]:
                issues.append(_order_issue(name, value, last[0], last[1]))
            last = (name, value)
        raise_issues(issues)
        return self


class Limits(Frozen):
    """Relative time limits in working days; the deadline is the earlier of the limit and the
    round's date. Defaults from DOMAIN.md, "Time limits" (plans never state them)."""

    #: Appraisal of one dossier: half of the 20 days DOMAIN.md gives to appraise and submit.
    appraise: PositiveInt = 10
    #: The unit answers a return: the 5 days DOMAIN.md gives for a return, mirrored.
    return_answer: PositiveInt = 5
    #: The receiving authority answers a submission: appraise and submit, 20 days.
    authority_answer: PositiveInt = 20
    #: The director decides (or forwards) after the council: 10 days.
    decide: PositiveInt = 10


class Round(Frozen):
    code: Code
    name: Text
    kind: RoundKind
    phase: Code
    opens: dt.date
    dates: RoundDates
    limits: Limits = Limits()

    @property
    def award_type(self) -> AwardType:
        """Thematic and ad hoc results never count toward merit chains (DOMAIN.md)."""
        if self.kind is RoundKind.THEMATIC:
            return AwardType.THEMATIC
        if self.kind is RoundKind.ADHOC:
            return AwardType.ADHOC
        return AwardType.CAMPAIGN

    def all_dates(self) -> list[tuple[tuple[str, ...], dt.date]]:
        """Every date of the round with its path: ``opens`` and then ``dates.*``."""
        return [(("opens",), self.opens)] + [(("dates", n), d) for n, d in self.dates.present()]

    @model_validator(mode="after")
    def _opens_first(self) -> Round:
        raise_issues(
            [
                Issue(
                    loc,
                    f"{loc[-1]} ({value}) không được sớm hơn ngày mở đợt opens ({self.opens})",
                    f"{loc[-1]} ({value}) must not be before the round opens ({self.opens})",
                )
                for loc, value in self.all_dates()
                if value < self.opens
            ]
        )
        return self
