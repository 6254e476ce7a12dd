"""Tables of disaster mode: the households' grid cells, operations and per-person checks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.db import Base, UTCDateTime
from smartcity.kit.clock import utcnow


class HouseholdCell(Base):
    """A household's grid cell: the portable spatial index behind "who lives in this area".

    Kept in step with ``care_households`` by an event handler (see handlers.py); one row per
    household that has a map position.
    """

    __tablename__ = "care_disaster_cells"

    household_id: Mapped[int] = mapped_column(
        ForeignKey("care_households.id", ondelete="CASCADE"), primary_key=True
    )
    cell: Mapped[int] = mapped_column(BigInteger, index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class Operation(Base):
    """A disaster operation: an area, who opened it, and check-on tasks for the people inside."""

    __tablename__ = "care_disaster_operations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # "polygon" (drawn), "zone" (a community or hazard-area zone); geometry is kept either way
    # so the operation still shows what it covered if the zone is redrawn later.
    area_kind: Mapped[str] = mapped_column(String(10))
    zone_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    geometry: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Check(Base):
    """One person to check on in an operation, their rank by need and what was found."""

    __tablename__ = "care_disaster_checks"
    __table_args__ = (
        UniqueConstraint("operation_id", "person_id"),
        Index("ix_care_disaster_checks_op_status", "operation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(
        ForeignKey("care_disaster_operations.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("care_people.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(Integer)
    need_score: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(80), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
