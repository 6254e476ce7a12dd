"""All SQL of the broadcast domain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from smartcity.broadcast.models import Announcement, Schedule, SlotOutcome
from smartcity.kit.pagination import PageParams, paginate


def add(session: Session, row: Any) -> None:
    """Stage a new row and give it its id."""
    session.add(row)
    session.flush()


def get_announcement(session: Session, announcement_id: int) -> Announcement | None:
    """An announcement by id."""
    return session.get(Announcement, announcement_id)


def search_announcements(
    session: Session,
    params: PageParams,
    *,
    q: str = "",
    status: str = "",
    category: str = "",
    priority: str = "",
) -> tuple[list[Announcement], int]:
    """One page of announcements, newest first."""
    stmt: Select[Any] = select(Announcement)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Announcement.title.ilike(like), Announcement.text.ilike(like)))
    for column, value in (
        (Announcement.status, status),
        (Announcement.category, category),
        (Announcement.priority, priority),
    ):
        if value:
            stmt = stmt.where(column == value)
    stmt = stmt.order_by(Announcement.created_at.desc(), Announcement.id.desc())
    return paginate(session, stmt, params)


def find_by_cap(session: Session, identifier: str, sender: str) -> Announcement | None:
    """The announcement made from a CAP alert, if it was ingested before."""
    stmt = select(Announcement).where(Announcement.cap_identifier == identifier)
    for row in session.scalars(stmt):
        if row.cap.get("sender") == sender:
            return row
    return None


def get_schedule(session: Session, schedule_id: int) -> Schedule | None:
    """A schedule by id."""
    return session.get(Schedule, schedule_id)


def list_schedules(
    session: Session, params: PageParams, *, announcement_id: int | None, active: bool | None
) -> tuple[list[Schedule], int]:
    """One page of schedules, most recent first."""
    stmt: Select[Any] = select(Schedule)
    if announcement_id is not None:
        stmt = stmt.where(Schedule.announcement_id == announcement_id)
    if active is not None:
        stmt = stmt.where(Schedule.active.is_(active))
    return paginate(session, stmt.order_by(Schedule.id.desc()), params)


def schedules_of(session: Session, announcement_id: int) -> list[Schedule]:
    """Every schedule of an announcement."""
    stmt = select(Schedule).where(Schedule.announcement_id == announcement_id)
    return list(session.scalars(stmt))


def active_between(session: Session, first: date, last: date) -> list[Schedule]:
    """Active schedules whose date range touches [first, last]."""
    stmt = select(Schedule).where(
        Schedule.active.is_(True),
        Schedule.start_date <= last,
        or_(Schedule.end_date.is_(None), Schedule.end_date >= first, Schedule.kind == "once"),
    )
    return [s for s in session.scalars(stmt) if s.kind != "once" or s.start_date >= first]


def due_rows(session: Session, start: datetime, end: datetime, limit: int) -> list[Any]:
    """Active schedules whose next slot is in [start, end), soonest first, as plain rows.

    Columns, not ORM objects: this is the hot read of the scheduler and skips the identity map.
    """
    stmt = (
        select(
            Schedule.id,
            Schedule.announcement_id,
            Schedule.kind,
            Schedule.start_date,
            Schedule.end_date,
            Schedule.time_of_day,
            Schedule.weekday_mask,
            Schedule.timezone,
            Schedule.zone_ids,
            Schedule.duration_s,
            Schedule.next_due_at,
            Announcement.title,
            Announcement.priority,
        )
        .join(Announcement, Announcement.id == Schedule.announcement_id)
        .where(
            Schedule.active.is_(True),
            Schedule.next_due_at >= start,
            Schedule.next_due_at < end,
        )
        .order_by(Schedule.next_due_at, Schedule.id)
        .limit(limit)
    )
    return list(session.execute(stmt))


def stale(session: Session, before: datetime) -> list[Schedule]:
    """Active schedules whose stored next slot is already in the past (a sweep is due)."""
    stmt = select(Schedule).where(Schedule.active.is_(True), Schedule.next_due_at < before)
    return list(session.scalars(stmt.order_by(Schedule.next_due_at)))


def titles(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    """Title and priority of announcements by id."""
    if not ids:
        return {}
    stmt = select(Announcement.id, Announcement.title, Announcement.priority).where(
        Announcement.id.in_(ids)
    )
    return {row[0]: (row[1], row[2]) for row in session.execute(stmt)}


def outcome_exists(session: Session, schedule_id: int, slot_at: datetime, zone_id: int) -> bool:
    """True if this slot in this zone already has an outcome."""
    stmt = select(SlotOutcome.id).where(
        SlotOutcome.schedule_id == schedule_id,
        SlotOutcome.slot_at == slot_at,
        SlotOutcome.zone_id == zone_id,
    )
    return session.scalar(stmt) is not None


def list_outcomes(
    session: Session,
    params: PageParams,
    *,
    outcome: str,
    schedule_id: int | None,
    unplayed: bool = False,
) -> tuple[list[SlotOutcome], int]:
    """One page of slot outcomes, newest slot first (``unplayed``: all but "played")."""
    stmt: Select[Any] = select(SlotOutcome)
    if outcome:
        stmt = stmt.where(SlotOutcome.outcome == outcome)
    if unplayed:
        stmt = stmt.where(SlotOutcome.outcome != "played")
    if schedule_id is not None:
        stmt = stmt.where(SlotOutcome.schedule_id == schedule_id)
    return paginate(session, stmt.order_by(SlotOutcome.slot_at.desc(), SlotOutcome.id), params)
