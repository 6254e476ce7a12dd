"""Small helpers of the device tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.devices.models import DeadLetter, Reading


def bearer(token: str) -> dict[str, str]:
    """An Authorization header."""
    return {"Authorization": f"Bearer {token}"}


def reading(device: str, values: dict[str, Any], ts: str | None = None) -> dict[str, Any]:
    """One reading of an ingest batch."""
    out: dict[str, Any] = {"device": device, "values": values}
    if ts is not None:
        out["ts"] = ts
    return out


def stored(session: Session, device_id: int) -> list[tuple[str, int, float]]:
    """(metric, ts_ms, value) of a device's stored readings, oldest first."""
    stmt = (
        select(Reading.metric, Reading.ts_ms, Reading.value)
        .where(Reading.device_id == device_id)
        .order_by(Reading.ts_ms, Reading.metric)
    )
    return [(m, t, v) for m, t, v in session.execute(stmt)]


def dead_reasons(session: Session) -> list[str]:
    """Reason codes of the dead letters, oldest first."""
    return list(session.scalars(select(DeadLetter.reason_code).order_by(DeadLetter.id)))
