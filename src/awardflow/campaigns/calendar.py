"""The Vietnamese working-day calendar that every deadline is counted on (DESIGN.md §2).

Legal time limits are in working days (DOMAIN.md, "Time limits"): weekends, Tết and the other
public holidays do not count, a government-announced make-up Saturday does, and an extra day off
does not. Public holidays come from the ``holidays`` package; the make-up Saturdays it already
knows (``weekend_workdays``, the other half of its "Ngày nghỉ (thay cho ...)" swaps) are honoured
so that a swapped week keeps its five working days. Everything the package does not know comes
from overrides, which always win.

Pure and I/O-free: the caller loads the overrides. A sweep computes due dates for up to a million
nominations, so each year is built once (package data in a process-wide cache, the calendar's own
working days in the instance) and every query is a set lookup or a binary search.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from holidays import country_holidays

__all__ = [
    "TZ",
    "CalendarOverride",
    "DayKind",
    "WorkingCalendar",
    "compute_due",
    "end_of_day",
    "local_date",
    "remaining_working_days",
]

TZ: ZoneInfo = ZoneInfo("Asia/Ho_Chi_Minh")
"""Deadlines are local: a dossier due "on 10 November" is due at the end of that day in Vietnam."""

_END_OF_DAY = time(23, 59, 59)
_DEFAULT_DAY_OFF_NAME = "Ngày nghỉ"


class DayKind(StrEnum):
    """What an override makes of a day, whatever the weekday and the holidays package say."""

    WORKDAY = "workday"  # a make-up working day (e.g. a Saturday worked instead of a bridge day)
    DAY_OFF = "day_off"  # an extra day off announced by the government


@dataclass(frozen=True, slots=True)
class CalendarOverride:
    """One announced exception to the calendar (a row of the override table)."""

    day: date
    kind: DayKind
    note: str = ""

    def __post_init__(self) -> None:
        # A datetime is a date but never equals one, so it would silently match nothing.
        if isinstance(self.day, datetime):
            raise TypeError(f"CalendarOverride.day must be a date, not a datetime: {self.day!r}")
        # Normalise "workday"/"day_off" strings from the DB; anything else is a data error.
        object.__setattr__(self, "kind", DayKind(self.kind))


@dataclass(frozen=True, slots=True)
class _PackageYear:
    """What the holidays package says about one calendar year."""

    names: Mapping[date, str]  # public holidays (any weekday), Vietnamese names
    makeup: frozenset[date]  # weekend days the package says are worked


_PACKAGE_YEARS: dict[int, _PackageYear] = {}


def _package_year(year: int) -> _PackageYear:
    """Return the holidays package's data for ``year``, built once per process.

    ``weekend_workdays`` also lists swaps that cross New Year (2014-12-27 worked for 2015-01-02
    off) whatever year is asked for, hence the filter. Two threads may build the same year at
    once; both get equal data and the dict keeps one, so no lock is needed.
    """
    data = _PACKAGE_YEARS.get(year)
    if data is None:
        source = country_holidays("VN", years=year, language="vi")
        data = _PACKAGE_YEARS[year] = _PackageYear(
            names={day: name for day, name in source.items() if day.year == year},
            makeup=frozenset(day for day in source.weekend_workdays if day.year == year),
        )
    return data


@dataclass(frozen=True, slots=True)
class _YearDays:
    """One year's working days as ordinals: sorted for bisection, and as a set for membership."""

    ordinals: tuple[int, ...]
    members: frozenset[int]


class WorkingCalendar:
    """Working days in Vietnam: Mon–Fri minus public holidays, corrected by overrides.

    Build one per set of overrides and reuse it; each year's working days are computed on first
    use and kept, so later calls cost a dict lookup plus a set lookup or a bisection.
    """

    __slots__ = ("_overrides", "_years")

    def __init__(self, overrides: Iterable[CalendarOverride] = ()) -> None:
        self._overrides: dict[date, CalendarOverride] = {}
        for override in overrides:
            if override.day in self._overrides:
                # Two rows for one day mean the table is wrong; guessing which wins would hide it.
                raise ValueError(f"more than one calendar override for {override.day.isoformat()}")
            self._overrides[override.day] = override
        self._years: dict[int, _YearDays] = {}

    def _days(self, year: int) -> _YearDays:
        days = self._years.get(year)
        if days is None:
            days = self._years[year] = self._build_year(year)
        return days

    def _build_year(self, year: int) -> _YearDays:
        package = _package_year(year)
        working: list[int] = []
        for ordinal in range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1):
            day = date.fromordinal(ordinal)
            override = self._overrides.get(day)
            if override is not None:
                is_working = override.kind is DayKind.WORKDAY
            elif day.weekday() >= 5:
                is_working = day in package.makeup
            else:
                is_working = day not in package.names
            if is_working:
                working.append(ordinal)
        return _YearDays(tuple(working), frozenset(working))

    def is_working_day(self, day: date) -> bool:
        """True on Mon–Fri that are not public holidays, and on make-up days; overrides win."""
        return day.toordinal() in self._days(day.year).members

    def holiday_name(self, day: date) -> str | None:
        """Name a day off for the UI: the override note, else the package's Vietnamese name.

        None for working days (a WORKDAY override cancels the holiday) and for plain weekends,
        which are not holidays.
        """
        override = self._overrides.get(day)
        package_name = _package_year(day.year).names.get(day)
        if override is None:
            return package_name
        if override.kind is DayKind.WORKDAY:
            return None
        return override.note or package_name or _DEFAULT_DAY_OFF_NAME

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (the day of receipt itself never counts).

        ``n == 0`` means "today if working, else the next working day", so a zero limit never
        lands on a day off.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if n == 0:
            return self.next_working_day(start)
        year = start.year
        days = self._days(year).ordinals
        index = bisect_right(days, start.toordinal())  # first working day after start
        while index + n > len(days):
            n -= len(days) - index
            year += 1
            days = self._days(year).ordinals
            index = 0
        return date.fromordinal(days[index + n - 1])

    def next_working_day(self, day: date) -> date:
        """The first working day on or after ``day``."""
        year = day.year
        days = self._days(year).ordinals
        index = bisect_left(days, day.toordinal())
        while index == len(days):
            year += 1
            days = self._days(year).ordinals
            index = 0
        return date.fromordinal(days[index])

    def previous_working_day(self, day: date) -> date:
        """The last working day on or before ``day``: where a deadline on a day off moves to."""
        year = day.year
        days = self._days(year).ordinals
        count = bisect_right(days, day.toordinal())  # working days <= day in this year
        while count == 0:
            year -= 1
            days = self._days(year).ordinals
            count = len(days)
        return date.fromordinal(days[count - 1])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``, i.e. how many a clock started on ``start`` has used."""
        if end <= start:
            return 0
        first, last = start.toordinal(), end.toordinal()
        total = 0
        for year in range(start.year, end.year + 1):
            days = self._days(year).ordinals
            total += bisect_right(days, last) - bisect_right(days, first)
        return total


def end_of_day(day: date) -> datetime:
    """23:59:59 Vietnam time on ``day``: a deadline "by 10 November" allows all of that day."""
    return datetime.combine(day, _END_OF_DAY, tzinfo=TZ)


def local_date(moment: datetime) -> date:
    """The Vietnamese calendar date of ``moment``; a naive datetime is taken to be UTC.

    Working days are counted from the local date, so 20:00 UTC already belongs to the next day.
    """
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ).date()


def compute_due(
    now: datetime,
    cal: WorkingCalendar,
    limit_working_days: int | None,
    absolute: date | None,
) -> datetime | None:
    """The deadline of a waiting state: the earlier of the relative limit and the round's date.

    The relative limit is counted in working days from ``now``'s local date. An absolute date
    that falls on a day off moves back to the previous working day, so a due date is never on a
    non-working day and never after the round's date. A past absolute date is still returned
    (moved back like any other): the caller sees the dossier is overdue. None when neither applies.
    """
    candidates: list[date] = []
    if limit_working_days is not None:
        candidates.append(cal.add_working_days(local_date(now), limit_working_days))
    if absolute is not None:
        candidates.append(cal.previous_working_day(absolute))
    if not candidates:
        return None
    return end_of_day(min(candidates))


def remaining_working_days(limit: int, used: int) -> int:
    """What is left of a limit after ``used`` working days, never negative.

    A returned dossier's clock is the unit's: when it is re-proposed the department resumes with
    what it had left, not a fresh limit.
    """
    if limit < 0 or used < 0:
        raise ValueError(f"limit and used must be >= 0, got limit={limit}, used={used}")
    return max(limit - used, 0)
