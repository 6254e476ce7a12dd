"""Events the devices domain raises for others (alerts, the live map) to act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from smartcity.events import Event


@dataclass(frozen=True, kw_only=True)
class TelemetryReceived(Event):
    """A batch of readings was stored; ``latest`` holds the newest value per device and metric.

    ``latest`` rows are (device_id, metric, ts, value). Not audited: telemetry is not a write by
    a person, and the readings themselves are the record.
    """

    source: str
    received_at: datetime
    device_ids: tuple[int, ...]
    metrics: tuple[str, ...]
    readings: int
    latest: tuple[tuple[int, str, datetime, float], ...] = ()


@dataclass(frozen=True, kw_only=True)
class DeviceStatusChanged(Event):
    """A device moved between unknown, online, degraded and offline."""

    device_id: int
    code: str
    kind: str
    old: str
    new: str
    at: datetime
