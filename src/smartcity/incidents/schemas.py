"""API shapes of the incidents domain; messages for people are bilingual ("English / Thai")."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from smartcity.incidents.triage import Level

Kind = Literal["help_request", "crime", "hazard", "fault"]
Source = Literal["app", "hotline", "sos", "operator"]
Status = Literal["new", "triaged", "dispatched", "on_scene", "transported", "closed", "cancelled"]
UnitKind = Literal["rescue_foundation", "ems", "volunteer", "municipal"]
UnitStatus = Literal["available", "offered", "busy", "off_duty"]
Capability = Literal["medical", "als", "rescue", "fire", "police", "transport", "technical", "care"]
Progress = Literal["on_scene", "transported", "closed", "cancelled"]
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_PHOTO_BYTES = 1_000_000
KEY_PATTERN = r"^[A-Za-z0-9_.:-]{8,120}$"

Latitude = Annotated[float, Field(ge=-90, le=90, description="Latitude in degrees (WGS 84)")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="Longitude in degrees (WGS 84)")]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters. / ข้อความต้องไม่มีอักขระ NUL")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
PhoneText = Annotated[str, Field(max_length=20, pattern=r"^\+?[0-9 -]{0,20}$")]


class Strict(BaseModel):
    """Base of every input: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


def _position(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise ValueError("Give both lat and lon, or neither. / ต้องระบุทั้งละติจูดและลองจิจูด")


class HelpIn(Strict):
    """A help request from the resident app (no log-in)."""

    client_key: str = Field(pattern=KEY_PATTERN, description="Random key made by the app once")
    lat: Latitude | None = None
    lon: Longitude | None = None
    accuracy_m: float | None = Field(None, ge=0, le=100_000)
    text: Text = Field("", max_length=500)
    phone: PhoneText = ""
    photo_b64: str | None = Field(None, max_length=MAX_PHOTO_BYTES * 4 // 3 + 8)
    photo_type: Literal["image/jpeg", "image/png", "image/webp"] | None = None

    @model_validator(mode="after")
    def _check(self) -> HelpIn:
        """Both coordinates or none; a photo needs its type and valid base64."""
        _position(self.lat, self.lon)
        if self.photo_b64 is not None:
            if self.photo_type is None:
                raise ValueError("A photo needs photo_type. / รูปภาพต้องระบุชนิด")
            self.photo_bytes()
        return self

    def photo_bytes(self) -> bytes | None:
        """The decoded photo, if any."""
        if self.photo_b64 is None:
            return None
        try:
            return base64.b64decode(self.photo_b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("The photo is not valid base64. / รูปภาพไม่ถูกต้อง") from exc


class IncidentIn(Strict):
    """An incident an operator records (from a call, the radio, a patrol)."""

    client_key: str | None = Field(None, pattern=KEY_PATTERN)
    kind: Kind = "help_request"
    source: Literal["operator", "hotline"] = "operator"
    lat: Latitude | None = None
    lon: Longitude | None = None
    person_id: int | None = None
    caller_phone: PhoneText = ""
    description: Text = Field("", max_length=2000)
    triage_answers: dict[str, bool] = Field(default_factory=dict)
    triage_level: Level | None = None
    hotline_call_id: int | None = None

    @model_validator(mode="after")
    def _both(self) -> IncidentIn:
        """Both coordinates or none."""
        _position(self.lat, self.lon)
        return self


class TriageIn(Strict):
    """Answers to the guided questions, and the level the operator chose (default: proposed)."""

    answers: dict[str, bool] = Field(default_factory=dict)
    level: Level | None = None


class ProgressIn(Strict):
    """A status step reported by the unit or the operator."""

    status: Progress
    note: Text = Field("", max_length=500)


class HotlineCallIn(Strict):
    """What the telephone system posts when a call rings."""

    call_id: str = Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_.:@-]+$")
    caller_number: str = Field(min_length=3, max_length=20, pattern=r"^\+?[0-9 -]+$")


class UnitIn(Strict):
    """A responder unit to register."""

    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    name: Text = Field(min_length=1, max_length=200)
    kind: UnitKind
    capabilities: list[Capability] = Field(default_factory=list, max_length=8)
    status: Literal["available", "off_duty"] = "off_duty"
    lat: Latitude | None = None
    lon: Longitude | None = None
    user_id: int | None = None
    phone: PhoneText = ""
    line_user_id: str = Field("", max_length=64, pattern=r"^[A-Za-z0-9]*$")

    @model_validator(mode="after")
    def _both(self) -> UnitIn:
        """Both coordinates or none."""
        _position(self.lat, self.lon)
        return self


class UnitUpdate(Strict):
    """Fields of a unit to change."""

    name: Text | None = Field(None, min_length=1, max_length=200)
    capabilities: list[Capability] | None = Field(None, max_length=8)
    active: bool | None = None
    user_id: int | None = None
    phone: PhoneText | None = None
    line_user_id: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9]*$")


class DutyIn(Strict):
    """A unit going on or off duty."""

    status: Literal["available", "off_duty"]


class LocationIn(Strict):
    """A unit's position from its phone."""

    lat: Latitude
    lon: Longitude


class AssignmentIn(Strict):
    """An SOS button or pendant given to a registered person."""

    device_id: int
    person_id: int


class TimelineOut(BaseModel):
    """One step on an incident's timeline."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: str
    actor: str
    detail: dict[str, Any]


class OfferOut(BaseModel):
    """An offer to a unit."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    incident_id: int
    unit_id: int
    status: str
    distance_m: float
    offered_at: datetime
    expires_at: datetime
    answered_at: datetime | None


class IncidentOut(BaseModel):
    """An incident as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    source: str
    status: str
    triage_level: str | None
    triage_answers: dict[str, Any]
    lat: float | None
    lon: float | None
    zone_id: int | None
    person_id: int | None
    device_id: int | None
    caller_phone: str
    description: str
    unit_id: int | None
    escalated_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    has_photo: bool = False
    offer: OfferOut | None = None
    timeline: list[TimelineOut] = Field(default_factory=list)


class HelpAccepted(BaseModel):
    """The answer to the resident app: the request is stored (and help is on its way)."""

    incident_id: int
    status: str
    created: bool
    offered_unit: str | None
    message: str
    message_th: str


class UnitOut(BaseModel):
    """A unit as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: str
    capabilities: list[str]
    status: str
    active: bool
    lat: float | None
    lon: float | None
    located_at: datetime | None
    user_id: int | None
    phone: str
    line_user_id: str


class CallerOut(BaseModel):
    """A registered person as the hotline screen shows them."""

    person_id: int
    display_name: str
    flags: list[str]
    address: str
    lat: float | None
    lon: float | None
    phones: list[str]
    emergency_contacts: list[dict[str, Any]]
    language_notes: str
    care_notes: str | None = Field(None, description="Only with care.sensitive (audited)")
    chronic_conditions: list[str] | None = None


class HotlineCallOut(BaseModel):
    """A call with the people its number belongs to."""

    id: int
    call_id: str
    caller_number: str
    received_at: datetime
    incident_id: int | None
    callers: list[CallerOut]


class QuestionOut(BaseModel):
    """One triage question."""

    key: str
    th: str
    en: str


class AssignmentOut(BaseModel):
    """An SOS device's person."""

    model_config = ConfigDict(from_attributes=True)

    device_id: int
    person_id: int
    assigned_at: datetime
    assigned_by: str
