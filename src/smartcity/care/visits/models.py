"""Tables of care plans and home visits.

Vital signs and notes are health data (PDPA s.26): they are stored only as AES-GCM ciphertext.
The ``abnormal`` flag stays in the clear because the overdue and follow-up lists filter on it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.db import Base, UTCDateTime
from smartcity.kit.clock import utcnow


class VisitFrequency(Base):
    """How often people of one ADL group are visited (a care manager's setting)."""

    __tablename__ = "care_visit_frequencies"

    adl_group: Mapped[str] = mapped_column(String(12), primary_key=True)
    every_days: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(80), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VisitThreshold(Base):
    """When a vital sign is abnormal: at or below ``alert_low`` or at or above ``alert_high``."""

    __tablename__ = "care_visit_thresholds"

    metric: Mapped[str] = mapped_column(String(20), primary_key=True)
    alert_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    alert_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(80), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CarePlan(Base):
    """One person's plan: a visit rhythm that overrides their group's, and a preferred worker."""

    __tablename__ = "care_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("care_people.id", ondelete="CASCADE"), unique=True
    )
    every_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # A user id, not a foreign key: accounts owns users.
    worker_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(80), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VisitTask(Base):
    """A visit due to a person on a day; at most one task per person and day."""

    __tablename__ = "care_visit_tasks"
    __table_args__ = (UniqueConstraint("person_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("care_people.id", ondelete="CASCADE"), index=True
    )
    due_on: Mapped[date] = mapped_column(Date, index=True)
    zone_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    worker_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class VisitRecord(Base):
    """What a worker found at a home visit; one record per client idempotency key."""

    __tablename__ = "care_visit_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    # SHA-256 of the submitted body: the same key with another body is refused, not merged.
    body_hash: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("care_people.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("care_visit_tasks.id", ondelete="SET NULL"), nullable=True, index=True
    )
    worker_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    worker_name: Mapped[str] = mapped_column(String(80), default="")
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    vitals_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    notes_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    abnormal: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_sha256: Mapped[str] = mapped_column(String(64), default="")
    photo_type: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
