"""What simulated devices report: a flood wave on the Nan, the PM2.5 day, rain, heartbeats.

Everything is a pure function of simulated time, so the same device at the same moment always
reports the same value (runs are repeatable) and tests can check the shapes directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

DAY = 86400.0
FLOOD_PEAK_M = 10.2  # above the town's 9.83 m action level, as in a wet year
BASE_LEVEL_M = 7.4


@dataclass(frozen=True)
class SimDevice:
    """A simulated device: its code, kind and token, and when (if ever) it falls silent."""

    code: str
    kind: str
    token: str
    index: int = 0
    silent_after: float | None = None  # simulated seconds; None: never


def river_level(t: float, *, lag: float = 0.0, peak_at: float = 6 * 3600) -> float:
    """Metres at a gauge: a slow daily swell plus one flood wave (Gaussian, ~3 h wide)."""
    wave = (FLOOD_PEAK_M - BASE_LEVEL_M) * math.exp(-(((t - peak_at - lag) / 5400.0) ** 2))
    return round(BASE_LEVEL_M + 0.15 * math.sin(2 * math.pi * t / DAY) + wave, 3)


def pm25(t: float, index: int = 0) -> float:
    """µg/m³: morning and evening traffic peaks over a clean midday (hour of day from t)."""
    hour = (t % DAY) / 3600.0
    peaks = 35 * math.exp(-(((hour - 8) / 1.5) ** 2)) + 45 * math.exp(-(((hour - 19) / 2) ** 2))
    return round(12 + peaks + 3 * math.sin(index + t / 600.0), 1)


def rain_mm(t: float) -> float:
    """mm since the previous report: showers in the afternoon."""
    hour = (t % DAY) / 3600.0
    return round(max(0.0, 4 * math.sin(math.pi * (hour - 13) / 5)) if 13 <= hour <= 18 else 0.0, 2)


def values(device: SimDevice, t: float) -> dict[str, Any]:
    """The reading ``device`` reports at simulated time ``t``."""
    battery = round(max(5.0, 100 - (t / 3600.0) * 0.4 - device.index % 7), 1)
    kind = device.kind
    if kind == "water_level":
        return {"level_m": river_level(t, lag=device.index * 900.0), "battery": battery}
    if kind == "air_quality":
        value = pm25(t, device.index)
        return {"pm25": value, "pm10": round(value * 1.6, 1), "temperature_c": 31.0}
    if kind == "rain_gauge":
        return {"rain_mm": rain_mm(t)}
    if kind == "wifi_ap":
        hour = (t % DAY) / 3600.0
        return {"clients": int(5 + 20 * max(0.0, math.sin(math.pi * (hour - 6) / 16)))}
    if kind == "sos_button":
        return {"pressed": False, "battery": battery}
    if kind in ("camera", "speaker"):
        return {"online": True}
    return {"value": round(math.sin(t / 300.0 + device.index), 3)}


def is_silent(device: SimDevice, t: float) -> bool:
    """True once a device has 'failed' and stopped reporting."""
    return device.silent_after is not None and t >= device.silent_after
