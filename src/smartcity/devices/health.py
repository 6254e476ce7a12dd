"""Device health: a device not heard from within its kind's timeout goes offline.

The timeouts below are the defaults; a scheduler passes its own mapping to ``mark_offline``.
They live here, not in the platform settings, until operators ask to tune them per site.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from smartcity.devices import repository as repo
from smartcity.devices.events import DeviceStatusChanged
from smartcity.devices.models import DEVICE_KINDS
from smartcity.events import UnitOfWork

# Seconds of silence before a device of each kind counts as offline: about three missed
# heartbeats at each kind's usual reporting interval.
DEFAULT_OFFLINE_AFTER: Final[dict[str, int]] = {
    "camera": 180,  # heartbeat every minute
    "speaker": 900,  # every 5 minutes
    "wifi_ap": 180,  # every minute
    "water_level": 1800,  # every 10 minutes (more often in a flood)
    "air_quality": 1800,  # every 10 minutes
    "rain_gauge": 1800,  # every 10 minutes
    "sos_button": 10800,  # hourly heartbeat, battery powered
    "generic": 1800,
}


def mark_offline(
    uow: UnitOfWork, now: datetime, timeouts: dict[str, int] | None = None
) -> list[DeviceStatusChanged]:
    """Flip silent devices to offline; one event per device that changes, none on a re-run."""
    limits = DEFAULT_OFFLINE_AFTER | (timeouts or {})
    changes: list[DeviceStatusChanged] = []
    for kind in DEVICE_KINDS:
        cutoff = now - timedelta(seconds=limits[kind])
        for device in repo.stale(uow.session, kind, cutoff):
            change = DeviceStatusChanged(
                device_id=device.id,
                code=device.code,
                kind=device.kind,
                old=device.status,
                new="offline",
                at=now,
            )
            device.status = "offline"
            changes.append(change)
    uow.session.flush()
    for change in changes:
        uow.emit(change)
    return changes
