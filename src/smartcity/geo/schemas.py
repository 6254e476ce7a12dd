"""API shapes of the geography domain."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ZoneKind = Literal["community", "pa_zone", "safety_zone", "hazard_area"]
PlaceKind = Literal[
    "market",
    "park",
    "school",
    "temple",
    "hospital",
    "health_unit",
    "shelter",
    "police",
    "government",
    "other",
]
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
Latitude = Annotated[float, Field(ge=-90, le=90, description="Latitude in degrees (WGS 84)")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="Longitude in degrees (WGS 84)")]


def _geojson(value: Any) -> Any:
    """Stored geometry is text; the API shows it as a GeoJSON object."""
    return json.loads(value) if isinstance(value, str) else value


class SiteIn(BaseModel):
    """The municipality: its code, names, centre and (optional) boundary polygon."""

    code: str = Field(min_length=1, max_length=60, pattern=CODE_PATTERN)
    name_th: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    center_lat: Latitude
    center_lon: Longitude
    geometry: dict[str, Any] | None = None
    properties: dict[str, Any] = Field(default_factory=dict)


class SiteOut(BaseModel):
    """The municipality as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name_th: str
    name_en: str
    center_lat: float
    center_lon: float
    geometry: dict[str, Any] | None
    is_sample: bool

    _parse_geometry = field_validator("geometry", mode="before")(_geojson)


class SummaryOut(BaseModel):
    """Counts of zones and places by kind."""

    site: SiteOut | None
    zones: dict[str, int]
    places: dict[str, int]
    zone_total: int
    place_total: int


class ZoneIn(BaseModel):
    """A new zone; the geometry is a GeoJSON Polygon or MultiPolygon in [lon, lat] order."""

    kind: ZoneKind
    code: str = Field(min_length=1, max_length=60, pattern=CODE_PATTERN)
    name_th: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    geometry: dict[str, Any]
    properties: dict[str, Any] = Field(default_factory=dict)


class ZoneUpdate(BaseModel):
    """Changes to a zone; fields left out keep their value."""

    kind: ZoneKind | None = None
    code: str | None = Field(None, min_length=1, max_length=60, pattern=CODE_PATTERN)
    name_th: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    geometry: dict[str, Any] | None = None
    properties: dict[str, Any] | None = None


class ZoneBrief(BaseModel):
    """A zone without its geometry (look-ups, lists on small screens)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    code: str
    name_th: str
    name_en: str
    is_sample: bool


class ZoneOut(ZoneBrief):
    """A zone as the API shows it."""

    site_id: int
    geometry: dict[str, Any]
    bbox: tuple[float, float, float, float] = Field(
        description="[min_lon, min_lat, max_lon, max_lat]"
    )
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    _parse_geometry = field_validator("geometry", mode="before")(_geojson)

    @classmethod
    def of(cls, zone: Any) -> ZoneOut:
        """Build from a Zone row (the bbox lives in four columns)."""
        bbox = (zone.min_lon, zone.min_lat, zone.max_lon, zone.max_lat)
        return cls.model_validate({**_columns(zone), "bbox": bbox})


class PlaceIn(BaseModel):
    """A new place."""

    kind: PlaceKind
    code: str = Field(min_length=1, max_length=60, pattern=CODE_PATTERN)
    name_th: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    lat: Latitude
    lon: Longitude
    properties: dict[str, Any] = Field(default_factory=dict)


class PlaceOut(BaseModel):
    """A place as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    site_id: int
    kind: str
    code: str
    name_th: str
    name_en: str
    lat: float
    lon: float
    zone_id: int | None
    properties: dict[str, Any]
    is_sample: bool
    created_at: datetime
    updated_at: datetime


class FeatureError(BaseModel):
    """Why one feature of an import was refused."""

    index: int = Field(description="Position of the feature in the collection, from 0")
    code: str
    message: str
    message_th: str = ""


class ImportReport(BaseModel):
    """What an import did: records created and updated, and features refused."""

    created: int = 0
    updated: int = 0
    errors: list[FeatureError] = Field(default_factory=list)


def _columns(row: Any) -> dict[str, Any]:
    """A table row's column values by name."""
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}
