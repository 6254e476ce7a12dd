"""Tables of the broadcast domain: announcements, their schedules and what became of each slot.

Zone and user ids are plain integers, not foreign keys: geography and accounts own those tables.
A schedule keeps ``next_due_at`` (UTC), the start of its next slot, indexed with ``active`` so
"what plays next" is one range scan however many schedules exist.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Final

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.db import Base, UTCDateTime
from smartcity.kit.clock import utcnow

CATEGORIES: Final = ("news", "health", "emergency", "event", "other")
SOURCES: Final = ("upload", "tts")
PRIORITIES: Final = ("routine", "emergency")
STATUSES: Final = ("draft", "approved", "scheduled", "sent", "cancelled")
SCHEDULE_KINDS: Final = ("once", "daily", "weekly")
OUTCOMES: Final = ("played", "partial", "missed", "cancelled", "failed")
DELIVERY_STATUSES: Final = ("sending", "done")


class Announcement(Base):
    """A message for the loudspeakers: its audio in the delivery format and its approval state."""

    __tablename__ = "broadcast_announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20), index=True)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text, default="")
    tts_engine: Mapped[str] = mapped_column(String(40), default="")
    # File name under <data_dir>/audio; empty while a draft has no audio yet.
    audio_file: Mapped[str] = mapped_column(String(100), default="")
    checksum: Mapped[str] = mapped_column(String(64), default="")
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    chime: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True, default="draft")
    zone_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    cap_identifier: Mapped[str] = mapped_column(String(200), default="", index=True)
    cap: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by_name: Mapped[str] = mapped_column(String(120), default="")
    approved_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approved_by_name: Mapped[str] = mapped_column(String(120), default="")
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Schedule(Base):
    """When an announcement plays and where: once, daily or on chosen weekdays, in local time."""

    __tablename__ = "broadcast_schedules"
    __table_args__ = (Index("ix_broadcast_schedules_due", "active", "next_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("broadcast_announcements.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    time_of_day: Mapped[time] = mapped_column(Time)
    # Bit i set = ISO weekday i+1 (bit 0 Monday ... bit 6 Sunday); used by weekly schedules.
    weekday_mask: Mapped[int] = mapped_column(Integer, default=0)
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Bangkok")
    zone_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlotOutcome(Base):
    """What happened to one slot in one zone: played, missed, cancelled or failed, and why."""

    __tablename__ = "broadcast_slot_outcomes"
    __table_args__ = (UniqueConstraint("schedule_id", "slot_at", "zone_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("broadcast_schedules.id", ondelete="CASCADE"), index=True
    )
    announcement_id: Mapped[int] = mapped_column(Integer, index=True)
    zone_id: Mapped[int] = mapped_column(Integer)
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[str] = mapped_column(String(10), index=True)
    reason: Mapped[str] = mapped_column(String(300), default="")
    reason_th: Mapped[str] = mapped_column(String(300), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(Base):
    """One sending of an announcement to the speakers of its zones, with its command batches.

    Each attempt is a device-command batch (devices domain); the first goes to every speaker,
    retries only to those that failed or never answered. ``speakers`` maps each targeted
    speaker id (as text, JSON keys) to the PA zones it stands in, as they were at send time.
    """

    __tablename__ = "broadcast_deliveries"
    __table_args__ = (UniqueConstraint("schedule_id", "slot_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("broadcast_announcements.id", ondelete="CASCADE"), index=True
    )
    schedule_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    slot_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    priority: Mapped[str] = mapped_column(String(10))
    zone_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    speakers: Mapped[dict[str, list[int]]] = mapped_column(JSON, default=dict)
    batches: Mapped[list[str]] = mapped_column(JSON, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), index=True, default="sending")
    outcome: Mapped[str] = mapped_column(String(10), default="")
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Set when an operator stopped the broadcast: no retries after that, outcome "stopped".
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    stopped_by: Mapped[str] = mapped_column(String(120), default="", server_default="")
