"""History buckets, the latest-state API and offline detection on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from smartcity.devices import health, ingest
from smartcity.devices.events import DeviceStatusChanged
from smartcity.devices.models import Device
from smartcity.events import UnitOfWork
from tests.devices.conftest import MakeDevice

BASE = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


def _caller(device: Device) -> ingest.Caller:
    return ingest.Caller("device", device.id, device.agency_id, device.token_prefix)


def _feed(uow: UnitOfWork, device: Device, points: list[tuple[timedelta, dict[str, Any]]]) -> None:
    readings = [
        {"device": device.code, "ts": (BASE + dt).isoformat(), "values": v} for dt, v in points
    ]
    result = ingest.store(uow, _caller(device), readings, now=BASE + timedelta(days=1))
    assert result.accepted == len(points), result.rejected
    uow.commit()


def test_history_raw_and_bucketed(
    client: TestClient,
    as_role,  # type: ignore[no-untyped-def]
    uow: UnitOfWork,
    make_device: MakeDevice,
) -> None:
    device = make_device("wl-hist").device
    # Two readings a minute for ten minutes, level rising by 0.1 m each time, plus battery.
    points = [
        (timedelta(seconds=30 * i), {"level_m": 5.0 + 0.1 * i, "battery": 80.0}) for i in range(20)
    ]
    _feed(uow, device, points)
    h = as_role("operator")
    span = {"since": BASE.isoformat(), "until": (BASE + timedelta(hours=1)).isoformat()}
    url = f"/api/devices/{device.id}/readings"
    raw = client.get(url, params={**span, "metric": "level_m"}, headers=h).json()
    assert raw["resolution"] == "raw" and len(raw["points"]) == 20
    assert raw["points"][0]["value"] == pytest.approx(5.0) and not raw["truncated"]
    per_5m = client.get(url, params={**span, "metric": "level_m", "resolution": "5m"}, headers=h)
    buckets = per_5m.json()["points"]
    assert [b["count"] for b in buckets] == [10, 10]
    first, second = buckets
    assert first["t"].startswith("2026-11-20T00:00:00") and second["t"].startswith(
        "2026-11-20T00:05:00"
    )
    assert first["min"] == pytest.approx(5.0) and first["max"] == pytest.approx(5.9)
    assert first["value"] == pytest.approx(5.45) and second["value"] == pytest.approx(6.45)
    both = client.get(url, params={**span, "resolution": "1h"}, headers=h).json()["points"]
    assert {(b["metric"], b["count"]) for b in both} == {("battery", 20), ("level_m", 20)}
    day = client.get(url, params={**span, "resolution": "1d", "metric": "battery"}, headers=h)
    assert day.json()["points"][0]["value"] == pytest.approx(80.0)
    cut = client.get(url, params={**span, "metric": "level_m", "limit": 5}, headers=h).json()
    assert len(cut["points"]) == 5 and cut["truncated"]
    empty = client.get(url, headers=h).json()  # default: the last 24 hours from now
    assert empty["points"] == []
    bad = client.get(url, params={"since": span["until"], "until": span["since"]}, headers=h)
    assert bad.status_code == 422
    naive = client.get(url, params={"since": "2026-11-20T00:00:00"}, headers=h)
    assert naive.status_code == 422
    assert client.get(url, params={"resolution": "2m"}, headers=h).status_code == 422
    assert client.get(url, headers=as_role("police")).status_code == 403


def test_latest_api(
    client: TestClient,
    as_role,  # type: ignore[no-untyped-def]
    uow: UnitOfWork,
    make_device: MakeDevice,
) -> None:
    device = make_device("aq-latest", "air_quality").device
    _feed(
        uow,
        device,
        [
            (timedelta(minutes=1), {"pm25": 10, "pm10": 20}),
            (timedelta(minutes=2), {"pm25": 12, "pm10": 22, "signal": -80}),
        ],
    )
    body = client.get(f"/api/devices/{device.id}/latest", headers=as_role("technician")).json()
    assert body["status"] == "online" and body["signal"] == -80.0
    values = {v["metric"]: v["value"] for v in body["values"]}
    assert values == {"pm10": 22.0, "pm25": 12.0, "signal": -80.0}


def test_mark_offline_once_per_transition(
    uow: UnitOfWork, make_device: MakeDevice, app: FastAPI
) -> None:
    cam = make_device("cam-1", "camera").device
    gauge = make_device("wl-1", "water_level").device
    never = make_device("spk-never", "speaker").device
    for device, values in ((cam, {}), (gauge, {"level_m": 7.5})):
        reading = {"device": device.code, "values": values}
        assert ingest.store(uow, _caller(device), [reading], now=BASE).accepted == 1
    uow.commit()
    seen: list[DeviceStatusChanged] = []
    uow.bus.subscribe(DeviceStatusChanged, lambda _u, e: seen.append(e), "after_commit")
    # Ten minutes later the camera (3-minute timeout) is offline, the gauge (30 minutes) is not.
    changes = health.mark_offline(uow, BASE + timedelta(minutes=10))
    uow.commit()
    assert [(c.code, c.old, c.new) for c in changes] == [("cam-1", "online", "offline")]
    assert [e.code for e in seen] == ["cam-1"]
    assert health.mark_offline(uow, BASE + timedelta(minutes=11)) == []  # no repeat
    later = health.mark_offline(uow, BASE + timedelta(minutes=20), {"water_level": 600})
    assert [c.code for c in later] == ["wl-1"]
    uow.commit()
    uow.session.expire_all()
    statuses = {d.code: d.status for d in uow.session.query(Device).all()}
    assert statuses == {"cam-1": "offline", "wl-1": "offline", "spk-never": "unknown"}
    assert never.last_seen_at is None
    # The camera comes back: online again, with one event for the way back.
    ingest.store(uow, _caller(cam), [{"device": "cam-1"}], now=BASE + timedelta(minutes=30))
    uow.commit()
    assert [(e.code, e.old, e.new) for e in seen][-1] == ("cam-1", "offline", "online")


def test_disabled_devices_are_not_marked(uow: UnitOfWork, make_device: MakeDevice) -> None:
    device = make_device("cam-2", "camera").device
    ingest.store(uow, _caller(device), [{"device": "cam-2"}], now=BASE)
    uow.session.get(Device, device.id).enabled = False  # type: ignore[union-attr]
    uow.commit()
    assert health.mark_offline(uow, BASE + timedelta(hours=1)) == []
