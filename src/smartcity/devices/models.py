"""Tables of the devices domain: the registry, gateways, readings, latest values, dead letters.

Readings keep their time as integer milliseconds since the Unix epoch (UTC). The same integer
works on SQLite and PostgreSQL, makes history buckets a portable integer division, and keeps the
hot insert free of per-row date conversion.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.db import Base, UTCDateTime
from smartcity.kit.clock import utcnow

DEVICE_KINDS: Final = (
    "camera",
    "speaker",
    "wifi_ap",
    "water_level",
    "air_quality",
    "rain_gauge",
    "sos_button",
    "generic",
)
STATUSES: Final = ("unknown", "online", "degraded", "offline")
DEAD_LETTER_SOURCES: Final = ("http", "mqtt")
# BIGINT everywhere except SQLite, where only INTEGER PRIMARY KEY aliases the rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Device(Base):
    """A device in the city (camera, speaker, sensor...) with its credential and health."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    # Zone and agency ids, not foreign keys: other domains own those tables.
    zone_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    agency_id: Mapped[int] = mapped_column(Integer, index=True)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    token_prefix: Mapped[str] = mapped_column(String(16), default="")
    credential_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    mqtt_username: Mapped[str | None] = mapped_column(String(80), unique=True, nullable=True)
    # A machine-generated secret, so a keyed hash (not argon2) is enough and cheap to check.
    mqtt_password_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="unknown", index=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    battery: Mapped[float | None] = mapped_column(Float, nullable=True)
    signal: Mapped[float | None] = mapped_column(Float, nullable=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Gateway(Base):
    """A gateway that posts readings for every device its agency owns."""

    __tablename__ = "device_gateways"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(Integer, index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(16), default="")
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reading(Base):
    """One metric of one reading; the key makes a re-sent reading a no-op.

    No foreign key to ``devices``: this is the hot table, ids come from the registry in the same
    transaction and devices are disabled, never deleted. Without a rowid on SQLite the key is
    the table, so history scans read one B-tree in order.
    """

    __tablename__ = "device_readings"
    __table_args__ = ({"sqlite_with_rowid": False},)

    device_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    ts_ms: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class Latest(Base):
    """The newest value of each metric of each device."""

    __tablename__ = "device_latest"

    device_id: Mapped[int] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    ts_ms: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[float] = mapped_column(Float)


class DeadLetter(Base):
    """A message or reading that was refused, kept with the reason for the operators."""

    __tablename__ = "device_dead_letters"
    __table_args__ = (Index("ix_device_dead_letters_received", "received_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(10))
    device_code: Mapped[str] = mapped_column(String(80), default="", index=True)
    credential: Mapped[str] = mapped_column(String(16), default="")
    reason_code: Mapped[str] = mapped_column(String(40), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    reason_th: Mapped[str] = mapped_column(String(300))
    raw: Mapped[str] = mapped_column(Text, default="")


COMMAND_STATUSES: Final = (
    "queued",  # stored; not yet handed to the broker
    "sent",  # published to the device's command topic
    "received",  # the device acknowledged receipt
    "started",  # the device began (e.g. playback started)
    "succeeded",
    "failed",  # the device reported a failure, with a reason
    "expired",  # no final answer before the command's deadline
)
FINAL_COMMAND_STATUSES: Final = ("succeeded", "failed", "expired")


class DeviceCommand(Base):
    """A command for one device and what became of it, from the device's acknowledgements."""

    __tablename__ = "device_commands"
    __table_args__ = (Index("ix_device_commands_open", "status", "expires_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    batch: Mapped[str] = mapped_column(String(36), index=True)
    command: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
