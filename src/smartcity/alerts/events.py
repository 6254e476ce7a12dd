"""Events the alerts domain raises for notify, incidents, broadcast and the live map."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from smartcity.events import Event


@dataclass(frozen=True, kw_only=True)
class AlertEvent(Event):
    """What every alert event says about the alert it concerns."""

    alert_id: int
    rule_id: int
    rule_kind: str
    device_id: int
    device_code: str
    zone_id: int | None
    severity: str
    name_th: str
    name_en: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class AlertRaised(AlertEvent):
    """A rule fired for a device; ``value`` is the reading (or rate) that fired it, if any."""

    metric: str
    value: float | None
    # Where the device stands, so handlers (broadcast's PA zones) need not look it up again.
    lat: float
    lon: float


@dataclass(frozen=True, kw_only=True)
class AlertAcknowledged(AlertEvent):
    """A person took the alert in hand."""

    by_user_id: int | None
    by: str
    note: str


@dataclass(frozen=True, kw_only=True)
class AlertResolved(AlertEvent):
    """The alert is over: cleared by a reading (``auto``) or closed by a person."""

    auto: bool
    by_user_id: int | None
    by: str
    note: str
    value: float | None
