"""Helpers of the broadcast tests: announcements with real audio, acting users."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

from smartcity.broadcast import service
from smartcity.broadcast.models import Announcement
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.broadcast.schemas import AnnouncementMeta, ScheduleIn
from smartcity.events import Actor, UnitOfWork
from tests.integrations.audio_support import sox_tone

NOW = datetime(2030, 1, 7, 0, 0, tzinfo=UTC)  # Monday 07:00 in Bangkok


def act_as(uow: UnitOfWork, user_id: int, name: str = "") -> None:
    """Make the unit of work act for a given user id."""
    uow.actor = Actor(user_id, name or f"user{user_id}")


def announcement(
    uow: UnitOfWork,
    data_dir: Path,
    policy: BroadcastSettings,
    *,
    title: str = "ข่าวเช้า",
    priority: str = "routine",
    seconds: float = 2.0,
    approve: bool = True,
) -> Announcement:
    """An announcement made from a sox tone, approved by a second user when asked."""
    src = sox_tone(data_dir / f"src-{title}-{seconds}.wav", seconds)
    meta = AnnouncementMeta(title=title, priority=priority, category="news")  # type: ignore[arg-type]
    act_as(uow, 1001, "creator")
    with src.open("rb") as fh:
        row = service.create_from_upload(uow, data_dir, policy, meta, fh)
    if approve:
        act_as(uow, 1002, "approver")
        service.approve(uow, policy, row.id)
    return row


def schedule_in(
    announcement_id: int,
    zone_ids: list[int],
    *,
    kind: str = "daily",
    at: time = time(7, 30),
    start: date = date(2030, 1, 7),
    end: date | None = None,
    weekdays: list[int] | None = None,
) -> ScheduleIn:
    """A schedule body."""
    return ScheduleIn(
        announcement_id=announcement_id,
        kind=kind,  # type: ignore[arg-type]
        start_date=start,
        end_date=end,
        time_of_day=at,
        weekdays=weekdays or [],
        zone_ids=zone_ids,
    )
