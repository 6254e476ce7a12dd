"""REST routes of the geography domain (thin: parse, check permission, call the service)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.errors import NotFound
from smartcity.geo import service
from smartcity.geo.models import Zone
from smartcity.geo.schemas import (
    ImportReport,
    PlaceIn,
    PlaceOut,
    SiteOut,
    SummaryOut,
    ZoneBrief,
    ZoneIn,
    ZoneOut,
    ZoneUpdate,
)
from smartcity.http import Paging, UoW
from smartcity.kit.pagination import Page

router = APIRouter(prefix="/api/geo", tags=["geo"])
GeoReader = Annotated[Principal, Depends(require("geo.read"))]
GeoWriter = Annotated[Principal, Depends(require("geo.write"))]
GEOJSON = "application/geo+json"


def _in_scope(principal: Principal, zone: Zone) -> Zone:
    """Zones outside the caller's scope look absent, so ids do not leak what exists."""
    if not principal.can("geo.read", zone.id):
        raise NotFound(f"Zone {zone.id} does not exist.", f"ไม่พบพื้นที่หมายเลข {zone.id}")
    return zone


@router.get("/site", summary="The municipality")
def get_site(uow: UoW, _: GeoReader) -> SiteOut | None:
    """The site with its centre and boundary; null before any data is imported."""
    site = service.get_site(uow.session)
    return SiteOut.model_validate(site) if site else None


@router.get("/summary", summary="Counts of zones and places by kind")
def summary(uow: UoW, _: GeoReader) -> SummaryOut:
    """How many zones and places of each kind the site has."""
    data = service.site_summary(uow.session)
    site = SiteOut.model_validate(data["site"]) if data["site"] else None
    return SummaryOut.model_validate({**data, "site": site})


@router.get("/zones", summary="Search zones")
def list_zones(
    uow: UoW, paging: Paging, principal: GeoReader, q: str = "", kind: str = ""
) -> Page[ZoneOut]:
    """Zones matching ``q`` (code or names), one page; limited to the caller's zones."""
    scope = principal.zone_scope("geo.read")
    rows, total = service.list_zones(uow.session, paging, q=q, kind=kind, zone_scope=scope)
    items = [ZoneOut.of(z) for z in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/zones.geojson", summary="Zones as a GeoJSON map layer")
def zones_geojson(uow: UoW, principal: GeoReader, kind: str = "") -> dict[str, Any]:
    """A FeatureCollection of the caller's zones for the map."""
    scope = principal.zone_scope("geo.read")
    return service.zones_geojson(uow.session, kind=kind, zone_scope=scope)


@router.get("/zones/{zone_id}", summary="One zone")
def get_zone(zone_id: int, uow: UoW, principal: GeoReader) -> ZoneOut:
    """A zone with its geometry."""
    return ZoneOut.of(_in_scope(principal, service.get_zone(uow.session, zone_id)))


@router.post("/zones", status_code=201, summary="Create a zone")
def create_zone(body: ZoneIn, uow: UoW, _: GeoWriter) -> ZoneOut:
    """Add a zone drawn as a GeoJSON Polygon or MultiPolygon."""
    return ZoneOut.of(service.create_zone(uow, body))


@router.put("/zones/{zone_id}", summary="Change a zone")
def update_zone(zone_id: int, body: ZoneUpdate, uow: UoW, principal: GeoWriter) -> ZoneOut:
    """Change the fields sent; fields left out keep their value."""
    _in_scope(principal, service.get_zone(uow.session, zone_id))
    return ZoneOut.of(service.update_zone(uow, zone_id, body))


@router.delete("/zones/{zone_id}", status_code=204, summary="Delete a zone")
def delete_zone(zone_id: int, uow: UoW, principal: GeoWriter) -> Response:
    """Remove a zone; places inside it lose their community."""
    _in_scope(principal, service.get_zone(uow.session, zone_id))
    service.delete_zone(uow, zone_id)
    return Response(status_code=204)


@router.get("/places", summary="Search places")
def list_places(
    uow: UoW,
    paging: Paging,
    _: GeoReader,
    q: str = "",
    kind: str = "",
    zone_id: int | None = None,
) -> Page[PlaceOut]:
    """Places matching ``q`` (code or names), optionally in one community, one page."""
    rows, total = service.list_places(uow.session, paging, q=q, kind=kind, zone_id=zone_id)
    items = [PlaceOut.model_validate(p) for p in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/places.geojson", summary="Places as a GeoJSON map layer")
def places_geojson(uow: UoW, _: GeoReader, kind: str = "") -> dict[str, Any]:
    """A FeatureCollection of places for the map."""
    return service.places_geojson(uow.session, kind=kind)


@router.get("/places/{place_id}", summary="One place")
def get_place(place_id: int, uow: UoW, _: GeoReader) -> PlaceOut:
    """A place with the community it lies in."""
    return PlaceOut.model_validate(service.get_place(uow.session, place_id))


@router.post("/places", status_code=201, summary="Create a place")
def create_place(body: PlaceIn, uow: UoW, _: GeoWriter) -> PlaceOut:
    """Add a place; its community is found from its position."""
    return PlaceOut.model_validate(service.create_place(uow, body))


@router.get("/lookup", summary="Zones containing a point")
def lookup(
    uow: UoW,
    principal: GeoReader,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
    kind: str = "",
) -> list[ZoneBrief]:
    """Every zone (of ``kind``, or all) that contains the point, within the caller's scope."""
    zones = service.zones_at(uow.session, lat, lon, kind)
    return [ZoneBrief.model_validate(z) for z in zones if principal.can("geo.read", z.id)]


@router.get("/export.geojson", summary="Export site, zones and places")
def export_geojson(uow: UoW, _: GeoWriter, layer: str = "", kind: str = "") -> Response:
    """Everything as one FeatureCollection that ``POST /import`` accepts back.

    Needs geo.write: it is a data-management copy of every zone, not scoped like the map layers.
    """
    data = service.export_geojson(uow.session, layer=layer, kind=kind)
    return _geojson_response(data)


@router.post("/import", summary="Import a GeoJSON FeatureCollection")
def import_geojson(uow: UoW, _: GeoWriter, body: Annotated[dict[str, Any], Body()]) -> ImportReport:
    """Create or update records by code; refused features are listed with the reason."""
    return service.import_geojson(uow, body)


def _geojson_response(data: dict[str, Any]) -> Response:
    """GeoJSON with Thai kept readable and a download name."""
    text = json.dumps(data, ensure_ascii=False)
    headers = {"content-disposition": 'attachment; filename="smartcity-geo.geojson"'}
    return Response(text, media_type=GEOJSON, headers=headers)
