"""HTTP batch ingest on a real database: storage, latest state, health, dead letters, auth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from smartcity.devices import ingest
from smartcity.devices.events import DeviceStatusChanged, TelemetryReceived
from smartcity.devices.models import DeadLetter, Device, Latest
from smartcity.events import UnitOfWork
from tests.devices.conftest import MakeDevice
from tests.devices.support import bearer, dead_reasons, reading, stored

URL = "/api/devices/ingest"
PROBLEM = "application/problem+json"
T0 = "2026-11-20T10:00:00+07:00"  # 03:00 UTC
T0_MS = int(datetime(2026, 11, 20, 3, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def events(app: FastAPI) -> list[Any]:
    """Devices events delivered after commit."""
    seen: list[Any] = []
    for kind in (TelemetryReceived, DeviceStatusChanged):
        app.state.bus.subscribe(kind, lambda _uow, e: seen.append(e), "after_commit")
    return seen


def test_happy_path_stores_readings_latest_and_health(
    client: TestClient, uow: UnitOfWork, make_device: MakeDevice, events: list[Any]
) -> None:
    issued = make_device("wl-nan-01")
    batch = {
        "readings": [
            reading("wl-nan-01", {"level_m": 8.5, "battery": 90, "signal": -70}, T0),
            reading("wl-nan-01", {"level_m": 8.7}, "2026-11-20T03:05:00Z"),
            reading("wl-nan-01", {"level_m": 8.4}, "2026-11-20T02:55:00+00:00"),  # late arrival
        ]
    }
    r = client.post(URL, json=batch, headers=issued.headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"accepted": 3, "rejected": []}
    rows = stored(uow.session, issued.device.id)
    assert ("level_m", T0_MS, 8.5) in rows and ("battery", T0_MS, 90.0) in rows
    assert ("level_m", T0_MS + 300_000, 8.7) in rows and len(rows) == 5
    latest = {
        m: (t, v)
        for m, t, v in uow.session.execute(
            select(Latest.metric, Latest.ts_ms, Latest.value).where(
                Latest.device_id == issued.device.id
            )
        )
    }
    assert latest["level_m"] == (T0_MS + 300_000, 8.7) and latest["signal"] == (T0_MS, -70.0)
    uow.session.expire_all()
    device = uow.session.get(Device, issued.device.id)
    assert device is not None and device.status == "online" and device.battery == 90.0
    assert device.last_seen_at is not None
    assert datetime.now(UTC) - device.last_seen_at < timedelta(minutes=1)
    telemetry = [e for e in events if isinstance(e, TelemetryReceived)]
    assert len(telemetry) == 1 and telemetry[0].device_ids == (issued.device.id,)
    assert telemetry[0].metrics == ("battery", "level_m", "signal") and telemetry[0].readings == 3
    assert (issued.device.id, "level_m", datetime(2026, 11, 20, 3, 5, tzinfo=UTC), 8.7) in (
        telemetry[0].latest
    )
    changes = [e for e in events if isinstance(e, DeviceStatusChanged)]
    assert [(c.old, c.new) for c in changes] == [("unknown", "online")]


def test_older_reading_never_overwrites_latest_and_resend_is_a_no_op(
    client: TestClient, uow: UnitOfWork, make_device: MakeDevice
) -> None:
    issued = make_device("rain-01", "rain_gauge")
    new = {"readings": [reading("rain-01", {"rain_mm": 2.0}, "2026-11-20T03:10:00Z")]}
    old = {"readings": [reading("rain-01", {"rain_mm": 9.0}, "2026-11-20T03:00:00Z")]}
    for body in (new, old, new):
        assert client.post(URL, json=body, headers=issued.headers).json()["accepted"] == 1
    assert len(stored(uow.session, issued.device.id)) == 2
    value = uow.session.scalar(select(Latest.value).where(Latest.device_id == issued.device.id))
    assert value == 2.0


def test_low_battery_is_degraded(
    client: TestClient, uow: UnitOfWork, make_device: MakeDevice
) -> None:
    issued = make_device("sos-1", "sos_button")
    body = {"readings": [reading("sos-1", {"pressed": False, "battery": 9.5})]}
    assert client.post(URL, json=body, headers=issued.headers).status_code == 200
    uow.session.expire_all()
    device = uow.session.get(Device, issued.device.id)
    assert device is not None and device.status == "degraded"
    assert stored(uow.session, issued.device.id)[0][0] in ("battery", "pressed")


def test_last_seen_is_rewritten_at_most_every_grain_unless_health_changes(
    client: TestClient, uow: UnitOfWork, make_device: MakeDevice, events: list[Any]
) -> None:
    issued = make_device("wl-grain", "water_level")

    def post(values: dict[str, float]) -> Device:
        r = client.post(
            URL, json={"readings": [reading("wl-grain", values)]}, headers=issued.headers
        )
        assert r.status_code == 200, r.text
        uow.session.expire_all()
        device = uow.session.get(Device, issued.device.id)
        assert device is not None and device.last_seen_at is not None
        return device

    first = post({"level_m": 5.0, "battery": 80}).last_seen_at
    assert post({"level_m": 5.1, "battery": 80}).last_seen_at == first  # within the grain
    low = post({"level_m": 5.2, "battery": 10})  # health changed: written at once
    assert low.status == "degraded" and low.battery == 10.0 and low.last_seen_at != first
    # Once the stored time is older than the grain, an unchanged device is written again.
    stale = datetime.now(UTC) - ingest.LAST_SEEN_GRAIN - timedelta(seconds=1)
    uow.session.execute(
        update(Device).where(Device.id == issued.device.id).values(last_seen_at=stale)
    )
    uow.commit()
    again = post({"level_m": 5.3, "battery": 10})
    assert again.last_seen_at is not None and again.last_seen_at > stale + timedelta(seconds=1)
    changes = [(e.old, e.new) for e in events if isinstance(e, DeviceStatusChanged)]
    assert changes == [("unknown", "online"), ("online", "degraded")]


def test_bad_readings_go_to_dead_letters_good_ones_are_kept(
    client: TestClient, uow: UnitOfWork, make_device: MakeDevice
) -> None:
    issued = make_device("aq-1", "air_quality")
    make_device("aq-off", "air_quality", enabled=False)
    make_device("aq-other", "air_quality")
    good = {"pm25": 35.5, "pm10": 60}
    batch = {
        "readings": [
            reading("aq-1", good, T0),
            reading("aq-1", {"pm25": "high", "pm10": 3}),  # wrong type
            reading("aq-1", {"pm25": 5000, "pm10": 3}),  # out of range
            reading("nope", good),  # unknown device
            reading("aq-off", good),  # disabled (and not this token's device)
            reading("aq-other", good),  # another device's reading
            reading("aq-1", good, "2026-11-20T10:00:00"),  # no time zone
            reading("aq-1", good, "not a time"),
            reading("aq-1", good, "2999-01-01T00:00:00Z"),  # future
            reading("aq-1", good, "1970-01-01T00:00:00Z"),  # clock not set
            "just a string",
            {"values": good},  # no device
            {"device": "aq-1", "values": [1, 2]},
            reading("aq-1", {"pm25": 12, "pm10": 20, "mystery": 7}, "2026-11-20T03:01:00Z"),
        ]
    }
    r = client.post(URL, json=batch, headers=issued.headers)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["accepted"] == 2
    reasons = {x["index"]: x["reason"] for x in result["rejected"]}
    assert reasons == {
        1: "invalid_values",
        2: "invalid_values",
        3: "unknown_device",
        4: "not_allowed",
        5: "not_allowed",
        6: "invalid_timestamp",
        7: "invalid_timestamp",
        8: "future_timestamp",
        9: "invalid_timestamp",
        10: "invalid_reading",
        11: "invalid_reading",
        12: "invalid_reading",
    }
    assert "pm25" in result["rejected"][0]["message"]
    metrics = {m for m, _, _ in stored(uow.session, issued.device.id)}
    assert metrics == {"pm25", "pm10"}  # unknown fields of a known kind are dropped
    letters = list(uow.session.scalars(select(DeadLetter).order_by(DeadLetter.id)))
    assert len(letters) == 12 and all(d.source == "http" and d.reason_th for d in letters)
    assert letters[0].device_code == "aq-1" and '"high"' in letters[0].raw
    assert letters[0].credential == issued.token[:10]


def test_gateway_posts_for_its_agency_only(
    client: TestClient, uow: UnitOfWork, make_device: MakeDevice, gateway_token: str
) -> None:
    mine = make_device("wifi-1", "wifi_ap")
    theirs = make_device("wifi-x", "wifi_ap", agency="other")
    off = make_device("wifi-off", "wifi_ap", enabled=False)
    batch = {
        "readings": [
            reading("wifi-1", {"clients": 12}),
            reading("wifi-x", {"clients": 3}),
            reading("wifi-off", {"clients": 3}),
            reading("wifi-1", {"clients": 1.5}),
        ]
    }
    result = client.post(URL, json=batch, headers=bearer(gateway_token)).json()
    assert result["accepted"] == 1
    assert [(x["index"], x["reason"]) for x in result["rejected"]] == [
        (1, "not_allowed"),
        (2, "disabled"),
        (3, "invalid_values"),
    ]
    assert len(stored(uow.session, mine.device.id)) == 1
    assert stored(uow.session, theirs.device.id) == stored(uow.session, off.device.id) == []


def test_heartbeat_and_generic_devices(
    client: TestClient, uow: UnitOfWork, make_device: MakeDevice, gateway_token: str
) -> None:
    cam = make_device("cam-1", "camera")
    gen = make_device("gen-1", "generic")
    batch = {
        "readings": [
            {"device": "cam-1"},  # bare heartbeat
            reading("gen-1", {"soil_moisture": 31.5, "note": "dry", "Bad Name": 1, "ok": True}),
            reading("gen-1", {"note": "text only"}),
        ]
    }
    result = client.post(URL, json=batch, headers=bearer(gateway_token)).json()
    assert result["accepted"] == 2 and result["rejected"][0]["index"] == 2
    assert stored(uow.session, cam.device.id) == []
    assert [m for m, _, _ in stored(uow.session, gen.device.id)] == ["soil_moisture"]
    uow.session.expire_all()
    camera = uow.session.get(Device, cam.device.id)
    assert camera is not None and camera.status == "online"


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b'{"readings": [', 400, "malformed_json"),
        (b"\xff\xfe not utf-8", 400, "malformed_json"),
        (b'{"readings": [{"device": "x", "values": {"v": NaN}}]}', 400, "malformed_json"),
        (b"[" * 100_00 + b"]" * 100_00, 400, "malformed_json"),
        (b'{"readings": {"device": "x"}}', 422, "invalid_batch"),
        (b"[1, 2, 3]", 422, "invalid_batch"),
        (b'"readings"', 422, "invalid_batch"),
    ],
)
def test_malformed_messages_are_problems_and_dead_letters(
    client: TestClient,
    uow: UnitOfWork,
    make_device: MakeDevice,
    body: bytes,
    status: int,
    reason: str,
) -> None:
    issued = make_device("wl-1")
    r = client.post(
        URL, content=body, headers={**issued.headers, "content-type": "application/json"}
    )
    assert r.status_code == status and r.headers["content-type"].startswith(PROBLEM), r.text
    assert r.json()["detail_th"]
    assert dead_reasons(uow.session) == [reason]


def test_too_many_readings(
    client: TestClient, uow: UnitOfWork, make_device: MakeDevice, settings: Any
) -> None:
    issued = make_device("wl-1")
    body = b'{"readings": [' + b",".join([b"1"] * 10_001) + b"]}"
    r = client.post(URL, content=body, headers=issued.headers)
    assert r.status_code == 413 and dead_reasons(uow.session) == ["too_many_readings"]


@pytest.mark.parametrize(
    "authorization", ["", "Bearer", "Bearer scd_wrong", "Bearer scg_wrong", "Basic abc", "x"]
)
def test_wrong_credentials_are_401_and_dead_lettered(
    client: TestClient, uow: UnitOfWork, make_device: MakeDevice, authorization: str
) -> None:
    make_device("wl-1")
    headers = {"Authorization": authorization} if authorization else {}
    r = client.post(URL, json={"readings": [reading("wl-1", {"level_m": 1})]}, headers=headers)
    assert r.status_code == 401 and r.headers["content-type"].startswith(PROBLEM)
    letter = uow.session.scalars(select(DeadLetter)).one()
    assert letter.reason_code == "unauthorised" and "wl-1" in letter.raw
    assert uow.session.scalar(select(func.count()).select_from(Latest)) == 0


def test_disabled_device_token_is_refused(
    client: TestClient, uow: UnitOfWork, make_device: MakeDevice
) -> None:
    issued = make_device("wl-off", enabled=False)
    r = client.post(
        URL, json={"readings": [reading("wl-off", {"level_m": 1})]}, headers=issued.headers
    )
    assert r.status_code == 401 and dead_reasons(uow.session) == ["unauthorised"]


def test_dead_letter_api(
    client: TestClient,
    as_role,  # type: ignore[no-untyped-def]
    make_device: MakeDevice,
) -> None:
    issued = make_device("wl-1")
    client.post(URL, content=b"{oops", headers=issued.headers)
    client.post(URL, json={"readings": [reading("ghost", {"level_m": 1})]}, headers=issued.headers)
    client.post(URL, json={"readings": []}, headers=bearer("scd_nobody"))
    h = as_role("technician")
    page = client.get("/api/devices/dead-letters?per_page=2", headers=h).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert page["items"][0]["reason_code"] == "unauthorised"  # newest first
    ghost = client.get("/api/devices/dead-letters?device=ghost", headers=h).json()
    assert [d["reason_code"] for d in ghost["items"]] == ["unknown_device"]
    bad = client.get("/api/devices/dead-letters?reason=malformed_json", headers=h).json()
    assert bad["total"] == 1 and bad["items"][0]["raw"] == "{oops"
    later = datetime.now(UTC) + timedelta(hours=1)
    none = client.get("/api/devices/dead-letters", params={"since": later.isoformat()}, headers=h)
    assert none.json()["total"] == 0
    assert client.get("/api/devices/dead-letters", headers=as_role("police")).status_code == 403


def test_fuzz_findings_stay_fixed(
    client: TestClient, uow: UnitOfWork, make_device: MakeDevice
) -> None:
    # A NUL byte broke PostgreSQL text columns; a list as a device code broke the look-up.
    issued = make_device("wl-1")
    assert client.post(URL, content=b"\x00", headers=issued.headers).status_code == 400
    batch = {
        "readings": [
            {"device": [], "values": {}},
            {"device": "wl\x001", "values": {"level_m": 1, "k\x00": 2}},
            {"device": "wl-1", "values": {"level_m": 1, "x\x00": 2}, "ts": "2026-11-20T03:00Z"},
        ]
    }
    r = client.post(URL, json=batch, headers=issued.headers)
    assert r.status_code == 200 and r.json()["accepted"] == 1
    assert dead_reasons(uow.session) == ["malformed_json", "invalid_reading", "unknown_device"]
    assert "\x00" not in "".join(uow.session.scalars(select(DeadLetter.raw)))
