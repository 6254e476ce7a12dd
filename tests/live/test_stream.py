"""GET /api/live/stream on a real server: auth, status and telemetry events, heartbeats."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import MembershipIn, UserIn
from smartcity.devices import health
from smartcity.devices import service as devices
from smartcity.kit.clock import utcnow
from smartcity.live.handlers import hub_for
from tests.live.server import PASSWORD, Live, live_server

TIMEOUT = httpx.Timeout(30.0)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One server for the module."""
    with live_server(tmp_path_factory.mktemp("live-stream")) as server:
        yield server


def _events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event name, data) pairs from SSE lines; a heartbeat comes as ("heartbeat", "")."""
    name, data = "", ""
    for line in lines:
        if line.startswith(": heartbeat"):
            yield "heartbeat", ""
        elif line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and name:
            yield name, data
            name, data = "", ""


def _until(events: Iterator[tuple[str, str]], wanted: str) -> str:
    for name, data in events:
        if name == wanted:
            return data
    raise AssertionError(f"the stream ended before a {wanted} event")


def _collect(events: Iterator[tuple[str, str]], wanted: set[str]) -> dict[str, str]:
    """The first event of each wanted name, whatever their order."""
    seen: dict[str, str] = {}
    for name, data in events:
        if name in wanted and name not in seen:
            seen[name] = data
        if seen.keys() == wanted:
            return seen
    raise AssertionError(f"the stream ended with only {sorted(seen)}")


def test_stream_needs_devices_read(live: Live) -> None:
    r = httpx.get(f"{live.url}/api/live/stream", timeout=TIMEOUT)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


def test_ingest_and_offline_sweep_reach_an_open_stream(live: Live) -> None:
    headers = {"Authorization": f"Bearer {live.api_token}"}
    url = f"{live.url}/api/live/stream"
    with httpx.stream("GET", url, headers=headers, timeout=TIMEOUT) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events(response.iter_lines())
        _until(events, "hello")

        # A reading through the real HTTP ingest endpoint: the device comes online.
        ts = (utcnow() - timedelta(seconds=5)).isoformat()
        body = {"readings": [{"device": "wl-nan-02", "ts": ts, "values": {"level_m": 9.9}}]}
        token = {"Authorization": f"Bearer {live.device_tokens['wl-nan-02']}"}
        posted = httpx.post(f"{live.url}/api/devices/ingest", json=body, headers=token)
        assert posted.status_code == 200, posted.text
        seen = _collect(events, {"status", "telemetry"})
        assert '"code":"wl-nan-02"' in seen["status"] and '"new":"online"' in seen["status"]
        assert '"level_m":9.9' in seen["telemetry"]

        # The offline sweep in the server's database: the same stream hears about it.
        _sweep(live)
        offline = _until(events, "status")
        assert '"code":"wl-nan-02"' in offline and '"new":"offline"' in offline


def _sweep(live: Live) -> None:
    """Run the offline sweep as if an hour had passed, on the server's database and bus."""
    uow = live.uow()
    try:
        changes = health.mark_offline(uow, utcnow() + timedelta(hours=1))
        assert any(c.code == "wl-nan-02" for c in changes)
        uow.commit()
    finally:
        uow.session.close()


def test_an_idle_stream_gets_heartbeats(live: Live) -> None:
    hub = hub_for(live.app.state.bus)
    saved, hub.heartbeat_seconds = hub.heartbeat_seconds, 0.05
    try:
        headers = {"Authorization": f"Bearer {live.api_token}"}
        url = f"{live.url}/api/live/stream"
        with httpx.stream("GET", url, headers=headers, timeout=TIMEOUT) as response:
            events = _events(response.iter_lines())
            _until(events, "hello")
            assert next(events) == ("heartbeat", "")
    finally:
        hub.heartbeat_seconds = saved


def _token_for(live: Live, role: str, zones: list[int]) -> str:
    """A bearer token of a new user with this role (and zone scope) on the server's database."""
    uow = live.uow()
    try:
        agency = accounts.find_agency(uow.session, "live-agency")
        membership = MembershipIn(agency_id=agency.id, role=role, zone_ids=zones)
        name = f"{role}-{len(zones)}-{utcnow().timestamp():.0f}"
        user = accounts.create_user(
            uow, UserIn(username=name, full_name=name, password=PASSWORD, memberships=[membership])
        )
        plain, _ = accounts.create_token(uow, live.app.state.settings, user.id, "t")
        uow.commit()
        return plain
    finally:
        uow.session.close()


def _zone_of(live: Live, code: str) -> int:
    uow = live.uow()
    try:
        device = devices.find_device(uow.session, code)
        assert device is not None and device.zone_id is not None
        return device.zone_id
    finally:
        uow.session.close()


def test_a_role_without_devices_read_is_refused(live: Live) -> None:
    token = _token_for(live, "police", [])
    r = httpx.get(
        f"{live.url}/api/live/stream", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
    )
    assert r.status_code == 403


def test_a_zone_scoped_stream_hears_only_its_zone(live: Live) -> None:
    inside, outside = "aq-hospital", "spk-west-01"
    zone = _zone_of(live, inside)
    assert _zone_of(live, outside) != zone
    token = _token_for(live, "technician", [zone])
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.stream(
        "GET", f"{live.url}/api/live/stream", headers=headers, timeout=TIMEOUT
    ) as response:
        events = _events(response.iter_lines())
        _until(events, "hello")
        for code, values in ((outside, {}), (inside, {"pm25": 30.0, "pm10": 50.0})):
            ts = (utcnow() - timedelta(seconds=5)).isoformat()
            body = {"readings": [{"device": code, "ts": ts, "values": values}]}
            auth = {"Authorization": f"Bearer {live.device_tokens[code]}"}
            assert httpx.post(f"{live.url}/api/devices/ingest", json=body, headers=auth).is_success
        first = _until(events, "telemetry")
        assert '"pm25":30.0' in first  # the outside device's batch came first and was filtered
