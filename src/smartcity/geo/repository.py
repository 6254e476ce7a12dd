"""All SQL of the geography domain."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from smartcity.geo.models import Place, Site, Zone
from smartcity.kit.pagination import PageParams, paginate

BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


def first_site(session: Session) -> Site | None:
    """The oldest site (a deployment serves one municipality)."""
    return session.scalar(select(Site).order_by(Site.id).limit(1))


def find_site(session: Session, code: str) -> Site | None:
    """A site by its code."""
    return session.scalar(select(Site).where(Site.code == code))


def all_sites(session: Session) -> list[Site]:
    """Every site, oldest first."""
    return list(session.scalars(select(Site).order_by(Site.id)))


def get_zone(session: Session, zone_id: int) -> Zone | None:
    """A zone by id."""
    return session.get(Zone, zone_id)


def find_zone(session: Session, site_id: int, code: str) -> Zone | None:
    """A zone by its code within a site."""
    return session.scalar(select(Zone).where(Zone.site_id == site_id, Zone.code == code))


def _zone_filters(
    stmt: Select[Any], *, q: str = "", kind: str = "", zone_scope: frozenset[int] | None = None
) -> Select[Any]:
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(Zone.code.ilike(like), Zone.name_th.ilike(like), Zone.name_en.ilike(like))
        )
    if kind:
        stmt = stmt.where(Zone.kind == kind)
    if zone_scope is not None:
        stmt = stmt.where(Zone.id.in_(sorted(zone_scope)))
    return stmt


def search_zones(
    session: Session,
    params: PageParams,
    *,
    q: str = "",
    kind: str = "",
    zone_scope: frozenset[int] | None = None,
) -> tuple[list[Zone], int]:
    """Zones matching the filters, ordered by kind then code."""
    stmt = _zone_filters(
        select(Zone).order_by(Zone.kind, Zone.code, Zone.id), q=q, kind=kind, zone_scope=zone_scope
    )
    return paginate(session, stmt, params)


def list_zones(
    session: Session, *, kind: str = "", zone_scope: frozenset[int] | None = None
) -> list[Zone]:
    """Every zone matching the filters (maps and exports)."""
    stmt = _zone_filters(
        select(Zone).order_by(Zone.kind, Zone.code, Zone.id), kind=kind, zone_scope=zone_scope
    )
    return list(session.scalars(stmt))


def zones_with_point_in_bbox(
    session: Session, lat: float, lon: float, kind: str = ""
) -> list[Zone]:
    """Zones whose bounding box holds the point: the cheap first cut of a look-up."""
    stmt = select(Zone).where(
        Zone.min_lon <= lon, Zone.max_lon >= lon, Zone.min_lat <= lat, Zone.max_lat >= lat
    )
    if kind:
        stmt = stmt.where(Zone.kind == kind)
    return list(session.scalars(stmt.order_by(Zone.id)))


def count_zones_by_kind(session: Session) -> dict[str, int]:
    """Number of zones of each kind present."""
    rows = session.execute(select(Zone.kind, func.count()).group_by(Zone.kind))
    return {str(kind): int(n) for kind, n in rows}


def get_place(session: Session, place_id: int) -> Place | None:
    """A place by id."""
    return session.get(Place, place_id)


def find_place(session: Session, site_id: int, code: str) -> Place | None:
    """A place by its code within a site."""
    return session.scalar(select(Place).where(Place.site_id == site_id, Place.code == code))


def _place_filters(
    stmt: Select[Any], *, q: str = "", kind: str = "", zone_id: int | None = None
) -> Select[Any]:
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(Place.code.ilike(like), Place.name_th.ilike(like), Place.name_en.ilike(like))
        )
    if kind:
        stmt = stmt.where(Place.kind == kind)
    if zone_id is not None:
        stmt = stmt.where(Place.zone_id == zone_id)
    return stmt


def search_places(
    session: Session,
    params: PageParams,
    *,
    q: str = "",
    kind: str = "",
    zone_id: int | None = None,
) -> tuple[list[Place], int]:
    """Places matching the filters, ordered by kind then code."""
    stmt = select(Place).order_by(Place.kind, Place.code, Place.id)
    return paginate(session, _place_filters(stmt, q=q, kind=kind, zone_id=zone_id), params)


def list_places(session: Session, *, kind: str = "") -> list[Place]:
    """Every place of a kind (maps and exports)."""
    stmt = _place_filters(select(Place).order_by(Place.kind, Place.code, Place.id), kind=kind)
    return list(session.scalars(stmt))


def places_in_bbox(session: Session, bbox: BBox) -> list[Place]:
    """Places inside a bounding box."""
    min_lon, min_lat, max_lon, max_lat = bbox
    stmt = select(Place).where(
        Place.lon >= min_lon, Place.lon <= max_lon, Place.lat >= min_lat, Place.lat <= max_lat
    )
    return list(session.scalars(stmt.order_by(Place.id)))


def places_of_zone(session: Session, zone_id: int) -> list[Place]:
    """Places whose stored community is this zone."""
    return list(session.scalars(select(Place).where(Place.zone_id == zone_id).order_by(Place.id)))


def count_places_by_kind(session: Session) -> dict[str, int]:
    """Number of places of each kind present."""
    rows = session.execute(select(Place.kind, func.count()).group_by(Place.kind))
    return {str(kind): int(n) for kind, n in rows}


def add(session: Session, row: Site | Zone | Place) -> None:
    """Insert a row and assign its id."""
    session.add(row)
    session.flush()


def delete(session: Session, row: Site | Zone | Place) -> None:
    """Delete a row now."""
    session.delete(row)
    session.flush()
