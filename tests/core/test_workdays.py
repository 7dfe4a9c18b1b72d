"""The Chinese working-day calendar behind every deadline."""

import datetime as dt
import zoneinfo

import chinese_calendar
import pytest

from fengqiao.core.workdays import add_workdays, is_workday, workdays_between

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = dt.date


@pytest.mark.parametrize("day,working", [
    (D(2025, 9, 26), True),  # Friday
    (D(2025, 9, 27), False),  # Saturday
    (D(2025, 9, 28), True),  # Sunday, make-up working day (调休) for National Day
    (D(2025, 10, 1), False),  # National Day
    (D(2025, 10, 6), False),  # Mid-Autumn, inside the break
    (D(2025, 10, 8), False),  # last day of the break, a Wednesday
    (D(2025, 10, 9), True),
    (D(2025, 10, 11), True),  # Saturday, make-up working day
    (D(2025, 1, 28), False),  # Spring Festival eve 2025
    (D(2025, 2, 8), True),  # Saturday, make-up working day after Spring Festival
])
def test_is_workday_follows_the_official_arrangement(day, working):
    assert is_workday(day) is working
    assert chinese_calendar.is_workday(day) is working


def test_add_workdays_skips_national_day_and_counts_make_up_days():
    start = dt.datetime(2025, 9, 26, 10, 0, tzinfo=SHANGHAI)
    due = add_workdays(start, 15)
    assert due == dt.datetime(2025, 10, 23, 23, 59, 59, tzinfo=SHANGHAI)
    assert add_workdays(start, 1).date() == D(2025, 9, 28)  # Sunday, but worked
    assert add_workdays(dt.datetime(2025, 9, 30, 18, 0, tzinfo=SHANGHAI), 1).date() == D(2025, 10, 9)


def test_add_workdays_from_a_holiday_counts_from_the_next_working_day():
    assert add_workdays(dt.datetime(2025, 10, 3, 9, 0, tzinfo=SHANGHAI), 1).date() == D(2025, 10, 9)


def test_add_zero_workdays_ends_the_same_day():
    start = dt.datetime(2025, 9, 30, 9, 0, tzinfo=SHANGHAI)
    assert add_workdays(start, 0) == dt.datetime(2025, 9, 30, 23, 59, 59, tzinfo=SHANGHAI)


def test_sixty_workdays_matches_chinese_calendar():
    start = D(2025, 9, 30)
    due = add_workdays(dt.datetime(2025, 9, 30, 10, tzinfo=SHANGHAI), 60).date()
    workdays = chinese_calendar.get_workdays(start + dt.timedelta(days=1), due)
    assert len(workdays) == 60 and workdays[-1] == due
    assert workdays_between(start, due) == 60


def test_workdays_between_is_signed():
    assert workdays_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert workdays_between(D(2025, 10, 9), D(2025, 9, 30)) == -1
    assert workdays_between(D(2025, 10, 1), D(2025, 10, 1)) == 0


def test_years_the_calendar_does_not_know_fall_back_to_weekdays():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2099, 10, 1))
    assert is_workday(D(2099, 10, 1)) is True  # a Thursday
    assert is_workday(D(2099, 10, 3)) is False  # a Saturday
    friday = dt.datetime(2099, 10, 2, 12, tzinfo=SHANGHAI)
    assert add_workdays(friday, 1).date() == D(2099, 10, 5)
