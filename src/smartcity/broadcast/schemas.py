"""API shapes of the broadcast domain."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from smartcity.broadcast.recurrence import weekdays_of

Category = Literal["news", "health", "emergency", "event", "other"]
Priority = Literal["routine", "emergency"]
Status = Literal["draft", "approved", "scheduled", "sent", "cancelled"]
Language = Literal["th", "en"]
ScheduleKind = Literal["once", "daily", "weekly"]


def _thai() -> list[Language]:
    return ["th"]


class AnnouncementMeta(BaseModel):
    """What every announcement carries besides its audio."""

    title: str = Field(min_length=1, max_length=200)
    category: Category = "other"
    languages: list[Language] = Field(default_factory=_thai, min_length=1)
    priority: Priority = "routine"
    chime: bool = Field(False, description="Play a generated chime before and after.")
    zone_ids: list[int] = Field(default_factory=list, description="Suggested PA zones.")


class TtsAnnouncementIn(AnnouncementMeta):
    """An announcement spoken from text by an installed speech engine."""

    text: str = Field(min_length=1, max_length=5000)
    language: Language = "th"
    engine: str = Field("", description="Engine name; empty picks the best installed one.")


class AnnouncementOut(BaseModel):
    """An announcement as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    category: str
    languages: list[str]
    source: str
    text: str
    tts_engine: str
    checksum: str
    duration_s: float
    size_bytes: int
    chime: bool
    priority: str
    status: str
    zone_ids: list[int]
    cap_identifier: str
    created_by: int | None
    created_by_name: str
    approved_by: int | None
    approved_by_name: str
    approved_at: datetime | None
    created_at: datetime
    has_audio: bool = False
    tts_quality: str = ""

    @model_validator(mode="before")
    @classmethod
    def _derived(cls, data: Any) -> Any:
        if hasattr(data, "audio_file"):
            values = {k: getattr(data, k) for k in cls.model_fields if hasattr(data, k)}
            values["has_audio"] = bool(data.audio_file)
            values["tts_quality"] = "low" if data.tts_engine == "espeak-ng" else ""
            return values
        return data


class ScheduleIn(BaseModel):
    """A schedule: when (local time in Asia/Bangkok) and where (PA zone ids)."""

    announcement_id: int
    kind: ScheduleKind
    start_date: date
    end_date: date | None = None
    time_of_day: time
    weekdays: list[int] = Field(
        default_factory=list, description="ISO weekdays 1 (Monday) to 7 (Sunday), for weekly."
    )
    zone_ids: list[int] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _coherent(self) -> ScheduleIn:
        if any(d < 1 or d > 7 for d in self.weekdays):
            raise ValueError("weekdays are 1 (Monday) to 7 (Sunday)")
        if self.kind == "weekly" and not self.weekdays:
            raise ValueError("a weekly schedule needs at least one weekday")
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        if self.time_of_day.tzinfo is not None:
            raise ValueError("time_of_day is local time in the schedule's zone, without offset")
        return self


class ScheduleOut(BaseModel):
    """A schedule with its next slot."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    announcement_id: int
    kind: str
    start_date: date
    end_date: date | None
    time_of_day: time
    weekdays: list[int] = Field(default_factory=list)
    timezone: str
    zone_ids: list[int]
    duration_s: float
    active: bool
    next_due_at: datetime | None

    @model_validator(mode="before")
    @classmethod
    def _weekdays(cls, data: Any) -> Any:
        if hasattr(data, "weekday_mask"):
            values = {k: getattr(data, k) for k in cls.model_fields if hasattr(data, k)}
            values["weekdays"] = weekdays_of(data.weekday_mask)
            return values
        return data


class SlotOut(BaseModel):
    """One slot: an announcement playing in some zones at a time."""

    schedule_id: int
    announcement_id: int
    title: str
    priority: str
    start: datetime
    end: datetime
    zone_ids: list[int]


class ConflictOut(BaseModel):
    """Two slots that would play in the same zone at overlapping times."""

    zone_id: int
    schedule_id: int
    announcement_id: int
    title: str
    start: datetime
    end: datetime
    new_start: datetime
    new_end: datetime


class ConflictReport(BaseModel):
    """The conflicts a schedule would cause over the checked window."""

    days: int
    total: int
    conflicts: list[ConflictOut]


class OutcomeOut(BaseModel):
    """What became of a slot in a zone."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    schedule_id: int
    announcement_id: int
    zone_id: int
    slot_at: datetime
    outcome: str
    reason: str
    reason_th: str
    recorded_at: datetime


class EngineOut(BaseModel):
    """A speech engine and whether it is installed."""

    name: str
    label: str
    label_th: str
    quality: str
    languages: list[str]
    installed: bool


class CapUrlIn(BaseModel):
    """Where to fetch a CAP alert from."""

    url: str = Field(min_length=8, max_length=2000)


class CapIngestOut(BaseModel):
    """The draft an ingested alert became and the zones it targets."""

    announcement: AnnouncementOut
    zone_ids: list[int]
    zone_codes: list[str]


class CapInfoIn(BaseModel):
    """One language block of a composed CAP alert."""

    language: Literal["th-TH", "en-US"]
    category: Literal[
        "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport"
    ] = "Safety"
    event: str = Field(min_length=1, max_length=200)
    urgency: Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
    severity: Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
    certainty: Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]
    headline: str = Field("", max_length=300)
    description: str = Field("", max_length=5000)
    instruction: str = Field("", max_length=5000)


class CapComposeIn(BaseModel):
    """A CAP alert to compose: info blocks and an area from PA zones and/or a drawn polygon."""

    identifier: str = Field("", max_length=200, pattern=r"^[^\s,<&]*$")
    status: Literal["Actual", "Exercise", "System", "Test", "Draft"] = "Actual"
    msg_type: Literal["Alert", "Update", "Cancel"] = "Alert"
    infos: list[CapInfoIn] = Field(min_length=1, max_length=4)
    zone_ids: list[int] = Field(default_factory=list)
    polygon: list[list[float]] | None = Field(
        None, description="A drawn ring of [lon, lat] points (GeoJSON order), 4 or more."
    )
    area_desc: str = Field("", max_length=300)
    expires: datetime | None = None

    @model_validator(mode="after")
    def _area(self) -> CapComposeIn:
        if not self.zone_ids and not self.polygon:
            raise ValueError("give zone_ids or a polygon for the alert area")
        if self.polygon is not None:
            ring = self.polygon
            if len(ring) < 4 or any(len(p) != 2 for p in ring) or ring[0] != ring[-1]:
                raise ValueError("polygon: 4+ [lon, lat] points, the last equal to the first")
            if any(not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90) for p in ring):
                raise ValueError("polygon: coordinates out of range ([lon, lat] order)")
        if self.expires is not None and self.expires.tzinfo is None:
            raise ValueError("expires needs a time zone offset")
        return self


class SendIn(BaseModel):
    """Send an approved announcement now; zones default to the announcement's own."""

    zone_ids: list[int] = Field(default_factory=list, max_length=500)


class DeliveryOut(BaseModel):
    """One sending of an announcement to speakers."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    announcement_id: int
    schedule_id: int | None
    slot_at: datetime | None
    priority: str
    zone_ids: list[int]
    batches: list[str]
    attempts: int
    max_attempts: int
    start_at: datetime
    status: str
    outcome: str
    created_by: str
    created_at: datetime
    finished_at: datetime | None
    stopped_at: datetime | None
    stopped_by: str


class SpeakerResultOut(BaseModel):
    """What one speaker did: played, playing, failed (with reason), no_answer or pending."""

    device_id: int
    code: str
    zone_ids: list[int]
    result: Literal["played", "playing", "failed", "no_answer", "pending"]
    reason: str
    attempts: int


class ZoneResultOut(BaseModel):
    """How a PA zone fared; ``flagged`` when the delivery is over and not every speaker played."""

    zone_id: int
    speakers: int
    played: int
    result: Literal["played", "partial", "failed"]
    flagged: bool


class DeliveryReport(BaseModel):
    """The proof of a broadcast: per speaker and per zone."""

    delivery: DeliveryOut
    counts: dict[str, int]
    speakers: list[SpeakerResultOut]
    zones: list[ZoneResultOut]
