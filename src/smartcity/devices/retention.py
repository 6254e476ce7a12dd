"""How long readings and dead letters are kept: old rows are deleted in small steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from smartcity.devices.models import DeadLetter, Device, Reading
from smartcity.events import UnitOfWork


@dataclass(frozen=True)
class Purged:
    """Rows removed by one retention run."""

    readings: int
    dead_letters: int


def purge(uow: UnitOfWork, now: datetime, readings_days: int, dead_letter_days: int) -> Purged:
    """Delete readings older than ``readings_days`` and dead letters older than their limit.

    Readings go device by device so each delete walks one key range of the readings table
    (keyed by device, metric and time) instead of scanning it whole.
    """
    cutoff_ms = int((now - timedelta(days=readings_days)).timestamp() * 1000)
    removed = 0
    for device_id in uow.session.scalars(select(Device.id)):
        result = uow.session.execute(
            delete(Reading).where(Reading.device_id == device_id, Reading.ts_ms < cutoff_ms)
        )
        removed += int(getattr(result, "rowcount", 0) or 0)
    dead = uow.session.execute(
        delete(DeadLetter).where(DeadLetter.received_at < now - timedelta(days=dead_letter_days))
    )
    return Purged(removed, int(getattr(dead, "rowcount", 0) or 0))
