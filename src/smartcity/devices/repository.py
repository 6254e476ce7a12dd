"""SQL of the device registry, gateways and dead letters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Dialect, Select, bindparam, insert, or_, select
from sqlalchemy.orm import Session

from smartcity.db import bulk_write, driver_rows
from smartcity.devices.models import DeadLetter, Device, Gateway
from smartcity.kit.pagination import PageParams, paginate


class IngestDevice(NamedTuple):
    """Ingest's view of one device, read as a plain row (no ORM object)."""

    id: int
    code: str
    kind: str
    agency_id: int
    enabled: bool
    status: str
    battery: float | None
    signal: float | None
    token_hash: str
    seen_since: bool  # last heard at or after the cutoff given to ``for_ingest``

    @property
    def health(self) -> tuple[str, float | None, float | None]:
        """Status, battery and signal as stored."""
        return self.status, self.battery, self.signal


# Straight through the driver: a batch looks up hundreds of devices, and SQLAlchemy's row
# processing cost more per device than the look-up itself (bench/README.md).
_FOR_INGEST = {
    "sqlite": "SELECT id, code, kind, agency_id, enabled, status, battery, signal, token_hash, "
    "coalesce(last_seen_at >= ?, 0) FROM devices WHERE code IN (SELECT value FROM json_each(?))",
    "postgresql": "SELECT id, code, kind, agency_id, enabled, status, battery, signal, "
    "token_hash, coalesce(last_seen_at >= %s, false) FROM devices WHERE code = ANY(%s)",
}
# What other domains (alerts) need to place a device: read as plain rows.
_FACT_COLUMNS = (
    Device.id,
    Device.code,
    Device.kind,
    Device.zone_id,
    Device.created_at,
    Device.lat,
    Device.lon,
)


def get(session: Session, device_id: int) -> Device | None:
    """A device by id."""
    return session.get(Device, device_id)


def find(session: Session, code: str) -> Device | None:
    """A device by code."""
    return session.scalar(select(Device).where(Device.code == code))


def find_by_mqtt_username(session: Session, username: str) -> Device | None:
    """A device by its MQTT user name."""
    return session.scalar(select(Device).where(Device.mqtt_username == username))


def find_by_token(session: Session, token_hash: str) -> Device | None:
    """A device by the keyed hash of its token."""
    return session.scalar(select(Device).where(Device.token_hash == token_hash))


def search(
    session: Session,
    params: PageParams,
    *,
    q: str = "",
    kind: str = "",
    zone_id: int | None = None,
    status: str = "",
    enabled: bool | None = None,
    zone_scope: frozenset[int] | None = None,
) -> tuple[list[Device], int]:
    """Devices matching the filters, ordered by code."""
    stmt: Select[Any] = select(Device).order_by(Device.code, Device.id)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(Device.code.ilike(like), Device.name_th.ilike(like), Device.name_en.ilike(like))
        )
    if kind:
        stmt = stmt.where(Device.kind == kind)
    if zone_id is not None:
        stmt = stmt.where(Device.zone_id == zone_id)
    if status:
        stmt = stmt.where(Device.status == status)
    if enabled is not None:
        stmt = stmt.where(Device.enabled.is_(enabled))
    if zone_scope is not None:
        # Same rule as Principal.can: a record without a zone is not zone-restricted.
        stmt = stmt.where(or_(Device.zone_id.in_(sorted(zone_scope)), Device.zone_id.is_(None)))
    return paginate(session, stmt, params)


def enabled_matching(
    session: Session, *, kind: str, zone_id: int | None, zone_scope: frozenset[int] | None
) -> list[Device]:
    """Every enabled device of a kind and/or zone (no paging: commands address them all)."""
    stmt = select(Device).where(Device.enabled.is_(True)).order_by(Device.id)
    if kind:
        stmt = stmt.where(Device.kind == kind)
    if zone_id is not None:
        stmt = stmt.where(Device.zone_id == zone_id)
    if zone_scope is not None:
        stmt = stmt.where(or_(Device.zone_id.in_(sorted(zone_scope)), Device.zone_id.is_(None)))
    return list(session.scalars(stmt))


def add(session: Session, row: Device | Gateway) -> None:
    """Insert a row and assign its id."""
    session.add(row)
    session.flush()


def for_ingest(
    session: Session, codes: Iterable[str], seen_cutoff: datetime
) -> dict[str, IngestDevice]:
    """Ingest's view of the devices with these codes, by code.

    ``seen_since`` tells whether each was last heard at or after ``seen_cutoff``.
    """
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    cutoff = _seen_param(session.get_bind().dialect, seen_cutoff)
    rows = driver_rows(session, _FOR_INGEST, cutoff, wanted)
    return {row[1]: IngestDevice._make(row) for row in rows}


def _seen_param(dialect: Dialect, when: datetime) -> Any:
    """A time as the last-seen column stores it (SQLite compares the stored text)."""
    to_db = Device.__table__.c.last_seen_at.type.bind_processor(dialect)
    return to_db(when) if to_db else when


_HEALTH = {
    "sqlite": "UPDATE devices SET last_seen_at = ?, status = ?, battery = ?, signal = ? "
    "WHERE id = ?",
    "postgresql": "UPDATE devices AS d SET last_seen_at = u.seen, status = u.status, "
    "battery = u.battery, signal = u.signal FROM unnest(%s::timestamptz[], %s::text[], "
    "%s::double precision[], %s::double precision[], %s::integer[]) "
    "AS u(seen, status, battery, signal, id) WHERE d.id = u.id",
}
HealthRow = tuple[int, str, float | None, float | None]  # id, status, battery, signal


def update_health(session: Session, seen: datetime, rows: Sequence[HealthRow]) -> None:
    """Write last-seen, status, battery and signal of many devices in one statement."""
    if not rows:
        return
    stamp = _seen_param(session.get_bind().dialect, seen)
    bulk_write(session, _HEALTH, [(stamp, s, b, g, i) for i, s, b, g in rows])
    # The update went around the ORM: forget what this session holds of those devices.
    # (Walk the few loaded objects, not the thousands of rows: ingest sessions hold almost none.)
    ids = {row[0] for row in rows}
    for key in list(session.identity_map.keys()):
        if key[0] is Device and key[1][0] in ids:
            session.expire(session.identity_map[key])


def stale(session: Session, kind: str, cutoff: datetime) -> list[Device]:
    """Enabled devices of a kind, not yet offline, last heard before ``cutoff``."""
    stmt = select(Device).where(
        Device.kind == kind,
        Device.enabled.is_(True),
        Device.status.in_(("online", "degraded")),
        Device.last_seen_at < cutoff,
    )
    stmt = stmt.order_by(Device.id).execution_options(populate_existing=True)
    return list(session.scalars(stmt))


def facts(session: Session, ids: Iterable[int]) -> list[Any]:
    """Id, code, kind, zone and creation time of these devices (rows, no ORM objects)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    stmt = select(*_FACT_COLUMNS).where(Device.id.in_(bindparam("ids", expanding=True)))
    return list(session.execute(stmt, {"ids": wanted}))


def matching(
    session: Session, *, device_id: int | None = None, kind: str = "", zone_id: int | None = None
) -> list[Any]:
    """Facts of the enabled devices that match every filter given."""
    stmt = select(*_FACT_COLUMNS).where(Device.enabled.is_(True)).order_by(Device.id)
    if device_id is not None:
        stmt = stmt.where(Device.id == device_id)
    if kind:
        stmt = stmt.where(Device.kind == kind)
    if zone_id is not None:
        stmt = stmt.where(Device.zone_id == zone_id)
    return list(session.execute(stmt))


# --- gateways ---------------------------------------------------------------------------------


def get_gateway(session: Session, gateway_id: int) -> Gateway | None:
    """A gateway by id."""
    return session.get(Gateway, gateway_id)


def find_gateway(session: Session, code: str) -> Gateway | None:
    """A gateway by code."""
    return session.scalar(select(Gateway).where(Gateway.code == code))


def gateway_by_token(session: Session, token_hash: str) -> Gateway | None:
    """A gateway by the keyed hash of its token."""
    return session.scalar(select(Gateway).where(Gateway.token_hash == token_hash))


def list_gateways(session: Session, params: PageParams) -> tuple[list[Gateway], int]:
    """Gateways, ordered by code."""
    return paginate(session, select(Gateway).order_by(Gateway.code, Gateway.id), params)


# --- dead letters -----------------------------------------------------------------------------


def add_dead_letters(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Store refused messages in one executemany."""
    if rows:
        session.execute(insert(DeadLetter.__table__), list(rows))  # type: ignore[arg-type]


def search_dead_letters(
    session: Session,
    params: PageParams,
    *,
    source: str = "",
    device_code: str = "",
    reason_code: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[DeadLetter], int]:
    """Dead letters matching the filters, newest first."""
    stmt: Select[Any] = select(DeadLetter).order_by(
        DeadLetter.received_at.desc(), DeadLetter.id.desc()
    )
    if source:
        stmt = stmt.where(DeadLetter.source == source)
    if device_code:
        stmt = stmt.where(DeadLetter.device_code == device_code)
    if reason_code:
        stmt = stmt.where(DeadLetter.reason_code == reason_code)
    if since is not None:
        stmt = stmt.where(DeadLetter.received_at >= since)
    if until is not None:
        stmt = stmt.where(DeadLetter.received_at < until)
    return paginate(session, stmt, params)
