"""Telemetry payloads: one strict pydantic model per device kind, reduced to numeric metrics.

Every reading's ``values`` object is checked against its device's kind. Booleans are stored as
1.0 and 0.0. Fields a kind does not know are dropped; only ``generic`` devices keep unknown
fields, and only the numeric ones with a usable name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

METRIC_NAME: Final = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_GENERIC_METRICS: Final = 50

Percent = Annotated[float, Field(ge=0, le=100)]
HEARTBEAT: Final = "heartbeat"


class Telemetry(BaseModel):
    """Fields every device may report: battery charge and radio signal."""

    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False, frozen=True)

    battery: Percent | None = Field(None, description="Battery charge, percent (0-100).")
    signal: float | None = Field(None, ge=-150, le=0, description="Radio signal strength, dBm.")


class WaterLevel(Telemetry):
    """A river or canal gauge."""

    level_m: float = Field(ge=-20, le=100, description="Water level above the gauge datum, m.")


class AirQuality(Telemetry):
    """A particulate sensor."""

    pm25: float = Field(ge=0, le=1000, description="PM2.5, µg/m³.")
    pm10: float = Field(ge=0, le=2000, description="PM10, µg/m³.")
    aqi: float | None = Field(None, ge=0, le=500, description="Air quality index, if computed.")
    temperature_c: float | None = Field(None, ge=-30, le=70, description="Air temperature, °C.")
    humidity_pct: Percent | None = Field(None, description="Relative humidity, percent.")


class RainGauge(Telemetry):
    """A tipping-bucket rain gauge."""

    rain_mm: float = Field(ge=0, le=500, description="Rain since the previous report, mm.")


class SosButton(Telemetry):
    """A public emergency button."""

    pressed: bool = Field(description="True when somebody pressed the button.")
    button: int | None = Field(
        None, ge=0, le=255, description="Which button, on multi-button posts."
    )


class WifiAp(Telemetry):
    """A public Wi-Fi access point."""

    clients: int = Field(ge=0, le=10_000, description="Associated clients now.")
    uptime_s: float | None = Field(None, ge=0, description="Seconds since the last restart.")


class Camera(Telemetry):
    """A CCTV camera heartbeat; every field is optional, an empty object is a heartbeat."""

    online: bool | None = Field(None, description="The camera reports itself healthy.")
    recording: bool | None = Field(None, description="Recording to storage.")
    fps: float | None = Field(None, ge=0, le=240, description="Frames per second delivered.")
    storage_pct: Percent | None = Field(None, description="Storage used, percent.")


class Speaker(Telemetry):
    """A public-address loudspeaker heartbeat."""

    online: bool | None = Field(None, description="The amplifier reports itself healthy.")
    playing: bool | None = Field(None, description="Playing an announcement now.")
    volume_pct: Percent | None = Field(None, description="Output volume, percent.")


KIND_MODELS: Final[dict[str, type[Telemetry]]] = {
    "water_level": WaterLevel,
    "air_quality": AirQuality,
    "rain_gauge": RainGauge,
    "sos_button": SosButton,
    "wifi_ap": WifiAp,
    "camera": Camera,
    "speaker": Speaker,
    "generic": Telemetry,
    # Not a device kind: a heartbeat from any device carries only battery and signal.
    HEARTBEAT: Telemetry,
}
_LIST_ADAPTERS: Final = {kind: TypeAdapter(list[m]) for kind, m in KIND_MODELS.items()}  # type: ignore[valid-type]


@dataclass(frozen=True)
class Invalid:
    """Why one reading's values were refused."""

    message: str


Metrics = dict[str, float]


def validate_many(kind: str, values: Sequence[Any]) -> list[Metrics | Invalid]:
    """Check many readings of one kind; one fast pass, then one by one only if any is bad."""
    try:
        models = _LIST_ADAPTERS[kind].validate_python(values)
    except ValidationError:
        return [validate_one(kind, v) for v in values]
    return [_metrics(kind, m, v) for m, v in zip(models, values, strict=True)]


def validate_one(kind: str, values: Any) -> Metrics | Invalid:
    """Check one reading's values against its kind."""
    try:
        model = KIND_MODELS[kind].model_validate(values)
    except ValidationError as exc:
        return Invalid(_describe(exc))
    return _metrics(kind, model, values)


def _metrics(kind: str, model: Telemetry, raw: Any) -> Metrics | Invalid:
    fields = model.__dict__
    out = {k: float(fields[k]) for k in model.model_fields_set if fields[k] is not None}
    if kind == "generic":
        extra = _numeric_extras(raw)
        if not extra and not out:
            return Invalid("no numeric values")
        out.update(extra)
    return out


def _numeric_extras(raw: dict[str, Any]) -> Metrics:
    """Unknown fields of a generic device that are finite numbers with a usable name."""
    out: Metrics = {}
    for key, value in raw.items():
        if len(out) >= MAX_GENERIC_METRICS:
            break
        if key in Telemetry.model_fields or not METRIC_NAME.match(key):
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = _finite(value)
            if number is not None:
                out[key] = number
    return out


def _finite(value: float) -> float | None:
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "values"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)[:250]
