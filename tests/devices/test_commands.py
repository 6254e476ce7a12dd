"""Device commands: queued, published over the real broker, acknowledged by a device, expired."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn, MembershipIn, UserIn
from smartcity.app import create_app
from smartcity.config import Settings
from smartcity.devices import commands
from smartcity.devices import service as devices
from smartcity.devices.schemas import DeviceIn
from smartcity.events import Actor, UnitOfWork
from smartcity.integrations.mqtt import BrokerAddress, connect, device_topic, make_client
from smartcity.kit.clock import utcnow
from smartcity.runtime import Background
from tests.support import fresh_database, mosquitto


def _speaker(uow: UnitOfWork, settings: Settings, code: str, agency_id: int) -> str:
    data = DeviceIn(
        code=code, kind="speaker", name_th=code, lat=16.44, lon=100.35, agency_id=agency_id
    )
    return devices.create_device(uow, settings, data)[1].token


@pytest.fixture
def speakers(uow: UnitOfWork, settings: Settings) -> dict[str, int]:
    agency = accounts.create_agency(
        uow, AgencyIn(code="pa-team", name_th="งานเสียงตามสาย", kind="other")
    )
    for code in ("spk-1", "spk-2", "spk-3"):
        _speaker(uow, settings, code, agency.id)
    uow.commit()
    return {
        c: d.id for c in ("spk-1", "spk-2", "spk-3") if (d := devices.find_device(uow.session, c))
    }


def test_statuses_only_move_forward(uow: UnitOfWork, speakers: dict[str, int]) -> None:
    device = devices.get_device(uow.session, speakers["spk-1"])
    (cmd,) = commands.send(uow, [device], "play", {"url": "x"}, 60)
    now = utcnow()
    ack = lambda status, dev=device.id: commands.Ack(dev, cmd.uid, status)  # noqa: E731
    assert commands.record_acks(uow.session, [ack("started")], now) == 1
    assert commands.record_acks(uow.session, [ack("received")], now) == 0  # late, older news
    assert commands.record_acks(uow.session, [ack("succeeded", speakers["spk-2"])], now) == 0
    assert commands.record_acks(uow.session, [ack("succeeded")], now) == 1
    assert commands.record_acks(uow.session, [ack("failed")], now) == 0  # final stays final
    assert cmd.status == "succeeded" and cmd.finished_at is not None


def test_expiry_names_the_silent_devices(uow: UnitOfWork, speakers: dict[str, int]) -> None:
    targets = [devices.get_device(uow.session, i) for i in speakers.values()]
    rows = commands.send(uow, targets, "reboot", {}, 5)
    commands.record_acks(
        uow.session, [commands.Ack(rows[0].device_id, rows[0].uid, "succeeded")], utcnow()
    )
    assert commands.expire(uow, utcnow() + timedelta(seconds=6)) == 2
    summary = commands.batch_summary(uow.session, rows[0].batch)
    assert summary == {"succeeded": 1, "expired": 2}


def test_group_command_api_and_bad_input(
    client: TestClient, as_role, speakers: dict[str, int]
) -> None:  # type: ignore[no-untyped-def]
    admin = as_role("admin")
    r = client.post(
        "/api/device-commands", json={"command": "reboot", "kind": "speaker"}, headers=admin
    )
    assert r.status_code == 201 and r.json()["counts"] == {"queued": 3}
    batch = r.json()["batch"]
    report = client.get(f"/api/device-commands/batches/{batch}", headers=admin).json()
    assert report["counts"] == {"queued": 3}
    assert (
        client.post("/api/device-commands", json={"command": "reboot"}, headers=admin).status_code
        == 422
    )
    assert (
        client.post(
            "/api/device-commands", json={"command": "Bad Name!", "codes": ["spk-1"]}, headers=admin
        ).status_code
        == 422
    )
    missing = client.post(
        "/api/device-commands", json={"command": "x1", "codes": ["nope"]}, headers=admin
    )
    assert missing.status_code == 404 and "ไม่พบอุปกรณ์" in missing.json()["detail_th"]
    denied = client.post(
        "/api/device-commands",
        json={"command": "reboot", "kind": "speaker"},
        headers=as_role("police"),
    )
    assert denied.status_code == 403


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[TestClient, Settings, dict[str, str], Background]]:
    """An app on a committed database with its command publisher and ingest on a real broker."""
    with mosquitto(tmp_path) as url, fresh_database(tmp_path) as (engine, db_url):
        tag = uuid.uuid4().hex[:6]
        settings = Settings(
            mode="test",
            database_url=db_url,
            mqtt_url=url,
            mqtt_client_id=f"cmd-{tag}",
            mqtt_share_group=f"g{tag}",
            cookie_secure=False,
        )
        app = create_app(settings, engine)
        with app.state.session_factory() as session:
            uow = UnitOfWork(session, app.state.bus, Actor.system("test"))
            agency = accounts.create_agency(
                uow, AgencyIn(code="pa-team", name_th="ทีม", kind="other")
            )
            tokens = {c: _speaker(uow, settings, c, agency.id) for c in ("spk-a", "spk-b")}
            user = accounts.create_user(
                uow,
                UserIn(
                    username="op1",
                    full_name="Op",
                    password="a-long-password",
                    memberships=[MembershipIn(agency_id=agency.id, role="operator")],
                ),
            )
            plain, _ = accounts.create_token(uow, settings, user.id, "t")
            uow.commit()
        background = Background(settings, app.state.session_factory, app.state.bus)
        background.start()
        with TestClient(app) as client:
            client.headers["Authorization"] = f"Bearer {plain}"
            yield client, settings, tokens, background
        background.stop()


def test_device_acknowledges_over_mqtt(live) -> None:  # type: ignore[no-untyped-def]
    client, settings, tokens, background = live
    address = BrokerAddress.from_url(settings.mqtt_url)
    device = make_client(address, "spk-a-firmware")

    got: list[bytes] = []

    def on_command(c, _u, msg) -> None:  # type: ignore[no-untyped-def]
        got.append(msg.payload)
        cmd = json.loads(msg.payload)
        for status in ("received", "started", "succeeded"):
            body = {"token": tokens["spk-a"], "id": cmd["id"], "status": status}
            c.publish(device_topic(settings.site_code, "spk-a", "acks"), json.dumps(body), qos=1)

    device.on_message = on_command
    device.on_connect = lambda c, *_: c.subscribe(
        device_topic(settings.site_code, "spk-a", "commands"), 1
    )
    connect(device, address, persistent=False)
    device.loop_start()
    time.sleep(0.5)
    body = {
        "command": "play",
        "params": {"url": "http://x/a.mp3"},
        "codes": ["spk-a", "spk-b"],
        "ttl_seconds": 5,
    }
    batch = client.post("/api/device-commands", json=body).json()["batch"]
    end = time.monotonic() + 15
    counts: dict[str, int] = {}
    while time.monotonic() < end:
        counts = client.get(f"/api/device-commands/batches/{batch}").json()["counts"]
        if counts == {"succeeded": 1, "sent": 1}:
            break
        time.sleep(0.1)
    dead = client.get("/api/devices/dead-letters").json()
    assert counts == {"succeeded": 1, "sent": 1}, (
        dead,
        got,
    )  # spk-b is silent: published, never answered
    time.sleep(5.2)
    background.sweeper.run_once()
    counts = client.get(f"/api/device-commands/batches/{batch}").json()["counts"]
    assert counts == {"succeeded": 1, "expired": 1}
    device.loop_stop()
    device.disconnect()
