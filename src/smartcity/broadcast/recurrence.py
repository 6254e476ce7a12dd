"""Recurrence of schedules in local time: once, daily, weekly; pure functions, no storage.

Slots are defined in the schedule's zone (Asia/Bangkok by default) and handed out in UTC. The
zone is applied per date, so a zone with daylight saving would still keep the wall-clock time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

ALL_WEEKDAYS = 0b1111111


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def weekday_mask(weekdays: list[int]) -> int:
    """ISO weekdays (1 = Monday ... 7 = Sunday) as a bit mask."""
    mask = 0
    for day in weekdays:
        mask |= 1 << (day - 1)
    return mask


def weekdays_of(mask: int) -> list[int]:
    """The ISO weekdays set in a mask."""
    return [d for d in range(1, 8) if mask & (1 << (d - 1))]


@dataclass(frozen=True)
class Rule:
    """When a schedule plays: kind, date range, local time of day and weekdays."""

    kind: str
    start_date: date
    time_of_day: time
    end_date: date | None = None
    weekday_mask: int = ALL_WEEKDAYS
    timezone: str = "Asia/Bangkok"

    def last_date(self) -> date | None:
        """The last date that can hold a slot (None: open-ended)."""
        return self.start_date if self.kind == "once" else self.end_date

    def plays_on(self, day: date) -> bool:
        """True if the rule has a slot on this local date."""
        last = self.last_date()
        if day < self.start_date or (last is not None and day > last):
            return False
        if self.kind == "weekly":
            return bool(self.weekday_mask & (1 << day.weekday()))
        return True

    def slot_on(self, day: date) -> datetime:
        """The UTC instant of the slot on a local date."""
        local = datetime.combine(day, self.time_of_day, tzinfo=_zone(self.timezone))
        return local.astimezone(UTC)


def occurrences(rule: Rule, start: datetime, end: datetime) -> Iterator[datetime]:
    """Slots (UTC) with start <= slot < end, in order."""
    tz = _zone(rule.timezone)
    # A day either side: the local date of a UTC instant may be the day before or after.
    first = max(rule.start_date, start.astimezone(tz).date() - timedelta(days=1))
    last = end.astimezone(tz).date() + timedelta(days=1)
    final = rule.last_date()
    if final is not None:
        last = min(last, final)
    day = first
    while day <= last:
        if rule.plays_on(day):
            slot = rule.slot_on(day)
            if start <= slot < end:
                yield slot
        day += timedelta(days=1)


def next_slot(rule: Rule, after: datetime) -> datetime | None:
    """The first slot at or after ``after`` (UTC), or None when the rule has ended."""
    tz = _zone(rule.timezone)
    day = max(rule.start_date, after.astimezone(tz).date() - timedelta(days=1))
    final = rule.last_date()
    # Eight days covers every weekly pattern; a rule with no weekdays never plays.
    for _ in range(9):
        if final is not None and day > final:
            return None
        if rule.plays_on(day):
            slot = rule.slot_on(day)
            if slot >= after:
                return slot
        day += timedelta(days=1)
    return None
