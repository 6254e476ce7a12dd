"""The dashboard map and the pages for zones and places."""

from __future__ import annotations

import json
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from smartcity.accounts import service as accounts
from smartcity.errors import NotFound
from smartcity.geo import service as geo
from smartcity.geo.schemas import PlaceKind, ZoneKind
from smartcity.http import Paging
from smartcity.kit.pagination import PageParams
from smartcity.web import i18n
from smartcity.web.errors import PageRoute
from smartcity.web.view import Pager, View, page

router = APIRouter(route_class=PageRoute)
GeoReader = Annotated[View, Depends(page("geo.read"))]
Search = Annotated[str, Query(max_length=200)]
Kind = Annotated[str, Query(max_length=30)]
ZONE_KINDS: tuple[str, ...] = get_args(ZoneKind)
PLACE_KINDS: tuple[str, ...] = get_args(PlaceKind)


def map_config(view: View, **extra: Any) -> dict[str, Any]:
    """What the map script needs: labels, kind names, the tile server (if any) and data."""
    settings = view.settings
    tiles = (
        {"url": settings.map_tile_url, "attribution": settings.map_tile_attribution}
        if settings.map_tile_url
        else None
    )
    return {
        "lang": view.lang,
        "tiles": tiles,
        "labels": {
            key: view.t(f"map.{key}")
            for key in ("legend", "zone_layers", "place_layer", "no_base", "open", "load_failed")
        }
        | {"sample": view.t("sample.badge")},
        "zone_kinds": {k: i18n.kind_label(view.lang, "zone_kind", k) for k in ZONE_KINDS},
        "place_kinds": {k: i18n.kind_label(view.lang, "place_kind", k) for k in PLACE_KINDS},
        **extra,
    }


def _count(rows_total: tuple[list[Any], int]) -> int:
    return rows_total[1]


@router.get("/")
def dashboard(view: GeoReader) -> HTMLResponse:
    """The city at a glance: summary cards and the map of zones and places."""
    session = view.uow.session
    summary = geo.site_summary(session)
    site = summary.get("site")
    one = PageParams(1, 1)
    cards = [
        ("dash.zones", summary.get("zone_total", 0), "/zones"),
        ("dash.places", summary.get("place_total", 0), "/places"),
    ]
    if view.can("users.read"):
        cards.append(("dash.users", _count(accounts.list_users(session, "", one)), "/users"))
    if view.can("agencies.read"):
        cards.append(
            ("dash.agencies", _count(accounts.list_agencies(session, "", one)), "/agencies")
        )
    config = map_config(
        view,
        legend=True,
        center=[site.center_lat, site.center_lon] if site else None,
        sources={"zones": "/api/geo/zones.geojson", "places": "/api/geo/places.geojson"},
    )
    context = {
        "site": site,
        "summary": summary,
        "cards": cards,
        "is_sample": bool(site and site.is_sample),
        "map_config": config,
    }
    return view.render("geo/dashboard.html", context)


@router.get("/zones")
def zones(view: GeoReader, paging: Paging, q: Search = "", kind: Kind = "") -> HTMLResponse:
    """Zones the caller may see, filtered by text and kind."""
    assert view.principal is not None
    scope = view.principal.zone_scope("geo.read")
    rows, total = geo.list_zones(view.uow.session, paging, q=q, kind=kind, zone_scope=scope)
    context = {
        "rows": rows,
        "q": q,
        "kind": kind,
        "kinds": ZONE_KINDS,
        "pager": Pager.of(paging, total),
    }
    return view.render_list("geo/zones.html", "geo/_zones.html", context)


def _feature(geometry: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def _place_feature(p: Any) -> dict[str, Any]:
    props = {
        k: getattr(p, k)
        for k in ("id", "code", "name_th", "name_en", "kind", "zone_id", "is_sample")
    }
    return _feature({"type": "Point", "coordinates": [p.lon, p.lat]}, props)


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


@router.get("/zones/{zone_id}")
def zone_detail(zone_id: int, view: GeoReader) -> HTMLResponse:
    """One zone on a small map, with the places inside it."""
    assert view.principal is not None
    zone = geo.get_zone(view.uow.session, zone_id)
    if not view.principal.can("geo.read", zone.id):
        # Outside the caller's zones: answer as if it did not exist.
        raise NotFound(f"Zone {zone_id} does not exist.", f"ไม่พบพื้นที่หมายเลข {zone_id}")
    places = geo.places_in_zone(view.uow.session, zone.id)
    props = {k: getattr(zone, k) for k in ("id", "code", "name_th", "name_en", "kind", "is_sample")}
    config = map_config(
        view,
        zones=_collection([_feature(json.loads(zone.geometry), props)]),
        places=_collection([_place_feature(p) for p in places]),
    )
    return view.render("geo/zone.html", {"zone": zone, "places": places, "map_config": config})


@router.get("/places")
def places(
    view: GeoReader,
    paging: Paging,
    q: Search = "",
    kind: Kind = "",
    zone_id: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    """Places filtered by text, kind and zone."""
    rows, total = geo.list_places(view.uow.session, paging, q=q, kind=kind, zone_id=zone_id)
    context = {
        "rows": rows,
        "q": q,
        "kind": kind,
        "zone_id": zone_id,
        "kinds": PLACE_KINDS,
        "pager": Pager.of(paging, total),
    }
    return view.render_list("geo/places.html", "geo/_places.html", context)


@router.get("/places/{place_id}")
def place_detail(place_id: int, view: GeoReader) -> HTMLResponse:
    """One place on a small map, with the zone around it."""
    session = view.uow.session
    place = geo.get_place(session, place_id)
    zone = geo.get_zone(session, place.zone_id) if place.zone_id else None
    features = []
    if zone is not None:
        props = {
            k: getattr(zone, k) for k in ("id", "code", "name_th", "name_en", "kind", "is_sample")
        }
        features.append(_feature(json.loads(zone.geometry), props))
    config = map_config(
        view, zones=_collection(features), places=_collection([_place_feature(place)]), zoom=16
    )
    return view.render("geo/place.html", {"place": place, "zone": zone, "map_config": config})
