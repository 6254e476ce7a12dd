"""Rules of the geography domain: the site, zones, places, point look-ups and GeoJSON exchange."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from smartcity.errors import Conflict, InvalidInput, NotFound
from smartcity.events import RecordChanged, UnitOfWork
from smartcity.geo import repository as repo
from smartcity.geo import shapes, spatial, transfer
from smartcity.geo.exchange import export_geojson as export_geojson
from smartcity.geo.exchange import places_geojson as places_geojson
from smartcity.geo.exchange import zones_geojson as zones_geojson
from smartcity.geo.models import PLACE_KINDS, ZONE_KINDS, Place, Site, Zone
from smartcity.geo.repository import BBox
from smartcity.geo.schemas import (
    FeatureError,
    ImportReport,
    PlaceIn,
    SiteIn,
    ZoneIn,
    ZoneUpdate,
)
from smartcity.geo.shapes import PREPARED
from smartcity.geo.spatial import bbox as _bbox
from smartcity.geo.spatial import community_id as _community_id
from smartcity.geo.spatial import refresh_places as _refresh_places
from smartcity.geo.spatial import zone_at as zone_at
from smartcity.geo.spatial import zones_at as zones_at
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams

SAMPLE_PACK = "sample/phichit.geojson"


# --- site -------------------------------------------------------------------------------------


def get_site(session: Session) -> Site | None:
    """The municipality this deployment serves (the first site), if one is loaded."""
    return repo.first_site(session)


def site_summary(session: Session) -> dict[str, Any]:
    """The site and its zone and place counts: keys site, zones, places, zone_total, place_total.

    ``zones`` and ``places`` map every known kind to a count, zeros included, so a dashboard
    can show empty categories.
    """
    zones = {kind: 0 for kind in ZONE_KINDS} | repo.count_zones_by_kind(session)
    places = {kind: 0 for kind in PLACE_KINDS} | repo.count_places_by_kind(session)
    return {
        "site": get_site(session),
        "zones": zones,
        "places": places,
        "zone_total": sum(zones.values()),
        "place_total": sum(places.values()),
    }


def _require_site(session: Session) -> Site:
    site = get_site(session)
    if site is None:
        raise InvalidInput(
            "No site is loaded yet; import the municipality's GeoJSON (layer 'site') first.",
            "ยังไม่มีข้อมูลเทศบาล โปรดนำเข้าไฟล์ GeoJSON ที่มี layer 'site' ก่อน",
        )
    return site


def _upsert_site(uow: UnitOfWork, data: SiteIn, is_sample: bool) -> tuple[Site, bool]:
    """Create or update a site by code; True when it was created."""
    site = repo.find_site(uow.session, data.code)
    created = site is None
    if site is None:
        site = Site(code=data.code)
    site.name_th, site.name_en = data.name_th, data.name_en
    site.center_lat, site.center_lon = data.center_lat, data.center_lon
    site.geometry = json.dumps(data.geometry, separators=(",", ":")) if data.geometry else None
    site.properties, site.is_sample, site.updated_at = data.properties, is_sample, utcnow()
    repo.add(uow.session, site)
    _changed(uow, "site.created" if created else "site.updated", site)
    return site, created


# --- zones ------------------------------------------------------------------------------------


def list_zones(
    session: Session,
    params: PageParams,
    *,
    q: str = "",
    kind: str = "",
    zone_scope: frozenset[int] | None = None,
) -> tuple[list[Zone], int]:
    """One page of zones matching a search on code and names; ``zone_scope`` None means all."""
    return repo.search_zones(session, params, q=q.strip(), kind=kind, zone_scope=zone_scope)


def get_zone(session: Session, zone_id: int) -> Zone:
    """A zone, or NotFound."""
    zone = repo.get_zone(session, zone_id)
    if zone is None:
        raise NotFound(f"Zone {zone_id} does not exist.", f"ไม่พบพื้นที่หมายเลข {zone_id}")
    return zone


def create_zone(uow: UnitOfWork, data: ZoneIn, *, is_sample: bool = False) -> Zone:
    """Add a zone to the site; codes are unique within the site."""
    return _insert_zone(uow, _require_site(uow.session), data, is_sample)


def _insert_zone(uow: UnitOfWork, site: Site, data: ZoneIn, is_sample: bool) -> Zone:
    geom = _zone_shape(data.geometry)
    if repo.find_zone(uow.session, site.id, data.code):
        raise _duplicate("zone", data.code)
    zone = Zone(
        site_id=site.id,
        kind=data.kind,
        code=data.code,
        name_th=data.name_th,
        name_en=data.name_en,
        properties=data.properties,
        is_sample=is_sample,
    )
    _set_shape(zone, geom)
    repo.add(uow.session, zone)
    _changed(uow, "zone.created", zone)
    if zone.kind == "community":
        _refresh_places(uow.session, _bbox(zone))
    return zone


def update_zone(uow: UnitOfWork, zone_id: int, data: ZoneUpdate) -> Zone:
    """Change the fields given in ``data``; places are re-assigned when a community moves."""
    return _apply_zone(uow, get_zone(uow.session, zone_id), data, is_sample=None)


def _apply_zone(uow: UnitOfWork, zone: Zone, data: ZoneUpdate, is_sample: bool | None) -> Zone:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    code = changes.get("code", zone.code)
    if code != zone.code and repo.find_zone(uow.session, zone.site_id, code):
        raise _duplicate("zone", code)
    old_box, was_community = _bbox(zone), zone.kind == "community"
    fields = sorted(changes)
    if "geometry" in changes:
        _set_shape(zone, _zone_shape(changes.pop("geometry")))
    for key, value in changes.items():
        setattr(zone, key, value)
    if is_sample is not None:
        zone.is_sample = is_sample
    zone.updated_at = utcnow()
    uow.session.flush()
    PREPARED.forget(zone.id)
    _changed(uow, "zone.updated", zone, fields=fields)
    if was_community or zone.kind == "community":
        _refresh_places(uow.session, _union(old_box, _bbox(zone)))
    return zone


def delete_zone(uow: UnitOfWork, zone_id: int) -> None:
    """Remove a zone; its places lose (or are re-assigned) their community."""
    zone = get_zone(uow.session, zone_id)
    box, detail = _bbox(zone), {"code": zone.code, "kind": zone.kind}
    for place in repo.places_of_zone(uow.session, zone.id):
        place.zone_id = None
    repo.delete(uow.session, zone)
    PREPARED.forget(zone_id)
    uow.emit(
        RecordChanged(
            action="zone.deleted", entity_type="zone", entity_id=str(zone_id), detail=detail
        )
    )
    if detail["kind"] == "community":
        _refresh_places(uow.session, box)


def _zone_shape(geometry: dict[str, Any]) -> BaseGeometry:
    try:
        return shapes.parse(geometry, shapes.POLYGONAL)
    except shapes.ShapeProblem as exc:
        raise InvalidInput(
            f"The zone's geometry is not usable: {exc.message}.",
            f"รูปทรงของพื้นที่ใช้ไม่ได้: {exc.message_th}",
            errors=[{"field": "geometry", "message": exc.message}],
        ) from exc


def _set_shape(zone: Zone, geom: BaseGeometry) -> None:
    zone.geometry = shapes.dumps(geom)
    zone.min_lon, zone.min_lat, zone.max_lon, zone.max_lat = (float(v) for v in geom.bounds)


def _union(a: BBox, b: BBox) -> BBox:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


# --- places -----------------------------------------------------------------------------------


def list_places(
    session: Session,
    params: PageParams,
    *,
    q: str = "",
    kind: str = "",
    zone_id: int | None = None,
) -> tuple[list[Place], int]:
    """One page of places matching a search on code and names, optionally in one community."""
    return repo.search_places(session, params, q=q.strip(), kind=kind, zone_id=zone_id)


def get_place(session: Session, place_id: int) -> Place:
    """A place, or NotFound."""
    place = repo.get_place(session, place_id)
    if place is None:
        raise NotFound(f"Place {place_id} does not exist.", f"ไม่พบสถานที่หมายเลข {place_id}")
    return place


def create_place(uow: UnitOfWork, data: PlaceIn, *, is_sample: bool = False) -> Place:
    """Add a place; its community is found from its position."""
    site = _require_site(uow.session)
    if repo.find_place(uow.session, site.id, data.code):
        raise _duplicate("place", data.code)
    place = Place(site_id=site.id, code=data.code, is_sample=is_sample)
    _fill_place(uow.session, place, data)
    repo.add(uow.session, place)
    _changed(uow, "place.created", place)
    return place


def _fill_place(session: Session, place: Place, data: PlaceIn) -> None:
    place.kind, place.name_th, place.name_en = data.kind, data.name_th, data.name_en
    place.lat, place.lon, place.properties = data.lat, data.lon, data.properties
    place.zone_id = _community_id(session, data.lat, data.lon)
    place.updated_at = utcnow()


def places_in_zone(session: Session, zone_id: int) -> list[Place]:
    """Places inside a zone's shape, whatever its kind (e.g. shelters in a hazard area)."""
    return spatial.places_within(session, get_zone(session, zone_id))


# --- GeoJSON exchange -------------------------------------------------------------------------


def import_geojson(
    uow: UnitOfWork, data: dict[str, Any], *, is_sample: bool = False
) -> ImportReport:
    """Create or update sites, zones and places by code from a FeatureCollection.

    Each feature is checked on its own: refused ones are listed in the report and the rest
    are stored. Only a document that is not a FeatureCollection at all is refused outright.
    """
    features = transfer.features_of(data)
    if features is None:
        raise InvalidInput(
            "Expected a GeoJSON FeatureCollection with a 'features' list.",
            "ต้องเป็น GeoJSON แบบ FeatureCollection ที่มีรายการ features",
        )
    report, site = ImportReport(), None
    for index, item in transfer.parse_all(features):
        if isinstance(item, FeatureError):
            report.errors.append(item)
            continue
        site = _import_one(uow, report, index, item, site, is_sample or item.sample)
    report.errors.sort(key=lambda e: e.index)
    _emit_import(uow, site or get_site(uow.session), report)
    return report


def _import_one(
    uow: UnitOfWork,
    report: ImportReport,
    index: int,
    item: transfer.ParsedFeature,
    site: Site | None,
    is_sample: bool,
) -> Site | None:
    """Store one checked feature; returns the site later features belong to."""
    data = item.data
    if isinstance(data, SiteIn):
        site, created = _upsert_site(uow, data, is_sample)
        _count(report, created)
        return site
    target = site or get_site(uow.session)
    if target is None:
        problem = transfer.FeatureInvalid(
            "no site to attach to; add a feature with layer 'site' first",
            "ยังไม่มีข้อมูลเทศบาล ต้องมี feature ที่มี layer 'site' ก่อน",
        )
        report.errors.append(transfer.feature_error(index, data.code, problem))
        return site
    try:
        created = _upsert_feature(uow, target, data, is_sample)
    except InvalidInput as exc:  # a rule the schema could not check; keep going
        report.errors.append(
            FeatureError(index=index, code=data.code, message=exc.detail, message_th=exc.detail_th)
        )
        return site
    _count(report, created)
    return site


def _upsert_feature(uow: UnitOfWork, site: Site, data: Any, is_sample: bool) -> bool:
    """Create or update a zone or place by code; True when created."""
    if isinstance(data, ZoneIn):
        zone = repo.find_zone(uow.session, site.id, data.code)
        if zone is None:
            _insert_zone(uow, site, data, is_sample)
            return True
        _apply_zone(uow, zone, ZoneUpdate.model_validate(data.model_dump()), is_sample)
        return False
    place = repo.find_place(uow.session, site.id, data.code)
    if place is None:
        place = Place(site_id=site.id, code=data.code, is_sample=is_sample)
        _fill_place(uow.session, place, data)
        repo.add(uow.session, place)
        _changed(uow, "place.created", place)
        return True
    _fill_place(uow.session, place, data)
    place.is_sample = is_sample
    uow.session.flush()
    _changed(uow, "place.updated", place)
    return False


def load_sample(uow: UnitOfWork) -> ImportReport:
    """Import the packaged Phichit sample pack (fictional boundaries, all marked as samples)."""
    text = resources.files("smartcity.geo").joinpath(SAMPLE_PACK).read_text(encoding="utf-8")
    return import_geojson(uow, json.loads(text), is_sample=True)


# --- helpers ----------------------------------------------------------------------------------


def _count(report: ImportReport, created: bool) -> None:
    if created:
        report.created += 1
    else:
        report.updated += 1


def _duplicate(entity: str, code: str) -> Conflict:
    label_th = "พื้นที่" if entity == "zone" else "สถานที่"
    return Conflict(
        f"A {entity} with code {code!r} already exists.",
        f"มี{label_th}รหัส {code} แล้ว",
        errors=[{"field": "code", "message": "already used"}],
    )


def _changed(uow: UnitOfWork, action: str, row: Site | Zone | Place, **extra: Any) -> None:
    entity = action.split(".", 1)[0]
    detail: dict[str, Any] = {"code": row.code, **extra}
    if isinstance(row, Zone | Place):
        detail["kind"] = row.kind
    uow.emit(RecordChanged(action=action, entity_type=entity, entity_id=str(row.id), detail=detail))


def _emit_import(uow: UnitOfWork, site: Site | None, report: ImportReport) -> None:
    """One summary entry per import: the audit log shows who loaded data and how it went."""
    detail = {"created": report.created, "updated": report.updated, "refused": len(report.errors)}
    entity_id = str(site.id) if site else ""
    uow.emit(
        RecordChanged(action="geo.imported", entity_type="site", entity_id=entity_id, detail=detail)
    )
