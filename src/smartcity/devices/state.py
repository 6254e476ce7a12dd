"""Reading a device's state: the latest values and its history at a chosen resolution."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.orm import Session

from smartcity.devices import series
from smartcity.devices.ingest import EPOCH, ONE_MS
from smartcity.devices.models import Device
from smartcity.devices.schemas import History, LatestOut, LatestValue, Point, Resolution
from smartcity.errors import InvalidInput

BUCKET_MS: Final[dict[str, int]] = {"1m": 60_000, "5m": 300_000, "1h": 3_600_000, "1d": 86_400_000}
DEFAULT_RANGE: Final = timedelta(hours=24)
MAX_POINTS: Final = 10_000


def latest_state(session: Session, device: Device) -> LatestOut:
    """The device's status and the newest value of each metric."""
    values = [
        LatestValue(metric=row.metric, value=row.value, ts=_dt(row.ts_ms))
        for row in series.latest(session, device.id)
    ]
    return LatestOut(
        device_id=device.id,
        status=device.status,
        last_seen_at=device.last_seen_at,
        battery=device.battery,
        signal=device.signal,
        values=values,
    )


def history(
    session: Session,
    device: Device,
    *,
    now: datetime,
    metric: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    resolution: Resolution = "raw",
    limit: int = MAX_POINTS,
) -> History:
    """Readings in [since, until) (default: the last 24 hours), raw or bucketed.

    Buckets start at multiples of their width since the epoch (UTC), so a ``1d`` bucket runs
    from 07:00 to 07:00 Bangkok time.
    """
    until = until or now
    since = since or until - DEFAULT_RANGE
    if since.tzinfo is None or until.tzinfo is None:
        raise InvalidInput("since and until need a time zone.", "since และ until ต้องระบุเขตเวลา")
    if since >= until:
        raise InvalidInput("since must be before until.", "since ต้องอยู่ก่อน until")
    lo, hi = _ms(since), _ms(until)
    limit = max(1, min(limit, MAX_POINTS))
    if resolution == "raw":
        rows = series.raw(session, device.id, metric, lo, hi, limit + 1)
    else:
        rows = series.buckets(session, device.id, metric, lo, hi, BUCKET_MS[resolution], limit + 1)
    points = [
        Point(metric=m, t=_dt(t), value=avg, min=mn, max=mx, count=n)
        for m, t, avg, mn, mx, n in rows[:limit]
    ]
    return History(
        device_id=device.id,
        resolution=resolution,
        since=since,
        until=until,
        points=points,
        truncated=len(rows) > limit,
    )


def _ms(value: datetime) -> int:
    return (value - EPOCH) // ONE_MS


def _dt(ms: int) -> datetime:
    return EPOCH + ms * ONE_MS
