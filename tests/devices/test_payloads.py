"""Per-kind telemetry checks: every kind's happy path, its refusals, and the generic map."""

from __future__ import annotations

from typing import Any

import pytest

from smartcity.devices.models import DEVICE_KINDS
from smartcity.devices.payloads import HEARTBEAT, KIND_MODELS, Invalid, validate_many, validate_one


def test_every_kind_has_a_model() -> None:
    assert set(KIND_MODELS) == {*DEVICE_KINDS, HEARTBEAT}


def test_heartbeat_keeps_only_battery_and_signal() -> None:
    assert validate_one(HEARTBEAT, {"battery": 50, "signal": -70, "level_m": 3}) == {
        "battery": 50.0,
        "signal": -70.0,
    }
    assert validate_one(HEARTBEAT, {}) == {}


@pytest.mark.parametrize(
    ("kind", "values", "expected"),
    [
        ("water_level", {"level_m": 9.83}, {"level_m": 9.83}),
        (
            "air_quality",
            {"pm25": 37, "pm10": 55.5, "aqi": 104},
            {"pm25": 37, "pm10": 55.5, "aqi": 104},
        ),
        ("rain_gauge", {"rain_mm": 0}, {"rain_mm": 0}),
        ("sos_button", {"pressed": True, "button": 2}, {"pressed": 1.0, "button": 2}),
        ("wifi_ap", {"clients": 17, "battery": 100}, {"clients": 17, "battery": 100}),
        ("camera", {}, {}),
        ("camera", {"online": True, "fps": 25}, {"online": 1.0, "fps": 25}),
        ("speaker", {"playing": False, "volume_pct": 80}, {"playing": 0.0, "volume_pct": 80}),
        ("generic", {"soil": 1, "flag": True, "txt": "a"}, {"soil": 1.0}),
        ("water_level", {"level_m": 2, "extra": 5, "signal": -90}, {"level_m": 2, "signal": -90}),
    ],
)
def test_valid_values(kind: str, values: dict[str, Any], expected: dict[str, float]) -> None:
    assert validate_one(kind, values) == expected
    assert validate_many(kind, [values]) == [expected]


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("water_level", {}),
        ("water_level", {"level_m": "9.8"}),
        ("water_level", {"level_m": 250}),
        ("water_level", {"level_m": True}),
        ("water_level", {"level_m": 1, "battery": 140}),
        ("water_level", {"level_m": 1, "signal": 5}),
        ("air_quality", {"pm25": 10}),
        ("air_quality", {"pm25": -1, "pm10": 3}),
        ("rain_gauge", {"rain_mm": float("inf")}),
        ("sos_button", {"pressed": 1}),
        ("wifi_ap", {"clients": 2.5}),
        ("speaker", {"volume_pct": 101}),
        ("generic", {}),
        ("generic", {"x": float("nan"), "Bad-Name": 3}),
        ("generic", {"huge": 10**400}),
        ("camera", [1, 2]),
        ("camera", None),
    ],
)
def test_invalid_values(kind: str, values: Any) -> None:
    assert isinstance(validate_one(kind, values), Invalid)


def test_batch_check_isolates_the_bad_one() -> None:
    out = validate_many("water_level", [{"level_m": 1}, {"level_m": "x"}, {"level_m": 3}])
    assert out[0] == {"level_m": 1} and isinstance(out[1], Invalid) and out[2] == {"level_m": 3}
    assert "level_m" in out[1].message  # type: ignore[union-attr]
