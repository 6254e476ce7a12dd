"""GeoJSON out: the import-compatible export and the map layers the web UI draws."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy.orm import Session

from smartcity.errors import InvalidInput
from smartcity.geo import repository as repo
from smartcity.geo import transfer

EXPORT_LAYERS: Final = ("", *transfer.LAYERS)


def export_geojson(session: Session, *, layer: str = "", kind: str = "") -> dict[str, Any]:
    """A FeatureCollection of the site, zones and places that ``import_geojson`` accepts back."""
    if layer not in EXPORT_LAYERS:
        raise InvalidInput(
            f"Unknown layer {layer!r}; use site, zone or place.",
            f"ไม่รู้จักชั้นข้อมูล {layer} ใช้ site, zone หรือ place",
        )
    features: list[dict[str, Any]] = []
    if layer in ("", "site") and not kind:
        features += [transfer.site_feature(s) for s in repo.all_sites(session)]
    if layer in ("", "zone"):
        features += [transfer.zone_feature(z) for z in repo.list_zones(session, kind=kind)]
    if layer in ("", "place"):
        features += [transfer.place_feature(p) for p in repo.list_places(session, kind=kind)]
    return transfer.collection(features)


def zones_geojson(
    session: Session, *, kind: str = "", zone_scope: frozenset[int] | None = None
) -> dict[str, Any]:
    """Zones as a map layer (id, code, names, kind, is_sample on each feature)."""
    zones = repo.list_zones(session, kind=kind, zone_scope=zone_scope)
    return transfer.collection([transfer.zone_map_feature(z) for z in zones])


def places_geojson(session: Session, *, kind: str = "") -> dict[str, Any]:
    """Places as a map layer (id, code, names, kind, zone_id, is_sample on each feature)."""
    places = repo.list_places(session, kind=kind)
    return transfer.collection([transfer.place_map_feature(p) for p in places])
