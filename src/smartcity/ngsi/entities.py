"""Devices as NGSI-LD entities, following the FIWARE Smart Data Models where they fit.

Every device is a ``Device`` entity. Gauges and sensors also appear as the observation entity
of their data model (``WaterObserved``, ``AirQualityObserved``, ``WeatherObserved``) whose
``refDevice`` points back at the device. Pure functions: no database here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

URN: Final = "urn:ngsi-ld:"
DEVICE: Final = "Device"


@dataclass(frozen=True)
class Measure:
    """How one platform metric appears on an observation entity."""

    attr: str
    unit: str | None  # UN/CEFACT common code
    scale: float = 1.0  # percent → fraction where the data model wants 0..1


# Observation type → (device kind, metric → attribute).
OBSERVED: Final[dict[str, tuple[str, dict[str, Measure]]]] = {
    "WaterObserved": ("water_level", {"level_m": Measure("height", "MTR")}),
    "AirQualityObserved": (
        "air_quality",
        {
            "pm25": Measure("pm25", "GQ"),
            "pm10": Measure("pm10", "GQ"),
            "aqi": Measure("airQualityIndex", None),
            "temperature_c": Measure("temperature", "CEL"),
            "humidity_pct": Measure("relativeHumidity", None, 0.01),
        },
    ),
    "WeatherObserved": ("rain_gauge", {"rain_mm": Measure("precipitation", "MMT")}),
}
ENTITY_TYPES: Final = (DEVICE, *OBSERVED)
KIND_TO_OBSERVED: Final = {kind: name for name, (kind, _m) in OBSERVED.items()}


@dataclass(frozen=True)
class Reading:
    """The newest value of one metric."""

    metric: str
    value: float
    ts: datetime


@dataclass(frozen=True)
class DeviceFacts:
    """What the entity builders need about one device (taken from the devices service)."""

    code: str
    kind: str
    name_th: str
    name_en: str
    lat: float
    lon: float
    zone_code: str | None
    status: str
    last_seen_at: datetime | None
    battery: float | None
    signal: float | None
    enabled: bool
    is_sample: bool
    readings: tuple[Reading, ...]


def entity_id(entity_type: str, code: str) -> str:
    """``urn:ngsi-ld:<Type>:<device code>``."""
    return f"{URN}{entity_type}:{code}"


def parse_id(value: str) -> tuple[str, str] | None:
    """(type, code) of one of our entity ids, or None if it is not one."""
    if not value.startswith(URN):
        return None
    entity_type, sep, code = value[len(URN) :].partition(":")
    if not sep or not code or entity_type not in ENTITY_TYPES:
        return None
    return entity_type, code


def types_of(kind: str) -> tuple[str, ...]:
    """The entity types a device of this kind appears as."""
    observed = KIND_TO_OBSERVED.get(kind)
    return (DEVICE, observed) if observed else (DEVICE,)


def iso(value: datetime) -> str:
    """UTC time in the form NGSI-LD shows it."""
    return value.isoformat().replace("+00:00", "Z")


def prop(
    value: Any, observed_at: datetime | None = None, unit: str | None = None
) -> dict[str, Any]:
    """An NGSI-LD Property."""
    out: dict[str, Any] = {"type": "Property", "value": value}
    if observed_at is not None:
        out["observedAt"] = iso(observed_at)
    if unit:
        out["unitCode"] = unit
    return out


def _datetime(value: datetime) -> dict[str, Any]:
    return prop({"@type": "DateTime", "@value": iso(value)})


def _location(facts: DeviceFacts) -> dict[str, Any]:
    return {
        "type": "GeoProperty",
        "value": {"type": "Point", "coordinates": [facts.lon, facts.lat]},
    }


def _relationship(target: str) -> dict[str, Any]:
    return {"type": "Relationship", "object": target}


def _common(facts: DeviceFacts, entity_type: str) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "id": entity_id(entity_type, facts.code),
        "type": entity_type,
        "name": prop(facts.name_th),
        "location": _location(facts),
    }
    if facts.name_en:
        entity["alternateName"] = prop(facts.name_en)
    if facts.zone_code:
        entity["refZone"] = _relationship(f"{URN}Zone:{facts.zone_code}")
    if facts.is_sample:
        entity["isSample"] = prop(True)
    return entity


def device_entity(facts: DeviceFacts) -> dict[str, Any]:
    """The ``Device`` entity: registry facts, health and every latest value."""
    entity = _common(facts, DEVICE)
    entity["deviceCategory"] = prop([facts.kind])
    entity["deviceState"] = prop(facts.status)
    entity["enabled"] = prop(facts.enabled)
    entity["controlledProperty"] = prop(sorted(r.metric for r in facts.readings))
    if facts.last_seen_at is not None:
        entity["dateLastValueReported"] = _datetime(facts.last_seen_at)
    if facts.battery is not None:
        entity["batteryLevel"] = prop(round(facts.battery / 100, 4))
    if facts.signal is not None:
        entity["rssi"] = prop(facts.signal, unit="DBM")  # dBm
    for reading in facts.readings:
        if reading.metric not in entity:
            entity[reading.metric] = prop(reading.value, reading.ts)
    return entity


def observed_entity(facts: DeviceFacts, entity_type: str) -> dict[str, Any]:
    """The observation entity of a gauge or sensor, per its Smart Data Model."""
    _kind, measures = OBSERVED[entity_type]
    entity = _common(facts, entity_type)
    entity["refDevice"] = _relationship(entity_id(DEVICE, facts.code))
    newest: datetime | None = None
    for reading in facts.readings:
        measure = measures.get(reading.metric)
        if measure is None:
            continue
        value = round(reading.value * measure.scale, 6)
        entity[measure.attr] = prop(value, reading.ts, measure.unit)
        newest = reading.ts if newest is None or reading.ts > newest else newest
    if newest is not None:
        entity["dateObserved"] = _datetime(newest)
    return entity


def build(facts: DeviceFacts, entity_type: str) -> dict[str, Any]:
    """The entity of this type for a device."""
    if entity_type == DEVICE:
        return device_entity(facts)
    return observed_entity(facts, entity_type)


def project(entity: dict[str, Any], attrs: frozenset[str] | None) -> dict[str, Any]:
    """Keep id, type and the attributes asked for (all when ``attrs`` is None)."""
    if attrs is None:
        return entity
    return {k: v for k, v in entity.items() if k in ("id", "type") or k in attrs}


def simplify(entity: dict[str, Any]) -> dict[str, Any]:
    """The ``keyValues`` (simplified) form: each attribute reduced to its value or object."""
    out: dict[str, Any] = {}
    for key, attribute in entity.items():
        if isinstance(attribute, dict) and attribute.get("type") in NGSI_ATTRIBUTE_TYPES:
            out[key] = attribute.get("value", attribute.get("object"))
        else:
            out[key] = attribute
    return out


NGSI_ATTRIBUTE_TYPES: Final = ("Property", "GeoProperty", "Relationship")
