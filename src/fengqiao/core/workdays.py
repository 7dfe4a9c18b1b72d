"""The Chinese working-day calendar: weekends, public holidays and make-up working days (调休).

chinese_calendar knows each year's official arrangement once the State Council publishes it;
for years it does not know yet we fall back to Monday–Friday, so a deadline is never refused.
"""

import datetime as dt
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=8192)
def is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(start: dt.datetime, days: int) -> dt.datetime:
    """Return the moment `days` working days after `start`, at the end of that working day.

    A limit of N working days counts from the day after `start`; the deadline is 23:59:59 local
    time of the N-th working day, as offices count it.
    """
    tz = start.tzinfo
    day = start.date()
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Return the number of working days after `start` up to and including `end` (negative if end < start)."""
    if end < start:
        return -workdays_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count
