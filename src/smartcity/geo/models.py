"""Tables of the geography domain: the site, its zones (polygons) and places (points).

Geometry is stored as GeoJSON text so the same tables work on SQLite and on PostgreSQL without
PostGIS; zones also keep their bounding box in plain float columns so a point look-up can narrow
the candidates in SQL before Shapely tests the exact shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, get_args

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.db import Base, UTCDateTime
from smartcity.geo.schemas import PlaceKind, ZoneKind
from smartcity.kit.clock import utcnow

# The kinds are defined once, as the API types; the tables only name them.
ZONE_KINDS: Final[tuple[str, ...]] = get_args(ZoneKind)
PLACE_KINDS: Final[tuple[str, ...]] = get_args(PlaceKind)


class Site(Base):
    """The municipality the platform serves, with its boundary when known."""

    __tablename__ = "geo_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    center_lat: Mapped[float] = mapped_column(Float)
    center_lon: Mapped[float] = mapped_column(Float)
    geometry: Mapped[str | None] = mapped_column(Text, nullable=True)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Zone(Base):
    """An area of the site: a community, a loudspeaker zone, a safety zone or a hazard area."""

    __tablename__ = "geo_zones"
    __table_args__ = (
        UniqueConstraint("site_id", "code"),
        # Longitude first: in a town the zones spread east-west as much as north-south, and one
        # composite index keeps the prefilter a single range scan on both backends.
        Index("ix_geo_zones_bbox", "min_lon", "max_lon", "min_lat", "max_lat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("geo_sites.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    code: Mapped[str] = mapped_column(String(60))
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    geometry: Mapped[str] = mapped_column(Text)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Place(Base):
    """A point of interest; ``zone_id`` is the community that contains it, kept on save."""

    __tablename__ = "geo_places"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("geo_sites.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    code: Mapped[str] = mapped_column(String(60))
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    zone_id: Mapped[int | None] = mapped_column(
        ForeignKey("geo_zones.id", ondelete="SET NULL"), nullable=True, index=True
    )
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
