"""Events the incidents domain raises for others (notify, live screens) to act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from smartcity.events import Event


@dataclass(frozen=True, kw_only=True)
class IncidentReported(Event):
    """A new incident was stored (never raised again for a retried request)."""

    incident_id: int
    kind: str
    source: str
    zone_id: int | None


@dataclass(frozen=True, kw_only=True)
class UnitOffered(Event):
    """An incident was offered to a unit; its contacts travel with the event."""

    incident_id: int
    offer_id: int
    unit_id: int
    unit_name: str
    user_id: int | None
    phone: str
    line_user_id: str
    level: str | None
    distance_m: float
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class DispatchEscalated(Event):
    """Nobody accepted (or nobody suitable was free): the supervisor must act."""

    incident_id: int
    reason: str
    level: str | None
