"""Areas and the people inside them: resolve an area, find households fast, rank people.

Finding people: the grid cells under the area's bounding box (an indexed integer range per grid
row) and the box itself narrow the households in SQL; a prepared Shapely geometry then keeps the
points truly inside, which handles holes and multipolygons exactly.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from smartcity.care.access import Access
from smartcity.care.disaster import grid
from smartcity.care.disaster import repository as repo
from smartcity.care.disaster.ranking import WEIGHTS, need_score, reasons
from smartcity.care.disaster.schemas import AreaIn, AreaPerson
from smartcity.care.models import Household, Person
from smartcity.care.views import address_th, age_on, display_name, today
from smartcity.errors import InvalidInput, NotFound
from smartcity.geo import service as geo
from smartcity.kit.pagination import PageParams

POLYGONAL: Final = ("Polygon", "MultiPolygon")
MAX_AREA_DEG2: Final = 1.0  # about 12,000 km²: larger is a mistake, not a flood


@dataclass(frozen=True)
class Area:
    """A resolved area: its shape, its GeoJSON, and the zone it came from (if any)."""

    shape: BaseGeometry
    geojson: dict[str, Any]
    zone_id: int | None
    label: str


def resolve(session: Session, data: AreaIn) -> Area:
    """The shape of a drawn polygon, or of a zone given by id or code."""
    if data.geometry is not None:
        return Area(_parse(data.geometry), data.geometry, None, "")
    zone = _zone(session, data.zone_id, data.zone_code)
    geojson = json.loads(zone.geometry)
    label = f"{zone.name_th} ({zone.code})"
    return Area(_parse(geojson, "zone"), geojson, zone.id, label)


def _zone(session: Session, zone_id: int | None, code: str | None) -> Any:
    if zone_id is not None:
        return geo.get_zone(session, zone_id)
    rows, _total = geo.list_zones(session, PageParams(1, 50), q=code or "")
    for zone in rows:
        if zone.code == code:
            return zone
    raise NotFound(f"Zone {code!r} does not exist.", f"ไม่พบพื้นที่รหัส {code!r}")


def _parse(geometry: dict[str, Any], field: str = "geometry") -> BaseGeometry:
    """A valid polygonal Shapely shape, or InvalidInput naming what is wrong."""
    if geometry.get("type") not in POLYGONAL:
        raise _bad(field, "must be a GeoJSON Polygon or MultiPolygon", "ต้องเป็นรูปหลายเหลี่ยม GeoJSON")
    try:
        geom = shape(geometry)
        coords = shapely.get_coordinates(geom)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        raise _bad(field, f"is malformed ({exc})", "มีโครงสร้างไม่ถูกต้อง") from exc
    if geom.is_empty or not all(math.isfinite(v) for v in coords.flat):
        raise _bad(field, "is empty or has non-numeric coordinates", "ว่างหรือมีพิกัดที่ไม่ใช่ตัวเลข")
    if abs(coords[:, 0]).max() > 180 or abs(coords[:, 1]).max() > 90:
        raise _bad(field, "is outside lon -180..180 / lat -90..90", "มีพิกัดเกินขอบเขต")
    if not geom.is_valid:
        raise _bad(field, "is not a valid polygon (self-intersecting?)", "รูปหลายเหลี่ยมไม่ถูกต้อง")
    if geom.area > MAX_AREA_DEG2:
        raise _bad(field, "covers too large an area", "ครอบคลุมพื้นที่กว้างเกินไป")
    return geom


def _bad(field: str, en: str, th: str) -> InvalidInput:
    return InvalidInput(
        f"The area {en}.", f"พื้นที่ที่ระบุ{th}", errors=[{"field": field, "message": f"{en} / {th}"}]
    )


def households_inside(session: Session, geom: BaseGeometry) -> list[int]:
    """Ids of households whose position lies inside (or on the edge of) the shape."""
    minx, miny, maxx, maxy = geom.bounds
    bbox = (minx, miny, maxx, maxy)
    candidates = repo.cells_in(session, grid.cell_ranges(bbox), bbox)
    if not candidates:
        return []
    shapely.prepare(geom)
    lons = [c[2] for c in candidates]
    lats = [c[1] for c in candidates]
    # For a point, intersects is covers: a house on the drawn line is in the area.
    inside = shapely.intersects_xy(geom, lons, lats)
    return [c[0] for c, hit in zip(candidates, inside, strict=True) if hit]


def people_inside(
    session: Session,
    access: Access,
    geom: BaseGeometry,
    weights: Mapping[str, int] = WEIGHTS,
) -> list[AreaPerson]:
    """The caller's people inside the shape, ranked by need (rank 1 first)."""
    ids = households_inside(session, geom)
    pairs = repo.people_in_households(session, ids, access.read_zones)
    return rank(pairs, weights)


def rank(
    pairs: list[tuple[Person, Household]], weights: Mapping[str, int] = WEIGHTS
) -> list[AreaPerson]:
    """People in need order: highest score, then oldest, then registration order."""
    on = today()
    scored = [(need_score(p, weights), age_on(p.birth_date, on), p, h) for p, h in pairs]
    scored.sort(key=lambda s: (-s[0], -(s[1] if s[1] is not None else -1), s[2].id))
    return [area_person(p, h, score, n) for n, (score, _age, p, h) in enumerate(scored, start=1)]


def area_person(person: Person, household: Household, score: int, rank_no: int) -> AreaPerson:
    """A person as the disaster list shows them."""
    return AreaPerson(
        person_id=person.id,
        household_id=household.id,
        zone_id=household.zone_id,
        display_name=display_name(person),
        age=age_on(person.birth_date, today()),
        phones=[str(p) for p in person.phones],
        address_th=address_th(household),
        lat=household.lat,
        lon=household.lon,
        adl_group=person.adl_group,
        need_score=score,
        reasons=reasons(person),
        rank=rank_no,
    )


# --- keeping the index in step ----------------------------------------------------------------


def index_household(
    session: Session, household_id: int, lat: float | None, lon: float | None
) -> None:
    """Put a household in its cell, or out of the index when it has no position."""
    if lat is None or lon is None:
        repo.drop_cell(session, household_id)
    else:
        repo.put_cell(session, household_id, grid.cell_of(lat, lon), lat, lon)


def reindex(session: Session) -> int:
    """Rebuild the whole index from the households; returns how many are indexed."""
    repo.clear_cells(session)
    rows = repo.positioned_households(session)
    for household_id, lat, lon in rows:
        repo.put_cell(session, household_id, grid.cell_of(lat, lon), lat, lon)
    return len(rows)
