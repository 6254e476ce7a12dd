"""API shapes of disaster mode."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from smartcity.care.schemas import CareIn

CheckStatus = Literal["pending", "safe", "needs_help", "evacuated", "not_reached"]
MarkStatus = Literal["safe", "needs_help", "evacuated", "not_reached"]
STATUSES: tuple[str, ...] = ("pending", "safe", "needs_help", "evacuated", "not_reached")


class AreaIn(CareIn):
    """An area: a GeoJSON (Multi)Polygon drawn on the map, or a zone by id or code; exactly one."""

    geometry: dict[str, Any] | None = Field(None, description="GeoJSON Polygon or MultiPolygon")
    zone_id: int | None = Field(None, ge=1, description="A community or hazard-area zone")
    zone_code: str | None = Field(None, max_length=60, description="A zone's code")

    @model_validator(mode="after")
    def _exactly_one(self) -> AreaIn:
        given = [v for v in (self.geometry, self.zone_id, self.zone_code) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of geometry, zone_id or zone_code")
        return self


class OperationIn(CareIn):
    """A new operation over an area."""

    name: str = Field(min_length=1, max_length=200)
    area: AreaIn


class StatusIn(CareIn):
    """What the checker found."""

    status: MarkStatus
    note: str = Field("", max_length=2000)


class AreaPerson(BaseModel):
    """A person inside the area, with why they rank where they do (no health fields)."""

    person_id: int
    household_id: int
    zone_id: int | None
    display_name: str
    age: int | None
    phones: list[str]
    address_th: str
    lat: float | None
    lon: float | None
    adl_group: str | None
    need_score: int
    reasons: list[str]
    rank: int


class CheckOut(AreaPerson):
    """A person in an operation and their check-on status."""

    status: CheckStatus
    note: str
    updated_by: str
    updated_at: datetime | None


class Counts(BaseModel):
    """How many people are in each status (the live count)."""

    total: int = 0
    pending: int = 0
    safe: int = 0
    needs_help: int = 0
    evacuated: int = 0
    not_reached: int = 0


class OperationOut(BaseModel):
    """An operation with its live counts."""

    id: int
    name: str
    area_kind: str
    zone_id: int | None
    geometry: dict[str, Any]
    status: Literal["open", "closed"]
    created_by: str
    created_at: datetime
    closed_at: datetime | None
    counts: Counts
