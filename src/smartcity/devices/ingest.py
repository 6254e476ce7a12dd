"""Telemetry ingest: authenticate the sender, check each reading, store the batch in bulk.

One batch is one transaction. Refused readings (and whole refused messages) go to the
dead-letter table with the reason; the rest of the batch is stored. Readings are written with
one executemany, the latest values with one dialect-specific upsert, device health with one
executemany update; then one ``TelemetryReceived`` event carries the batch to subscribers.
"""

from __future__ import annotations

import gc
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypeGuard

from sqlalchemy.orm import Session

from smartcity.config import Settings
from smartcity.devices import payloads, series
from smartcity.devices import repository as repo
from smartcity.devices.events import DeviceStatusChanged, TelemetryReceived
from smartcity.devices.reasons import MAX_READINGS, REASONS
from smartcity.devices.repository import IngestDevice
from smartcity.devices.schemas import CODE_PATTERN, IngestResult, Rejection
from smartcity.devices.service import GATEWAY_TOKEN_PREFIX
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.kit.crypto import keyed_hash

CODE_SHAPE: Final = re.compile(CODE_PATTERN)
RAW_LIMIT: Final = 2_000  # characters of a refused message kept in the dead-letter table
FUTURE_SKEW: Final = timedelta(minutes=10)
OLDEST: Final = datetime(2000, 1, 1, tzinfo=UTC)  # earlier means the device clock is not set
LOW_BATTERY: Final = 15.0  # percent; below it an online device shows as degraded
# A device's last-seen time is rewritten at most this often while nothing else about its
# health changes: at thousands of readings a second, rewriting every device row on every
# batch was a fifth of ingest's cost. The shortest offline timeout is minutes (health.py).
LAST_SEEN_GRAIN: Final = timedelta(seconds=5)
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS: Final = timedelta(milliseconds=1)
_NO_VALUES: Final[dict[str, Any]] = {}  # a reading without values: a heartbeat


@dataclass(frozen=True)
class Caller:
    """Who posts: a device (only for itself) or a gateway (for its agency's devices)."""

    kind: str  # "device" or "gateway"
    id: int
    agency_id: int
    prefix: str


@dataclass(frozen=True)
class Refused:
    """A whole message refused; the dead letter is already written."""

    status: int
    reason_code: str
    message: str
    message_th: str


@dataclass
class _Batch:
    """What one batch accumulates on its way to the database."""

    now: datetime
    source: str
    caller: Caller
    rows: list[series.ReadingRow] = field(default_factory=list)
    latest: dict[tuple[int, str], tuple[int, float]] = field(default_factory=dict)
    seen: dict[int, IngestDevice] = field(default_factory=dict)
    dead: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    accepted: int = 0


def authenticate(session: Session, settings: Settings, authorization: str) -> Caller | None:
    """The device or gateway behind an ``Authorization: Bearer`` header, if valid and enabled."""
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    digest = keyed_hash(settings.secret_key.get_secret_value(), token)
    if token.startswith(GATEWAY_TOKEN_PREFIX + "_"):
        gateway = repo.gateway_by_token(session, digest)
        if gateway is None or not gateway.enabled:
            return None
        gateway.last_seen_at = utcnow()
        return Caller("gateway", gateway.id, gateway.agency_id, gateway.token_prefix)
    device = repo.find_by_token(session, digest)
    if device is None or not device.enabled:
        return None
    return Caller("device", device.id, device.agency_id, device.token_prefix)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch is parsed and stored.

    A batch allocates tens of thousands of small objects that all stay alive until it is
    written, so CPython 3.11 keeps running full collections that find nothing: about 40% of
    ingest time. Reference counting still frees everything; collection resumes afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def ingest_http(
    uow: UnitOfWork, settings: Settings, authorization: str, body: bytes
) -> IngestResult | Refused:
    """Handle one HTTP batch: authenticate, parse, then store what is valid."""
    with gc_paused():
        return _ingest_http(uow, settings, authorization, body)


def _ingest_http(
    uow: UnitOfWork, settings: Settings, authorization: str, body: bytes
) -> IngestResult | Refused:
    now = utcnow()
    caller = authenticate(uow.session, settings, authorization)
    if caller is None:
        return _refuse(uow, 401, "unauthorised", body, now, _credential_hint(authorization))
    prefix = caller.prefix
    try:
        doc = parse_json(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return _refuse(uow, 400, "malformed_json", body, now, prefix)
    readings = doc.get("readings") if isinstance(doc, dict) else None
    if not isinstance(readings, list):
        return _refuse(uow, 422, "invalid_batch", body, now, prefix)
    if len(readings) > MAX_READINGS:
        return _refuse(uow, 413, "too_many_readings", body, now, prefix)
    return store(uow, caller, readings, now=now, source="http")


def store(
    uow: UnitOfWork,
    caller: Caller,
    readings: list[Any],
    *,
    now: datetime | None = None,
    source: str = "http",
    devices: dict[str, IngestDevice] | None = None,
) -> IngestResult:
    """Check and store a list of readings for a caller; bad ones become dead letters.

    ``devices`` is the caller's look-up of the devices by code, when it already did one.
    """
    batch = _Batch(now=now or utcnow(), source=source, caller=caller)
    by_kind = _sort_by_kind(uow.session, batch, readings, devices)
    for kind, items in by_kind.items():
        checked = payloads.validate_many(kind, [values for _, _, _, values in items])
        for (index, device, ts_ms, _), result in zip(items, checked, strict=True):
            if isinstance(result, payloads.Invalid):
                _reject(
                    batch, index, "invalid_values", readings[index], device.code, result.message
                )
            else:
                _accept(batch, device, ts_ms, result)
    _write(uow, batch)
    batch.rejected.sort(key=lambda r: r.index)
    return IngestResult(accepted=batch.accepted, rejected=batch.rejected)


def _sort_by_kind(
    session: Session, batch: _Batch, readings: list[Any], devices: dict[str, IngestDevice] | None
) -> dict[str, list[tuple[int, IngestDevice, int, Any]]]:
    """Check device, permission and time of each reading; group the good ones by kind.

    Device checks and time parsing are cached per distinct code and time string: a batch
    repeats both a lot, and this loop is the hot path of ingest.
    """
    if devices is None:
        codes = {c for r in readings if type(r) is dict and type(c := r.get("device")) is str}
        devices = lookup(session, {c for c in codes if _could_be_code(c)}, batch.now)
    verdicts: dict[str, tuple[str, IngestDevice | None]] = {}
    stamps: dict[str | None, int | str] = {}
    by_kind: dict[str, list[tuple[int, IngestDevice, int, Any]]] = defaultdict(list)
    for index, reading in enumerate(readings):
        code = reading.get("device") if type(reading) is dict else None
        values = reading.get("values", _NO_VALUES) if code is not None else None
        if type(code) is not str or type(values) is not dict:
            _reject(batch, index, "invalid_reading", reading, "")
            continue
        verdict = verdicts.get(code)
        if verdict is None:
            verdict = verdicts[code] = _device_of(batch.caller, devices, code)
        problem, device = verdict
        if device is None:
            _reject(batch, index, problem, reading, code)
            continue
        ts = reading.get("ts")
        if ts is not None and type(ts) is not str:
            ts = "?"  # any other JSON type is refused; keep the cache key hashable
        ts_ms = stamps.get(ts)
        if ts_ms is None:
            ts_ms = stamps[ts] = _ts_ms(ts, batch.now)
        if isinstance(ts_ms, str):
            _reject(batch, index, ts_ms, reading, code)
            continue
        kind = payloads.HEARTBEAT if reading.get("heartbeat") is True else device.kind
        by_kind[kind].append((index, device, ts_ms, values))
    return by_kind


def lookup(session: Session, codes: Iterable[str], now: datetime) -> dict[str, IngestDevice]:
    """The devices with these codes, by code, as ingest needs them."""
    return repo.for_ingest(session, codes, now - LAST_SEEN_GRAIN)


def _could_be_code(value: Any) -> TypeGuard[str]:
    """Only strings shaped like a device code are looked up (PostgreSQL refuses NUL bytes)."""
    return isinstance(value, str) and len(value) <= 80 and CODE_SHAPE.match(value) is not None


def _device_of(
    caller: Caller, devices: dict[str, IngestDevice], code: str
) -> tuple[str, IngestDevice | None]:
    """The device with this code, or the reason code its readings are refused."""
    device = devices.get(code)
    if device is None:
        return "unknown_device", None
    if (caller.kind == "device" and device.id != caller.id) or (
        caller.kind == "gateway" and device.agency_id != caller.agency_id
    ):
        return "not_allowed", None
    if not device.enabled:
        return "disabled", None
    return "", device


def _ts_ms(ts: str | None, now: datetime) -> int | str:
    """Milliseconds since the epoch, or the reason code the time is refused."""
    if ts is None:
        return (now - EPOCH) // ONE_MS
    if len(ts) > 40:
        return "invalid_timestamp"
    try:
        when = datetime.fromisoformat(ts)
    except ValueError:
        return "invalid_timestamp"
    if when.tzinfo is None or when.utcoffset() is None:
        return "invalid_timestamp"
    try:
        utc = when.astimezone(UTC)
    except OverflowError:  # e.g. year 1 with a positive offset
        return "invalid_timestamp"
    if utc < OLDEST:
        return "invalid_timestamp"
    if utc > now + FUTURE_SKEW:
        return "future_timestamp"
    return (utc - EPOCH) // ONE_MS


def _accept(batch: _Batch, device: IngestDevice, ts_ms: int, metrics: payloads.Metrics) -> None:
    device_id = device.id
    batch.seen[device_id] = device
    batch.accepted += 1
    rows, latest = batch.rows, batch.latest
    for metric, value in metrics.items():
        rows.append((device_id, metric, ts_ms, value))
        key = (device_id, metric)
        old = latest.get(key)
        if old is None or ts_ms >= old[0]:
            latest[key] = (ts_ms, value)


def _reject(
    batch: _Batch, index: int, code: str, reading: Any, device_code: str, detail: str = ""
) -> None:
    message, message_th = REASONS[code]
    if detail:
        message, message_th = f"{message}: {detail}", f"{message_th}: {detail}"
    batch.rejected.append(Rejection(index=index, reason=code, message=message))
    row = _dead_row(batch, code, message, message_th, _dump(reading), device_code[:80])
    batch.dead.append((index, row))


def _dead_row(
    batch: _Batch | None, code: str, message: str, message_th: str, raw: str, device_code: str
) -> dict[str, Any]:
    return {
        "received_at": batch.now if batch else utcnow(),
        "source": batch.source if batch else "http",
        "device_code": clean_text(device_code, 80),
        "credential": batch.caller.prefix if batch else "",
        "reason_code": code,
        "reason": clean_text(message, 300),
        "reason_th": clean_text(message_th, 300),
        "raw": clean_text(raw, RAW_LIMIT),
    }


def clean_text(value: str, limit: int) -> str:
    """Text safe for any backend: PostgreSQL text cannot hold NUL, so it is shown as U+FFFD."""
    return value[:limit].replace("\x00", "\ufffd")


def _write(uow: UnitOfWork, batch: _Batch) -> None:
    """Readings, latest values, device health and dead letters, each in one statement."""
    session = uow.session
    series.insert_readings(session, batch.rows)
    series.upsert_latest(session, [(d, m, t, v) for (d, m), (t, v) in batch.latest.items()])
    changes = _health(session, batch)
    batch.dead.sort(key=lambda item: item[0])
    repo.add_dead_letters(session, [row for _, row in batch.dead])
    if batch.accepted:
        uow.emit(_telemetry_event(batch))
    for change in changes:
        uow.emit(change)


def _health(session: Session, batch: _Batch) -> list[DeviceStatusChanged]:
    """Mark every device heard from as online (or degraded on a low battery)."""
    rows: list[repo.HealthRow] = []
    changes = []
    for device_id, device in batch.seen.items():
        battery = batch.latest.get((device_id, "battery"), (0, device.battery))[1]
        signal = batch.latest.get((device_id, "signal"), (0, device.signal))[1]
        low = battery is not None and battery < LOW_BATTERY
        status = "degraded" if low else "online"
        if device.seen_since and (status, battery, signal) == device.health:
            continue  # written moments ago and nothing changed (LAST_SEEN_GRAIN)
        rows.append((device_id, status, battery, signal))
        if status != device.status:
            changes.append(
                DeviceStatusChanged(
                    device_id=device_id,
                    code=device.code,
                    kind=device.kind,
                    old=device.status,
                    new=status,
                    at=batch.now,
                )
            )
    repo.update_health(session, batch.now, rows)
    return changes


def _telemetry_event(batch: _Batch) -> TelemetryReceived:
    latest = tuple((d, m, EPOCH + t * ONE_MS, v) for (d, m), (t, v) in sorted(batch.latest.items()))
    return TelemetryReceived(
        source=batch.source,
        received_at=batch.now,
        device_ids=tuple(sorted(batch.seen)),
        metrics=tuple(sorted({m for _, m in batch.latest})),
        readings=batch.accepted,
        latest=latest,
    )


def _refuse(
    uow: UnitOfWork, status: int, code: str, body: bytes, now: datetime, credential: str
) -> Refused:
    """Record a refused message as one dead letter and say why."""
    message, message_th = REASONS[code]
    row = _dead_row(
        None, code, message, message_th, body[:RAW_LIMIT].decode("utf-8", "replace"), ""
    )
    row["received_at"], row["credential"] = now, clean_text(credential, 16)
    repo.add_dead_letters(uow.session, [row])
    return Refused(status, code, message, message_th)


def _credential_hint(authorization: str) -> str:
    """The first characters of a presented token: enough to recognise it, useless to replay."""
    return authorization.strip().partition(" ")[2].strip()[:10]


def _dump(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))[:RAW_LIMIT]
    except (TypeError, ValueError, RecursionError):
        return repr(value)[:RAW_LIMIT]


def no_constants(name: str) -> Any:
    """Refuse NaN and Infinity, which JSON does not allow but Python would accept."""
    raise ValueError(f"{name} is not valid JSON")


# One decoder for every message: json.loads with an option builds a new decoder per call,
# which cost more than decoding a small reading.
_JSON: Final = json.JSONDecoder(parse_constant=no_constants)


def parse_json(raw: bytes) -> Any:
    """Decode a UTF-8 JSON document; ValueError (or RecursionError) when it is not one."""
    return _JSON.decode(raw.decode("utf-8"))
