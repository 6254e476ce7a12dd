"""API shapes of the alerts domain."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from smartcity.devices.schemas import DeviceKind

RuleKind = Literal["threshold", "rate_of_change", "no_data", "device_offline"]
Operator = Literal[">", ">=", "<", "<="]
Scope = Literal["device", "kind", "zone"]
Severity = Literal["info", "warning", "critical"]
AlertStatus = Literal["raised", "acknowledged", "resolved"]
METRIC_PATTERN = r"^([a-z][a-z0-9_]{0,39})?$"


class RuleIn(BaseModel):
    """A rule: what to watch, when to raise and clear, on which devices, how severe."""

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")

    name_th: str = Field(min_length=1, max_length=200, description="Name in Thai.")
    name_en: str = Field("", max_length=200, description="Name in English.")
    description: str = Field("", max_length=2000, description="What operators should do.")
    kind: RuleKind = Field(
        description="threshold, rate_of_change (per hour), no_data (silence) or device_offline."
    )
    metric: str = Field(
        "", max_length=40, pattern=METRIC_PATTERN, description="Metric watched, e.g. level_m."
    )
    operator: Operator | None = Field(None, description="Raise when value <operator> threshold.")
    threshold: float | None = Field(None, description="Raise threshold (rate: units per hour).")
    clear_threshold: float | None = Field(
        None,
        description="Resolve once the value is back past this (hysteresis); default: threshold.",
    )
    window_minutes: int | None = Field(
        None,
        ge=2,
        le=10_080,
        description="rate_of_change: window the rate is taken over; no_data: minutes of silence.",
    )
    scope: Scope = Field(description="One device, every device of a kind, or a community zone.")
    device_id: int | None = Field(None, description="The device (scope device).")
    device_kind: DeviceKind | None = Field(None, description="The kind (scope kind).")
    zone_id: int | None = Field(None, description="The community zone (scope zone).")
    severity: Severity
    enabled: bool = True


class RuleOut(BaseModel):
    """A rule as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name_th: str
    name_en: str
    description: str
    kind: str
    metric: str
    operator: str
    threshold: float | None
    clear_threshold: float | None
    window_minutes: int | None
    scope: str
    device_id: int | None
    device_kind: str | None
    zone_id: int | None
    severity: str
    enabled: bool
    is_sample: bool
    created_at: datetime
    updated_at: datetime


class AlertOut(BaseModel):
    """An alert with its rule's names and every step of its lifecycle."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    rule_id: int
    rule_name_th: str = ""
    rule_name_en: str = ""
    device_id: int
    device_code: str
    device_kind: str
    zone_id: int | None
    severity: str
    status: str
    metric: str
    value: float | None
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str
    ack_note: str
    resolved_at: datetime | None
    resolved_by: str
    resolve_note: str
    resolved_value: float | None
    auto_resolved: bool


class AckIn(BaseModel):
    """Acknowledge an alert, optionally with a note."""

    note: str = Field("", max_length=2000)


class ResolveIn(BaseModel):
    """Close an alert by hand: say why."""

    note: str = Field(min_length=1, max_length=2000)


class Summary(BaseModel):
    """Open alerts at a glance, for the operations centre's header and live panels."""

    open: int
    raised: int
    acknowledged: int
    by_severity: dict[str, int]
    newest_raised_at: datetime | None
