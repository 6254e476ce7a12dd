"""Point-in-zone look-ups: a bounding-box cut in SQL, then an exact test on a prepared shape."""

from __future__ import annotations

from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from smartcity.geo import repository as repo
from smartcity.geo import shapes
from smartcity.geo.models import Place, Zone
from smartcity.geo.repository import BBox
from smartcity.geo.shapes import PREPARED


def zones_at(session: Session, lat: float, lon: float, kind: str = "") -> list[Zone]:
    """Zones (of ``kind``, or all) that contain the point; boundary points count as inside."""
    point = shapes.point(lat, lon)
    candidates = repo.zones_with_point_in_bbox(session, lat, lon, kind)
    return [z for z in candidates if prepared(z).covers(point)]


def zone_at(session: Session, lat: float, lon: float, kind: str = "community") -> Zone | None:
    """The zone of ``kind`` containing the point (the oldest, if several do), or None."""
    found = zones_at(session, lat, lon, kind)
    return found[0] if found else None


def prepared(zone: Zone) -> BaseGeometry:
    """The zone's shape, prepared for repeated point tests and cached per version."""
    return PREPARED.get(zone.id, zone.updated_at, zone.geometry)


def bbox(zone: Zone) -> BBox:
    """The zone's bounding box as stored."""
    return (zone.min_lon, zone.min_lat, zone.max_lon, zone.max_lat)


def community_id(session: Session, lat: float, lon: float) -> int | None:
    """Id of the community containing the point, if any."""
    zone = zone_at(session, lat, lon, "community")
    return zone.id if zone else None


def refresh_places(session: Session, box: BBox) -> None:
    """Recompute the community of every place that a changed community may have touched."""
    for place in repo.places_in_bbox(session, box):
        place.zone_id = community_id(session, place.lat, place.lon)
    session.flush()


def places_within(session: Session, zone: Zone) -> list[Place]:
    """Places inside the zone's shape."""
    shape = prepared(zone)
    candidates = repo.places_in_bbox(session, bbox(zone))
    return [p for p in candidates if shape.covers(shapes.point(p.lat, p.lon))]
