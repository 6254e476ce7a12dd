"""API shapes of the devices domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from smartcity.devices.models import Device

DeviceKind = Literal[
    "camera",
    "speaker",
    "wifi_ap",
    "water_level",
    "air_quality",
    "rain_gauge",
    "sos_button",
    "generic",
]
Status = Literal["unknown", "online", "degraded", "offline"]
Resolution = Literal["raw", "1m", "5m", "1h", "1d"]
CODE_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
MQTT_USER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
Latitude = Annotated[float, Field(ge=-90, le=90, description="Latitude in degrees (WGS 84)")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="Longitude in degrees (WGS 84)")]


class DeviceIn(BaseModel):
    """A new device; its community zone is found from its position."""

    code: str = Field(min_length=2, max_length=80, pattern=CODE_PATTERN)
    kind: DeviceKind
    name_th: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    lat: Latitude
    lon: Longitude
    agency_id: int = Field(description="The agency that owns and maintains the device.")
    metadata: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True
    mqtt_username: str | None = Field(None, min_length=3, max_length=80, pattern=MQTT_USER_PATTERN)


class DeviceUpdate(BaseModel):
    """Fields to change; fields left out keep their value. The kind never changes."""

    name_th: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    lat: Latitude | None = None
    lon: Longitude | None = None
    agency_id: int | None = None
    metadata: dict[str, Any] | None = None
    mqtt_username: str | None = Field(None, min_length=3, max_length=80, pattern=MQTT_USER_PATTERN)


class DeviceOut(BaseModel):
    """A device as the API shows it (never its credential)."""

    id: int
    code: str
    kind: str
    name_th: str
    name_en: str
    lat: float
    lon: float
    zone_id: int | None
    agency_id: int
    metadata: dict[str, Any]
    enabled: bool
    token_prefix: str
    credential_rotated_at: datetime | None
    mqtt_username: str | None
    status: str
    last_seen_at: datetime | None
    battery: float | None
    signal: float | None
    is_sample: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, device: Device) -> DeviceOut:
        """The API view of a device row."""
        fields = {name: getattr(device, name) for name in cls.model_fields if name != "metadata"}
        return cls(**fields, metadata=device.meta)


class Credential(BaseModel):
    """A freshly issued credential: shown once, stored only as a keyed hash."""

    token: str = Field(description="Bearer token for HTTP ingest. Shown once.")
    mqtt_username: str | None = None
    mqtt_password: str | None = Field(None, description="MQTT password, if set. Shown once.")


class DeviceCreated(BaseModel):
    """A new device with its credential."""

    device: DeviceOut
    credential: Credential


class GatewayIn(BaseModel):
    """A new gateway posting for its agency's devices."""

    code: str = Field(min_length=2, max_length=80, pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    agency_id: int


class GatewayOut(BaseModel):
    """A gateway as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    agency_id: int
    enabled: bool
    token_prefix: str
    last_seen_at: datetime | None
    is_sample: bool
    created_at: datetime


class GatewayCreated(BaseModel):
    """A new gateway with its token (shown once)."""

    gateway: GatewayOut
    token: str


class EnabledIn(BaseModel):
    """Switch a device or gateway on or off."""

    enabled: bool


class RowError(BaseModel):
    """Why one CSV row was refused (row 1 is the first line after the header)."""

    row: int
    code: str
    message: str
    message_th: str


class ImportReport(BaseModel):
    """What a CSV import did."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = Field(default_factory=list)
    credentials: dict[str, str] = Field(
        default_factory=dict, description="Tokens of the devices created, by code. Shown once."
    )


class Rejection(BaseModel):
    """A reading that was refused and sent to the dead-letter table."""

    index: int
    reason: str
    message: str


class IngestResult(BaseModel):
    """What an ingest call stored and what it refused."""

    accepted: int
    rejected: list[Rejection]


class DeadLetterOut(BaseModel):
    """A refused message as operators see it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    received_at: datetime
    source: str
    device_code: str
    credential: str
    reason_code: str
    reason: str
    reason_th: str
    raw: str


class Point(BaseModel):
    """One raw reading, or one bucket (start time, avg, min, max, count)."""

    metric: str
    t: datetime
    value: float = Field(description="The value, or the bucket's average.")
    min: float | None = None
    max: float | None = None
    count: int = 1


class History(BaseModel):
    """Readings of a device over a range."""

    device_id: int
    resolution: Resolution
    since: datetime
    until: datetime
    points: list[Point]
    truncated: bool = Field(False, description="True when the point limit cut the range short.")


class LatestValue(BaseModel):
    """The newest value of one metric."""

    metric: str
    value: float
    ts: datetime


class LatestOut(BaseModel):
    """A device's state: status and the newest value of each metric."""

    device_id: int
    status: str
    last_seen_at: datetime | None
    battery: float | None
    signal: float | None
    values: list[LatestValue]
