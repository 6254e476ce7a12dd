"""Rules of the device registry: devices, gateways, credentials and dead letters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from smartcity.accounts import service as accounts
from smartcity.config import Settings
from smartcity.devices import repository as repo
from smartcity.devices import series
from smartcity.devices.models import DeadLetter, Device, Gateway
from smartcity.devices.schemas import Credential, DeviceIn, DeviceUpdate, GatewayIn
from smartcity.errors import Conflict, InvalidInput, NotFound
from smartcity.events import RecordChanged, UnitOfWork
from smartcity.geo import service as geo
from smartcity.kit.clock import utcnow
from smartcity.kit.crypto import keyed_hash, new_token
from smartcity.kit.pagination import PageParams

# Readable prefixes of issued secrets (not secrets themselves): a leaked one is recognisable.
DEVICE_TOKEN_PREFIX = "scd"  # noqa: S105
GATEWAY_TOKEN_PREFIX = "scg"  # noqa: S105
MQTT_PASSWORD_PREFIX = "scm"  # noqa: S105
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)


# --- devices ----------------------------------------------------------------------------------


def get_device(session: Session, device_id: int) -> Device:
    """A device, or NotFound."""
    device = repo.get(session, device_id)
    if device is None:
        raise NotFound(f"Device {device_id} does not exist.", f"ไม่พบอุปกรณ์หมายเลข {device_id}")
    return device


def find_device(session: Session, code: str) -> Device | None:
    """A device by code, if it exists."""
    return repo.find(session, code)


def list_devices(
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
    """One page of devices matching a search on code and names and the filters."""
    return repo.search(
        session,
        params,
        q=q.strip(),
        kind=kind,
        zone_id=zone_id,
        status=status,
        enabled=enabled,
        zone_scope=zone_scope,
    )


def command_targets(
    session: Session,
    *,
    kind: str = "",
    zone_id: int | None = None,
    zone_scope: frozenset[int] | None = None,
) -> list[Device]:
    """Every enabled device of a kind and/or in a zone, within the caller's zones."""
    return repo.enabled_matching(session, kind=kind, zone_id=zone_id, zone_scope=zone_scope)


def create_device(
    uow: UnitOfWork, settings: Settings, data: DeviceIn, *, is_sample: bool = False
) -> tuple[Device, Credential]:
    """Register a device; returns it with its credential (the only time it is shown)."""
    if repo.find(uow.session, data.code):
        raise _duplicate("code", data.code)
    _check_agency(uow.session, data.agency_id)
    device = Device(
        code=data.code,
        kind=data.kind,
        name_th=data.name_th,
        name_en=data.name_en,
        lat=data.lat,
        lon=data.lon,
        zone_id=_zone_id(uow.session, data.lat, data.lon),
        agency_id=data.agency_id,
        meta=data.metadata,
        enabled=data.enabled,
        is_sample=is_sample,
    )
    _set_mqtt_username(uow.session, device, data.mqtt_username)
    credential = _issue(settings, device)
    repo.add(uow.session, device)
    _changed(uow, "device.created", device, kind=device.kind, agency_id=device.agency_id)
    return device, credential


def update_device(uow: UnitOfWork, device_id: int, data: DeviceUpdate) -> Device:
    """Change the fields given; a move finds the device's community again."""
    device = get_device(uow.session, device_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    apply_changes(uow, device, changes)
    return device


def apply_changes(uow: UnitOfWork, device: Device, changes: dict[str, Any]) -> None:
    """Apply a dict of field changes (API update and CSV re-import share this)."""
    if "agency_id" in changes:
        _check_agency(uow.session, changes["agency_id"])
    if "mqtt_username" in changes:
        _set_mqtt_username(uow.session, device, changes.pop("mqtt_username"))
    if "metadata" in changes:
        device.meta = changes.pop("metadata")
    for key, value in changes.items():
        setattr(device, key, value)
    if {"lat", "lon"} & changes.keys():
        device.zone_id = _zone_id(uow.session, device.lat, device.lon)
    device.updated_at = utcnow()
    uow.session.flush()
    _changed(uow, "device.updated", device, fields=sorted(changes))


def set_enabled(uow: UnitOfWork, device_id: int, enabled: bool) -> Device:
    """Switch a device on or off; a disabled device's readings are refused."""
    device = get_device(uow.session, device_id)
    device.enabled, device.updated_at = enabled, utcnow()
    _changed(uow, "device.enabled" if enabled else "device.disabled", device)
    return device


def rotate_credential(uow: UnitOfWork, settings: Settings, device_id: int) -> Credential:
    """Issue a new token (and MQTT password, if the device has a user name); old ones stop."""
    device = get_device(uow.session, device_id)
    credential = _issue(settings, device)
    uow.session.flush()
    _changed(uow, "device.credential_rotated", device, prefix=device.token_prefix)
    return credential


def _issue(settings: Settings, device: Device) -> Credential:
    secret = settings.secret_key.get_secret_value()
    token = new_token(DEVICE_TOKEN_PREFIX)
    device.token_hash, device.token_prefix = keyed_hash(secret, token), token[:10]
    device.credential_rotated_at = utcnow()
    password = None
    if device.mqtt_username:
        password = new_token(MQTT_PASSWORD_PREFIX, 24)
        device.mqtt_password_hash = keyed_hash(secret, password)
    return Credential(token=token, mqtt_username=device.mqtt_username, mqtt_password=password)


def _set_mqtt_username(session: Session, device: Device, username: str | None) -> None:
    if username and username != device.mqtt_username:
        if repo.find_by_mqtt_username(session, username):
            raise _duplicate("mqtt_username", username)
        device.mqtt_username = username


def check_mqtt_password(session: Session, settings: Settings, username: str, pw: str) -> Device:
    """The enabled device with this MQTT user name and password, or NotFound (for the broker)."""
    device = repo.find_by_mqtt_username(session, username)
    expected = keyed_hash(settings.secret_key.get_secret_value(), pw)
    if device is None or not device.enabled or device.mqtt_password_hash != expected:
        raise NotFound("Unknown MQTT user or wrong password.", "ชื่อผู้ใช้หรือรหัสผ่าน MQTT ไม่ถูกต้อง")
    return device


def _check_agency(session: Session, agency_id: int) -> None:
    try:
        accounts.get_agency(session, agency_id)
    except NotFound as exc:
        raise InvalidInput(
            exc.detail, exc.detail_th, errors=[{"field": "agency_id", "message": "unknown agency"}]
        ) from exc


def _zone_id(session: Session, lat: float, lon: float) -> int | None:
    zone = geo.zone_at(session, lat, lon)
    return zone.id if zone else None


class DeviceFacts(NamedTuple):
    """Where a device is and what it is: what other domains (alerts) need to place it."""

    id: int
    code: str
    kind: str
    zone_id: int | None
    created_at: datetime
    lat: float
    lon: float


def device_facts(session: Session, ids: Iterable[int]) -> dict[int, DeviceFacts]:
    """Facts of these devices by id (unknown ids are left out)."""
    return {row.id: DeviceFacts(*row) for row in repo.facts(session, ids)}


def devices_matching(
    session: Session, *, device_id: int | None = None, kind: str = "", zone_id: int | None = None
) -> list[DeviceFacts]:
    """Enabled devices matching every filter given (one device, a kind, a community zone)."""
    rows = repo.matching(session, device_id=device_id, kind=kind, zone_id=zone_id)
    return [DeviceFacts(*row) for row in rows]


def metric_last_seen(
    session: Session, metric: str, device_ids: Sequence[int]
) -> dict[int, datetime]:
    """When each device last reported ``metric`` (devices that never did are left out)."""
    return {
        d: EPOCH + t * ONE_MS for d, t in series.last_times(session, metric, device_ids).items()
    }


# --- gateways ---------------------------------------------------------------------------------


def create_gateway(
    uow: UnitOfWork, settings: Settings, data: GatewayIn, *, is_sample: bool = False
) -> tuple[Gateway, str]:
    """Register a gateway; returns it with its token (shown once)."""
    if repo.find_gateway(uow.session, data.code):
        raise _duplicate("code", data.code, "gateway")
    _check_agency(uow.session, data.agency_id)
    token = new_token(GATEWAY_TOKEN_PREFIX)
    gateway = Gateway(
        code=data.code,
        name=data.name,
        agency_id=data.agency_id,
        token_hash=keyed_hash(settings.secret_key.get_secret_value(), token),
        token_prefix=token[:10],
        is_sample=is_sample,
    )
    repo.add(uow.session, gateway)
    _changed(uow, "gateway.created", gateway, agency_id=gateway.agency_id)
    return gateway, token


def get_gateway(session: Session, gateway_id: int) -> Gateway:
    """A gateway, or NotFound."""
    gateway = repo.get_gateway(session, gateway_id)
    if gateway is None:
        raise NotFound(f"Gateway {gateway_id} does not exist.", f"ไม่พบเกตเวย์หมายเลข {gateway_id}")
    return gateway


def list_gateways(session: Session, params: PageParams) -> tuple[list[Gateway], int]:
    """One page of gateways."""
    return repo.list_gateways(session, params)


def rotate_gateway(uow: UnitOfWork, settings: Settings, gateway_id: int) -> str:
    """Issue a new gateway token; the old one stops working at once."""
    gateway = get_gateway(uow.session, gateway_id)
    token = new_token(GATEWAY_TOKEN_PREFIX)
    gateway.token_hash = keyed_hash(settings.secret_key.get_secret_value(), token)
    gateway.token_prefix, gateway.updated_at = token[:10], utcnow()
    uow.session.flush()
    _changed(uow, "gateway.credential_rotated", gateway, prefix=gateway.token_prefix)
    return token


def set_gateway_enabled(uow: UnitOfWork, gateway_id: int, enabled: bool) -> Gateway:
    """Switch a gateway on or off."""
    gateway = get_gateway(uow.session, gateway_id)
    gateway.enabled, gateway.updated_at = enabled, utcnow()
    _changed(uow, "gateway.enabled" if enabled else "gateway.disabled", gateway)
    return gateway


# --- dead letters -----------------------------------------------------------------------------


def list_dead_letters(
    session: Session,
    params: PageParams,
    *,
    source: str = "",
    device_code: str = "",
    reason_code: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[DeadLetter], int]:
    """One page of refused messages, newest first."""
    return repo.search_dead_letters(
        session,
        params,
        source=source,
        device_code=device_code.strip(),
        reason_code=reason_code,
        since=since,
        until=until,
    )


# --- helpers ----------------------------------------------------------------------------------


def _duplicate(field: str, value: str, entity: str = "device") -> Conflict:
    label_th = "อุปกรณ์" if entity == "device" else "เกตเวย์"
    return Conflict(
        f"A {entity} with {field} {value!r} already exists.",
        f"มี{label_th}ที่ใช้ {field} {value} แล้ว",
        errors=[{"field": field, "message": "already used"}],
    )


def _changed(uow: UnitOfWork, action: str, row: Device | Gateway, **extra: Any) -> None:
    entity = action.split(".", 1)[0]
    detail: dict[str, Any] = {"code": row.code, **extra}
    uow.emit(RecordChanged(action=action, entity_type=entity, entity_id=str(row.id), detail=detail))
