"""The working-day calendar: Tết, Hùng Kings' day, weekends, overrides and due dates.

Holiday dates are the holidays package's (checked against holidays.VN(language="vi")):
Tết 2027 is 2027-02-04 (Thu) .. 2027-02-10 (Wed); Tết 2028 is 2028-01-24 (Mon) .. 2028-01-29 (Sat);
Hùng Kings' day is 2027-04-16 (Fri) and 2028-04-04 (Tue).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awardflow.campaigns.calendar import (
    TZ,
    CalendarOverride,
    DayKind,
    WorkingCalendar,
    compute_due,
    end_of_day,
    local_date,
    remaining_working_days,
)

CAL = WorkingCalendar()


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


# --- Tết ---------------------------------------------------------------------------------------


def test_tet_2027_days_are_not_working() -> None:
    tet = [date(2027, 2, 4) + timedelta(days=i) for i in range(7)]
    assert not any(CAL.is_working_day(d) for d in tet)
    assert CAL.holiday_name(date(2027, 2, 6)) == "Tết Nguyên Đán"
    assert CAL.is_working_day(date(2027, 2, 3))
    assert CAL.is_working_day(date(2027, 2, 11))


def test_tet_2027_one_working_day_after_last_day_before_is_first_day_after() -> None:
    assert CAL.add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)
    assert CAL.next_working_day(date(2027, 2, 4)) == date(2027, 2, 11)
    assert CAL.previous_working_day(date(2027, 2, 10)) == date(2027, 2, 3)


def test_tet_2027_working_days_between() -> None:
    # (Mon 1 Feb, Fri 12 Feb]: 2, 3, then Tết, then 11, 12.
    assert CAL.working_days_between(date(2027, 2, 1), date(2027, 2, 12)) == 4
    # A 5-working-day return limit received on Mon 1 Feb ends a full week after Tết starts.
    assert CAL.add_working_days(date(2027, 2, 1), 5) == date(2027, 2, 15)


def test_tet_2028_spans_a_week_ending_on_saturday() -> None:
    assert CAL.add_working_days(date(2028, 1, 21), 1) == date(2028, 1, 31)
    assert CAL.working_days_between(date(2028, 1, 21), date(2028, 1, 31)) == 1
    assert CAL.working_days_between(date(2028, 1, 17), date(2028, 2, 4)) == 4 + 5
    assert CAL.holiday_name(date(2028, 1, 25)) == "Giao thừa Tết Nguyên Đán"


# --- Hùng Kings' day, weekends, New Year ----------------------------------------------------


def test_hung_kings_day_2027_friday() -> None:
    assert not CAL.is_working_day(date(2027, 4, 16))
    assert CAL.holiday_name(date(2027, 4, 16)) == "Ngày Giỗ Tổ Hùng Vương"
    assert CAL.add_working_days(date(2027, 4, 15), 1) == date(2027, 4, 19)


def test_hung_kings_day_2028_tuesday() -> None:
    assert not CAL.is_working_day(date(2028, 4, 4))
    assert CAL.add_working_days(date(2028, 4, 3), 1) == date(2028, 4, 5)
    assert CAL.working_days_between(date(2028, 4, 3), date(2028, 4, 7)) == 3


def test_weekend() -> None:
    saturday, sunday = date(2027, 3, 6), date(2027, 3, 7)
    assert not CAL.is_working_day(saturday)
    assert not CAL.is_working_day(sunday)
    assert CAL.holiday_name(saturday) is None
    assert CAL.add_working_days(date(2027, 3, 5), 1) == date(2027, 3, 8)
    assert CAL.add_working_days(date(2027, 3, 6), 1) == date(2027, 3, 8)
    assert CAL.working_days_between(date(2027, 3, 5), date(2027, 3, 8)) == 1


def test_counting_crosses_new_year_and_its_substitute_day() -> None:
    # 2028-01-01 is a Saturday, observed on Monday 3 January.
    assert CAL.add_working_days(date(2027, 12, 31), 1) == date(2028, 1, 4)
    assert CAL.previous_working_day(date(2028, 1, 3)) == date(2027, 12, 31)
    assert CAL.working_days_between(date(2027, 12, 30), date(2028, 1, 4)) == 2


def test_zero_and_negative_counts() -> None:
    assert CAL.add_working_days(date(2027, 3, 5), 0) == date(2027, 3, 5)
    assert CAL.add_working_days(date(2027, 3, 6), 0) == date(2027, 3, 8)
    assert CAL.working_days_between(date(2027, 3, 8), date(2027, 3, 8)) == 0
    assert CAL.working_days_between(date(2027, 3, 9), date(2027, 3, 1)) == 0
    with pytest.raises(ValueError, match="n must be >= 0"):
        CAL.add_working_days(date(2027, 3, 5), -1)


def test_package_swap_keeps_its_make_up_saturday() -> None:
    # The package gives Mon 2026-08-31 off "thay cho ngày 22/08/2026": that Saturday is worked.
    assert not CAL.is_working_day(date(2026, 8, 31))
    assert CAL.is_working_day(date(2026, 8, 22))
    assert CAL.add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)


def test_package_swaps_across_new_year() -> None:
    # 2015-01-02 off, worked on Saturday 2014-12-27; 2018-12-31 off, worked on Saturday 2019-01-05.
    assert CAL.is_working_day(date(2014, 12, 27))
    assert not CAL.is_working_day(date(2015, 1, 2))
    assert CAL.is_working_day(date(2019, 1, 5))
    assert CAL.working_days_between(date(2018, 12, 28), date(2019, 1, 7)) == 5  # 2, 3, 4, 5, 7


# --- overrides ------------------------------------------------------------------------------


def test_make_up_saturday_override_is_a_working_day() -> None:
    saturday = date(2027, 2, 20)
    cal = WorkingCalendar([CalendarOverride(saturday, DayKind.WORKDAY, "Làm bù")])
    assert cal.is_working_day(saturday)
    assert cal.holiday_name(saturday) is None
    assert cal.add_working_days(date(2027, 2, 19), 1) == saturday
    assert cal.previous_working_day(date(2027, 2, 21)) == saturday
    assert cal.working_days_between(date(2027, 2, 19), date(2027, 2, 22)) == 2
    assert CAL.add_working_days(date(2027, 2, 19), 1) == date(2027, 2, 22)  # others unaffected


def test_day_off_override_extends_a_holiday() -> None:
    monday = date(2027, 9, 6)
    cal = WorkingCalendar([CalendarOverride(monday, DayKind.DAY_OFF, "Nghỉ thêm Quốc khánh")])
    assert not cal.is_working_day(monday)
    assert cal.holiday_name(monday) == "Nghỉ thêm Quốc khánh"
    # 2 and 3 September are holidays, then the weekend, then the extra day off.
    assert cal.add_working_days(date(2027, 9, 1), 1) == date(2027, 9, 7)
    assert CAL.add_working_days(date(2027, 9, 1), 1) == monday


def test_workday_override_beats_a_package_holiday() -> None:
    day = date(2027, 11, 24)  # Ngày Văn hóa Việt Nam, a Wednesday
    cal = WorkingCalendar([CalendarOverride(day, DayKind("workday"))])
    assert not CAL.is_working_day(day)
    assert cal.is_working_day(day)
    assert cal.holiday_name(day) is None
    assert CAL.holiday_name(day) == "Ngày Văn hóa Việt Nam"


def test_override_kind_from_a_string_and_bad_input() -> None:
    override = CalendarOverride(date(2027, 1, 4), "day_off")  # type: ignore[arg-type]
    assert override.kind is DayKind.DAY_OFF
    assert WorkingCalendar([override]).holiday_name(date(2027, 1, 4)) == "Ngày nghỉ"
    with pytest.raises(ValueError, match="holiday"):
        CalendarOverride(date(2027, 1, 4), "holiday")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a datetime"):
        CalendarOverride(datetime(2027, 1, 4, tzinfo=TZ), DayKind.DAY_OFF)
    with pytest.raises(ValueError, match="more than one calendar override for 2027-01-04"):
        WorkingCalendar([override, CalendarOverride(date(2027, 1, 4), DayKind.WORKDAY)])


# --- time zone helpers ----------------------------------------------------------------------


def test_end_of_day_is_local_and_aware() -> None:
    due = end_of_day(date(2027, 11, 10))
    assert due.tzinfo is TZ
    assert due.utcoffset() == timedelta(hours=7)
    assert due.astimezone(UTC) == datetime(2027, 11, 10, 16, 59, 59, tzinfo=UTC)


def test_local_date_converts_aware_and_treats_naive_as_utc() -> None:
    assert local_date(datetime(2027, 11, 1, 16, 59, tzinfo=UTC)) == date(2027, 11, 1)
    assert local_date(datetime(2027, 11, 1, 17, 0, tzinfo=UTC)) == date(2027, 11, 2)
    assert local_date(datetime(2027, 11, 1, 17, 0)) == date(2027, 11, 2)
    paris = timezone(timedelta(hours=1))
    assert local_date(datetime(2027, 11, 1, 23, 30, tzinfo=paris)) == date(2027, 11, 2)


# --- compute_due ----------------------------------------------------------------------------


def test_compute_due_relative_limit_wins_when_earlier() -> None:
    due = compute_due(_at(date(2027, 11, 1)), CAL, 5, date(2027, 11, 25))
    assert due == end_of_day(date(2027, 11, 8))


def test_compute_due_absolute_date_wins_when_earlier() -> None:
    due = compute_due(_at(date(2027, 11, 1)), CAL, 20, date(2027, 11, 10))
    assert due == end_of_day(date(2027, 11, 10))


def test_compute_due_relative_only_counts_from_local_date() -> None:
    # 20:00 UTC on Monday is already Tuesday in Vietnam; one working day later is Wednesday.
    assert compute_due(datetime(2027, 11, 1, 20, tzinfo=UTC), CAL, 1, None) == end_of_day(
        date(2027, 11, 3)
    )
    assert compute_due(datetime(2027, 11, 1, 20), CAL, 1, None) == end_of_day(date(2027, 11, 3))
    # A zero limit received on a Saturday is due on Monday, never on the day off.
    assert compute_due(_at(date(2027, 3, 6)), CAL, 0, None) == end_of_day(date(2027, 3, 8))


@pytest.mark.parametrize(
    ("absolute", "expected"),
    [
        (date(2027, 11, 14), date(2027, 11, 12)),  # Sunday -> Friday
        (date(2027, 9, 3), date(2027, 9, 1)),  # Quốc khánh 2 and 3 September -> Wednesday
        (date(2027, 2, 8), date(2027, 2, 3)),  # inside Tết -> last day before it
        (date(2027, 11, 10), date(2027, 11, 10)),  # a working day stays
    ],
)
def test_compute_due_absolute_on_a_day_off_moves_back(absolute: date, expected: date) -> None:
    assert compute_due(_at(date(2027, 1, 4)), CAL, None, absolute) == end_of_day(expected)


def test_compute_due_absolute_on_day_off_moves_back_even_past_the_relative_date() -> None:
    # Relative: Fri 12 Nov; absolute Sun 14 Nov moves back to Fri 12 Nov too; Mon 15 would be wrong.
    due = compute_due(_at(date(2027, 11, 1)), CAL, 9, date(2027, 11, 14))
    assert due == end_of_day(date(2027, 11, 12))


def test_compute_due_none_when_nothing_applies() -> None:
    assert compute_due(_at(date(2027, 11, 1)), CAL, None, None) is None


def test_compute_due_past_absolute_is_returned_overdue() -> None:
    now = _at(date(2027, 12, 1))
    due = compute_due(now, CAL, 10, date(2027, 11, 14))
    assert due == end_of_day(date(2027, 11, 12))
    assert due is not None
    assert due < now


def test_compute_due_is_local_end_of_day() -> None:
    due = compute_due(datetime(2027, 11, 1, 3, tzinfo=UTC), CAL, 3, None)
    assert due is not None
    assert due.tzinfo is TZ
    assert (due.hour, due.minute, due.second) == (23, 59, 59)
    assert due.utcoffset() == timedelta(hours=7)


def test_remaining_working_days() -> None:
    assert remaining_working_days(20, 7) == 13
    assert remaining_working_days(5, 9) == 0
    assert remaining_working_days(5, 0) == 5
    with pytest.raises(ValueError, match="must be >= 0"):
        remaining_working_days(5, -1)


# --- properties -----------------------------------------------------------------------------

_NOW = st.datetimes(
    min_value=datetime(2026, 1, 1),
    max_value=datetime(2030, 12, 31, 23, 59),
    timezones=st.sampled_from([UTC, TZ, timezone(timedelta(hours=-5))]),
)
_DAYS = st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31))
_ONE_DAY = timedelta(days=1)


def _step_forward(start: date, n: int) -> date:
    """Reference add_working_days: walk day by day, independent of the calendar's bisection."""
    day = start
    if n == 0:
        while not CAL.is_working_day(day):
            day += _ONE_DAY
        return day
    while n:
        day += _ONE_DAY
        if CAL.is_working_day(day):
            n -= 1
    return day


def _step_back(day: date) -> date:
    while not CAL.is_working_day(day):
        day -= _ONE_DAY
    return day


@given(now=_NOW, limit=st.none() | st.integers(0, 40), absolute=st.none() | _DAYS)
def test_due_date_is_a_working_day_never_after_the_absolute_date(
    now: datetime, limit: int | None, absolute: date | None
) -> None:
    due = compute_due(now, CAL, limit, absolute)
    if limit is None and absolute is None:
        assert due is None
        return
    assert due is not None
    assert due.tzinfo is TZ
    assert due.timetz().replace(tzinfo=None) == time(23, 59, 59)
    day = due.date()
    assert CAL.is_working_day(day)
    if absolute is not None:
        assert day <= absolute
    expected = []
    if limit is not None:
        expected.append(_step_forward(local_date(now), limit))
    if absolute is not None:
        expected.append(_step_back(absolute))
    assert day == min(expected)


@given(start=_DAYS, n=st.integers(1, 60))
def test_add_working_days_lands_on_the_nth_working_day(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    assert result > start
    assert CAL.is_working_day(result)
    assert CAL.working_days_between(start, result) == n
    assert result == _step_forward(start, n)


@given(day=_DAYS)
def test_next_and_previous_working_day_bracket_the_day(day: date) -> None:
    after, before = CAL.next_working_day(day), CAL.previous_working_day(day)
    assert after == _step_forward(day, 0)
    assert before == _step_back(day)
    assert CAL.add_working_days(day, 0) == after


@given(start=_DAYS, end=_DAYS)
def test_working_days_between_counts_working_days_in_the_half_open_range(
    start: date, end: date
) -> None:
    expected = sum(
        CAL.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
    )
    assert CAL.working_days_between(start, end) == expected


def test_long_spans_cross_several_years() -> None:
    start = date(2026, 12, 30)
    result = CAL.add_working_days(start, 750)
    assert result == _step_forward(start, 750)
    assert CAL.working_days_between(start, result) == 750
    assert CAL.previous_working_day(date(2030, 1, 1)) == _step_back(date(2030, 1, 1))
