"""API shapes of care plans and visits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Group = Literal["social", "homebound", "bedbound"]
Metric = Literal["sbp", "dbp", "glucose", "temperature", "spo2", "pulse", "weight"]
Days = Annotated[int, Field(ge=1, le=366, description="Days between visits")]


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL characters; refuse them as bad input, not a 500.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


class FrequencyIn(BaseModel):
    """The visit rhythm of one ADL group."""

    model_config = ConfigDict(extra="forbid")
    every_days: Days


class FrequencyOut(BaseModel):
    """A group's rhythm and whether it is the built-in default."""

    adl_group: Group
    every_days: int
    is_default: bool


class ThresholdIn(BaseModel):
    """Abnormal at or below ``alert_low`` or at or above ``alert_high`` (null: no bound)."""

    model_config = ConfigDict(extra="forbid")
    alert_low: float | None = Field(None, ge=0, le=1000)
    alert_high: float | None = Field(None, ge=0, le=1000)


class ThresholdOut(BaseModel):
    """A metric's thresholds and whether they are the built-in defaults."""

    metric: Metric
    alert_low: float | None
    alert_high: float | None
    is_default: bool


class PlanIn(BaseModel):
    """A person's plan: their own rhythm (null: the group's) and a preferred worker."""

    model_config = ConfigDict(extra="forbid")
    every_days: Days | None = None
    worker_id: int | None = Field(None, ge=1)
    note: Annotated[str, Field(max_length=2000)] = ""

    _nul = field_validator("note")(_no_nul)


class PlanOut(BaseModel):
    """A person's plan with the rhythm that applies."""

    person_id: int
    every_days: int | None
    effective_every_days: int | None
    worker_id: int | None
    note: str


class TaskOut(BaseModel):
    """A visit task."""

    id: int
    person_id: int
    due_on: date
    zone_id: int | None
    worker_id: int | None
    status: str
    overdue_days: int


class GenerateOut(BaseModel):
    """What a generation run did."""

    created: int
    assigned: int
    unassigned: int


class Vitals(BaseModel):
    """Vital signs measured at a visit; every one optional."""

    model_config = ConfigDict(extra="forbid")
    sbp: float | None = Field(None, ge=30, le=300, description="Systolic BP, mmHg")
    dbp: float | None = Field(None, ge=10, le=250, description="Diastolic BP, mmHg")
    glucose: float | None = Field(None, ge=10, le=1000, description="Capillary glucose, mg/dL")
    temperature: float | None = Field(None, ge=25, le=45, description="Body temperature, °C")
    spo2: float | None = Field(None, ge=30, le=100, description="Oxygen saturation, %")
    pulse: float | None = Field(None, ge=10, le=300, description="Pulse, beats per minute")
    weight: float | None = Field(None, ge=0.5, le=400, description="Weight, kg")


class VisitIn(BaseModel):
    """A visit record as a phone sends it (possibly long after it was taken, when offline)."""

    model_config = ConfigDict(extra="forbid")
    task_id: int | None = Field(None, ge=1)
    person_id: int | None = Field(None, ge=1)
    visited_at: datetime | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    vitals: Vitals = Field(default_factory=Vitals)
    notes: Annotated[str, Field(max_length=5000)] = ""

    _nul = field_validator("notes")(_no_nul)


class VisitOut(BaseModel):
    """A visit record; vitals and notes only in the audited detailed read."""

    id: int
    person_id: int
    task_id: int | None
    worker_id: int | None
    worker_name: str
    visited_at: datetime
    lat: float | None
    lon: float | None
    abnormal: bool
    abnormal_metrics: list[str] = []
    has_photo: bool
    vitals: Vitals | None = None
    notes: str | None = None


class StopOut(BaseModel):
    """One stop of a worker's day."""

    order: int
    task_id: int
    person_id: int
    name: str
    address: str
    lat: float | None
    lon: float | None
    due_on: date
    overdue_days: int
    leg_m: float


class DayOut(BaseModel):
    """A worker's day: stops in visiting order and the route length."""

    worker_id: int
    start: tuple[float, float]
    length_m: float
    stops: list[StopOut]
    unplaced: list[StopOut] = []


class OverdueRow(BaseModel):
    """Overdue tasks counted for one zone or worker."""

    key: int | None
    count: int


class OverdueOut(BaseModel):
    """Overdue visit tasks by zone and by worker."""

    total: int
    by_zone: list[OverdueRow]
    by_worker: list[OverdueRow]
