"""Recurrence in Bangkok time: once, daily and weekly slots across days, weeks and date ranges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from smartcity.broadcast.recurrence import (
    Rule,
    next_slot,
    occurrences,
    weekday_mask,
    weekdays_of,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daily_slot_at_local_time_is_seven_hours_earlier_in_utc() -> None:
    rule = Rule("daily", date(2030, 1, 1), time(7, 0))
    slots = list(occurrences(rule, utc(2029, 12, 31), utc(2030, 1, 4)))
    assert slots == [utc(2030, 1, 1, 0), utc(2030, 1, 2, 0), utc(2030, 1, 3, 0)]


def test_early_morning_local_slot_falls_on_the_previous_utc_day() -> None:
    rule = Rule("daily", date(2030, 1, 1), time(6, 0), end_date=date(2030, 1, 2))
    assert list(occurrences(rule, utc(2029, 12, 1), utc(2030, 2, 1))) == [
        utc(2029, 12, 31, 23),
        utc(2030, 1, 1, 23),
    ]


def test_weekly_on_chosen_weekdays_across_weeks() -> None:
    # 2030-01-07 is a Monday; Monday, Wednesday and Friday at 18:30 local time.
    mask = weekday_mask([1, 3, 5])
    assert weekdays_of(mask) == [1, 3, 5]
    rule = Rule("weekly", date(2030, 1, 7), time(18, 30), weekday_mask=mask)
    slots = list(occurrences(rule, utc(2030, 1, 7), utc(2030, 1, 21)))
    local = [(s + timedelta(hours=7)).strftime("%a %d %H:%M") for s in slots]
    assert local == [
        "Mon 07 18:30",
        "Wed 09 18:30",
        "Fri 11 18:30",
        "Mon 14 18:30",
        "Wed 16 18:30",
        "Fri 18 18:30",
    ]


def test_date_range_bounds_and_one_off() -> None:
    rule = Rule("daily", date(2030, 3, 10), time(12, 0), end_date=date(2030, 3, 12))
    assert len(list(occurrences(rule, utc(2030, 1, 1), utc(2031, 1, 1)))) == 3
    once = Rule("once", date(2030, 3, 10), time(12, 0), end_date=date(2030, 4, 1))
    assert list(occurrences(once, utc(2030, 1, 1), utc(2031, 1, 1))) == [utc(2030, 3, 10, 5)]


def test_next_slot_skips_to_the_next_weekday_and_ends_with_the_range() -> None:
    rule = Rule("weekly", date(2030, 1, 1), time(8, 0), date(2030, 1, 31), weekday_mask([6]))
    # Saturday 2030-01-05 08:00 local = 01:00 UTC
    assert next_slot(rule, utc(2030, 1, 1)) == utc(2030, 1, 5, 1)
    assert next_slot(rule, utc(2030, 1, 5, 1)) == utc(2030, 1, 5, 1)
    assert next_slot(rule, utc(2030, 1, 5, 1, 0, 1)) == utc(2030, 1, 12, 1)
    assert next_slot(rule, utc(2030, 1, 26, 2)) is None
    assert (
        next_slot(Rule("weekly", date(2030, 1, 1), time(8), weekday_mask=0), utc(2030, 1, 1))
        is None
    )


def test_occurrences_agree_with_next_slot() -> None:
    rule = Rule("weekly", date(2030, 1, 1), time(23, 45), weekday_mask=weekday_mask([2, 7]))
    slots = list(occurrences(rule, utc(2030, 1, 1), utc(2030, 3, 1)))
    walked, t = [], utc(2030, 1, 1)
    while (s := next_slot(rule, t)) is not None and s < utc(2030, 3, 1):
        walked.append(s)
        t = s + timedelta(seconds=1)
    assert slots == walked and len(slots) == 17
