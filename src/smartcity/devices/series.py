"""SQL of telemetry: the bulk insert of readings, the latest-value upsert and history queries.

Time is integer milliseconds since the epoch (UTC), so a history bucket is ``ts_ms // width``
on both SQLite and PostgreSQL (both divide integers as integers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, bindparam, func, literal_column, select
from sqlalchemy.orm import Session

from smartcity.db import bulk_write
from smartcity.devices.models import Latest, Reading

ReadingRow = tuple[int, str, int, float]  # device_id, metric, ts_ms, value

# Ingest's writes go to the driver as plain tuples in one statement per batch. SQLAlchemy's
# per-row parameter processing cost more than SQLite's own insert; on PostgreSQL one
# INSERT ... SELECT FROM unnest(arrays) replaces a round trip per row.
_INSERT_READINGS = {
    "sqlite": "INSERT INTO device_readings (device_id, metric, ts_ms, value) "
    "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    "postgresql": "INSERT INTO device_readings (device_id, metric, ts_ms, value) "
    "SELECT * FROM unnest(%s::integer[], %s::text[], %s::bigint[], %s::double precision[]) "
    "ON CONFLICT DO NOTHING",
}
# Older readings never overwrite newer ones; rows must be unique per (device_id, metric).
_UPSERT_LATEST = {
    "sqlite": "INSERT INTO device_latest (device_id, metric, ts_ms, value) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (device_id, metric) DO UPDATE SET ts_ms = excluded.ts_ms, "
    "value = excluded.value WHERE excluded.ts_ms >= device_latest.ts_ms",
    "postgresql": "INSERT INTO device_latest (device_id, metric, ts_ms, value) "
    "SELECT * FROM unnest(%s::integer[], %s::text[], %s::bigint[], %s::double precision[]) "
    "ON CONFLICT (device_id, metric) DO UPDATE SET ts_ms = excluded.ts_ms, "
    "value = excluded.value WHERE excluded.ts_ms >= device_latest.ts_ms",
}


def insert_readings(session: Session, rows: Sequence[ReadingRow]) -> None:
    """Store readings in one statement; a reading already stored (a re-send) is skipped."""
    bulk_write(session, _INSERT_READINGS, rows)


def upsert_latest(session: Session, rows: Sequence[ReadingRow]) -> None:
    """Keep the newest value per device and metric; older readings never overwrite newer ones.

    ``rows`` must hold at most one row per (device_id, metric).
    """
    bulk_write(session, _UPSERT_LATEST, rows)


def latest(session: Session, device_id: int) -> list[Latest]:
    """The newest value of each metric of a device."""
    stmt = select(Latest).where(Latest.device_id == device_id).order_by(Latest.metric)
    return list(session.scalars(stmt))


def last_times(session: Session, metric: str, device_ids: Sequence[int]) -> dict[int, int]:
    """Time (ms) of the newest value of ``metric`` for each of these devices that has one."""
    if not device_ids:
        return {}
    table = Latest.__table__.c
    stmt = select(table.device_id, table.ts_ms).where(
        table.metric == metric, table.device_id.in_(bindparam("ids", expanding=True))
    )
    return {d: t for d, t in session.execute(stmt, {"ids": sorted(set(device_ids))})}


def raw(
    session: Session, device_id: int, metric: str, since_ms: int, until_ms: int, limit: int
) -> list[tuple[str, int, float, float, float, int]]:
    """Readings in [since, until), oldest first, as (metric, ts_ms, value, value, value, 1)."""
    r = Reading.__table__.c
    stmt = (
        select(r.metric, r.ts_ms, r.value)
        .where(*_range(device_id, metric, since_ms, until_ms))
        .order_by(r.ts_ms, r.metric)
        .limit(limit)
    )
    return [(m, int(t), float(v), float(v), float(v), 1) for m, t, v in session.execute(stmt)]


def buckets(
    session: Session,
    device_id: int,
    metric: str,
    since_ms: int,
    until_ms: int,
    width_ms: int,
    limit: int,
) -> list[tuple[str, int, float, float, float, int]]:
    """Per bucket of ``width_ms``: (metric, bucket start ms, avg, min, max, count)."""
    r = Reading.__table__.c
    # Inline the width: PostgreSQL must see the same expression in SELECT and GROUP BY.
    width = literal_column(str(int(width_ms)), BigInteger())
    bucket = (r.ts_ms // width) * width
    stmt = (
        select(
            r.metric,
            bucket.label("bucket"),
            func.avg(r.value),
            func.min(r.value),
            func.max(r.value),
            func.count(),
        )
        .where(*_range(device_id, metric, since_ms, until_ms))
        .group_by(r.metric, bucket)
        .order_by(bucket, r.metric)
        .limit(limit)
    )
    return [
        (m, int(b), float(avg), float(lo), float(hi), int(n))
        for m, b, avg, lo, hi, n in session.execute(stmt)
    ]


def _range(device_id: int, metric: str, since_ms: int, until_ms: int) -> list[Any]:
    r = Reading.__table__.c
    where = [r.device_id == device_id, r.ts_ms >= since_ms, r.ts_ms < until_ms]
    if metric:
        where.append(r.metric == metric)
    return where
