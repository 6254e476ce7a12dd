"""NGSI-LD queries answered from the devices and geo services (no tables of its own).

Devices are read page by page through the devices service, cheap filters (type, id, geo-query)
run before the latest values are read, and ``q`` runs on the built entities. This suits a town's
thousands of devices; a city-scale broker would keep entities in a context broker instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from smartcity.devices import service as devices
from smartcity.devices import state
from smartcity.errors import NotFound
from smartcity.geo import service as geo
from smartcity.kit.pagination import PageParams
from smartcity.ngsi import entities
from smartcity.ngsi.entities import DEVICE, ENTITY_TYPES, DeviceFacts, Reading
from smartcity.ngsi.errors import InvalidRequest, ResourceNotFound
from smartcity.ngsi.query import Predicate, Term

SCAN_PAGE = 200


class DeviceRow(Protocol):
    """The device fields NGSI-LD reads (the devices service returns such rows)."""

    id: int
    code: str
    kind: str
    name_th: str
    name_en: str
    lat: float
    lon: float
    zone_id: int | None
    status: str
    enabled: bool
    is_sample: bool
    battery: float | None
    signal: float | None


@dataclass(frozen=True)
class EntityQuery:
    """A parsed ``GET /entities`` query."""

    types: frozenset[str] | None = None
    ids: frozenset[str] | None = None
    attrs: frozenset[str] | None = None
    q: tuple[Term, ...] = ()
    geo: Predicate | None = None
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class EntityPage:
    """One page of entities and how many matched in all."""

    entities: list[dict[str, Any]]
    total: int


def _scan(session: Session, zone_scope: frozenset[int] | None, kind: str = "") -> Iterator[Any]:
    """Every device the caller may see, page by page, in code order."""
    page = 1
    while True:
        rows, total = devices.list_devices(
            session, PageParams(page, SCAN_PAGE), kind=kind, zone_scope=zone_scope
        )
        yield from rows
        if not rows or page * SCAN_PAGE >= total:
            return
        page += 1


class _Zones:
    """Zone codes by id, read once per request."""

    def __init__(self, session: Session) -> None:
        self._session, self._codes = session, dict[int, str | None]()

    def code(self, zone_id: int | None) -> str | None:
        if zone_id is None:
            return None
        if zone_id not in self._codes:
            try:
                self._codes[zone_id] = geo.get_zone(self._session, zone_id).code
            except NotFound:
                self._codes[zone_id] = None
        return self._codes[zone_id]


def _facts(session: Session, device: Any, zones: _Zones) -> DeviceFacts:
    latest = state.latest_state(session, device)
    readings = tuple(Reading(v.metric, v.value, v.ts) for v in latest.values)
    return DeviceFacts(
        code=device.code,
        kind=device.kind,
        name_th=device.name_th,
        name_en=device.name_en,
        lat=device.lat,
        lon=device.lon,
        zone_code=zones.code(device.zone_id),
        status=device.status,
        last_seen_at=latest.last_seen_at,
        battery=device.battery,
        signal=device.signal,
        enabled=device.enabled,
        is_sample=device.is_sample,
        readings=readings,
    )


def _wanted(query: EntityQuery, device: DeviceRow) -> list[str]:
    """The entity types of this device the query asks for, before reading its values."""
    types = [t for t in entities.types_of(device.kind) if query.types is None or t in query.types]
    if query.ids is not None:
        types = [t for t in types if entities.entity_id(t, device.code) in query.ids]
    if types and query.geo is not None and not query.geo(device.lat, device.lon):
        return []
    return types


def _kind_filter(types: frozenset[str] | None) -> str:
    """Ask the devices service for one kind when only observation types are wanted."""
    if types is None or DEVICE in types:
        return ""
    kinds = {entities.OBSERVED[t][0] for t in types if t in entities.OBSERVED}
    return kinds.pop() if len(kinds) == 1 else ""


def query_entities(
    session: Session, query: EntityQuery, zone_scope: frozenset[int] | None
) -> EntityPage:
    """Entities matching the query, ordered by id, with limit/offset applied."""
    zones = _Zones(session)
    matched: list[dict[str, Any]] = []
    for device in _scan(session, zone_scope, _kind_filter(query.types)):
        types = _wanted(query, device)
        if not types:
            continue
        facts = _facts(session, device, zones)
        for entity_type in types:
            entity = entities.build(facts, entity_type)
            if all(term.matches(entity) for term in query.q):
                matched.append(entity)
    matched.sort(key=lambda e: str(e["id"]))
    window = matched[query.offset : query.offset + query.limit]
    return EntityPage([entities.project(e, query.attrs) for e in window], len(matched))


def get_entity(
    session: Session,
    entity_id: str,
    attrs: frozenset[str] | None,
    zone_scope: frozenset[int] | None,
) -> dict[str, Any]:
    """One entity by its URN, or ResourceNotFound (also outside the caller's zones)."""
    parsed = entities.parse_id(entity_id)
    if parsed is None:
        if not entity_id.startswith("urn:") and ":" not in entity_id:
            raise InvalidRequest(f"{entity_id!r} is not a URI.", f"{entity_id} ไม่ใช่ URI ที่ถูกต้อง")
        raise _missing(entity_id)
    entity_type, code = parsed
    device = devices.find_device(session, code)
    if device is None or entity_type not in entities.types_of(device.kind):
        raise _missing(entity_id)
    if zone_scope is not None and device.zone_id is not None and device.zone_id not in zone_scope:
        raise _missing(entity_id)
    entity = entities.build(_facts(session, device, _Zones(session)), entity_type)
    return entities.project(entity, attrs)


def entity_types(session: Session, zone_scope: frozenset[int] | None) -> list[str]:
    """The entity types with at least one entity the caller may see."""
    found: set[str] = set()
    for device in _scan(session, zone_scope):
        found.update(entities.types_of(device.kind))
        if len(found) == len(ENTITY_TYPES):
            break
    return [t for t in ENTITY_TYPES if t in found]


def _missing(entity_id: str) -> ResourceNotFound:
    return ResourceNotFound(f"No entity {entity_id!r}.", f"ไม่พบเอนทิตี {entity_id}")
