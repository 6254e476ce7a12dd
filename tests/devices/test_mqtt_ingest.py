"""MQTT ingest through the real Mosquitto broker: batching, dead letters, sharing, durability.

These tests use a committed database of their own (the ingest writer commits from its own
thread, and worker processes are separate programs).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn
from smartcity.app import build_bus
from smartcity.config import Settings
from smartcity.db import make_session_factory
from smartcity.devices import service as devices
from smartcity.devices.models import DeadLetter, Device, Reading
from smartcity.devices.mqtt_ingest import MqttIngest
from smartcity.devices.schemas import DeviceIn
from smartcity.events import Actor, UnitOfWork
from smartcity.integrations.mqtt import (
    BrokerAddress,
    EmbeddedBroker,
    connect,
    device_topic,
    make_client,
)
from smartcity.kit.clock import utcnow
from tests.support import Broker, free_port, fresh_database, mosquitto, wait_until


@dataclass
class Site:
    """A committed database with three gauges, and settings pointing at the broker."""

    engine: Engine
    url: str
    settings: Settings
    tokens: dict[str, str]
    site: str

    def count(self, model: type) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A broker configured as docs/devices.md recommends (deep queues for ingest outages)."""
    with mosquitto(tmp_path_factory.mktemp("mosquitto")) as url:
        yield url


@pytest.fixture
def site(tmp_path: Path, broker: str) -> Iterator[Site]:
    """Fresh database, unique share group and topic site so tests never see each other."""
    tag = uuid.uuid4().hex[:8]
    with fresh_database(tmp_path) as (engine, url):
        settings = Settings(
            mode="test",
            database_url=url,
            mqtt_url=broker,
            mqtt_share_group=f"t{tag}",
            mqtt_client_id=f"test-{tag}",
            mqtt_session_expiry=120,
        )
        factory = make_session_factory(engine)
        with factory() as session:
            uow = UnitOfWork(session, build_bus(), Actor.system("test"))
            agency = accounts.create_agency(
                uow, AgencyIn(code="muni", name_th="เทศบาล", kind="other")
            )
            tokens = {}
            for i in range(3):
                data = DeviceIn(
                    code=f"wl-{i}",
                    kind="water_level",
                    name_th=f"มาตรวัด {i}",
                    lat=16.44,
                    lon=100.35,
                    agency_id=agency.id,
                )
                tokens[data.code] = devices.create_device(uow, settings, data)[1].token
            uow.commit()
        yield Site(engine, url, settings, tokens, f"s{tag}")


def _publisher(url: str) -> object:
    client = make_client(BrokerAddress.from_url(url), f"pub-{uuid.uuid4().hex[:8]}")
    connect(client, BrokerAddress.from_url(url), persistent=False)
    client.loop_start()
    return client


def _payload(token: str, i: int, level: float = 5.0) -> bytes:
    ts = (utcnow() - timedelta(hours=1) + timedelta(milliseconds=i)).isoformat()
    return json.dumps({"token": token, "ts": ts, "values": {"level_m": level}}).encode()


def _publish_all(client, site: Site, n: int, device: str = "wl-0") -> None:  # type: ignore[no-untyped-def]
    topic = device_topic(site.site, device, "telemetry")
    infos = [client.publish(topic, _payload(site.tokens[device], i), qos=1) for i in range(n)]
    for info in infos:
        info.wait_for_publish(10)  # the broker's PUBACK: from here on the reading must survive


def _stored_for(site: Site, code: str) -> int:
    stmt = (
        select(func.count())
        .select_from(Reading)
        .join(Device, Device.id == Reading.device_id)
        .where(Device.code == code)
    )
    with site.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def _wait(cond: Callable[[], bool], seconds: float = 30.0) -> bool:
    return wait_until(cond, seconds)


def test_good_and_bad_messages(site: Site) -> None:
    worker = MqttIngest(
        site.settings, make_session_factory(site.engine), build_bus(), client_id=f"w-{site.site}"
    )
    worker.start()
    time.sleep(0.5)  # subscribed
    pub = _publisher(site.settings.mqtt_url)
    base = lambda d: device_topic(site.site, d, "telemetry")  # noqa: E731
    bad = [
        (base("wl-0"), b"{not json"),
        (base("wl-0"), json.dumps({"token": "sct_wrong", "values": {"level_m": 1}}).encode()),
        (base("nobody"), _payload("x", 1)),
        (
            base("wl-1"),
            json.dumps({"token": site.tokens["wl-1"], "values": {"level_m": "high"}}).encode(),
        ),
        (base("wl-1"), json.dumps({"values": {"level_m": 1}}).encode()),
        (device_topic(site.site, "wl-1", "commands"), b"{}"),
        (base("wl-2"), "\x00\ufffe".encode()),
    ]
    for topic, payload in bad:
        pub.publish(topic, payload, qos=1).wait_for_publish(5)  # type: ignore[attr-defined]
    _publish_all(pub, site, 20, "wl-2")
    status = json.dumps({"token": site.tokens["wl-1"], "values": {"battery": 9.0}}).encode()
    pub.publish(device_topic(site.site, "wl-1", "status"), status, qos=1).wait_for_publish(5)  # type: ignore[attr-defined]
    assert _wait(lambda: worker.stats.received >= len(bad) - 1 + 21)  # commands are not ours
    worker.stop()
    assert site.count(Reading) == 21  # 20 levels + the heartbeat's battery
    with site.engine.connect() as conn:
        reasons = sorted(conn.execute(select(DeadLetter.reason_code, DeadLetter.source)).all())
    assert {r for r, _ in reasons} == {
        "malformed_json",
        "unauthorised",
        "invalid_values",
    }
    assert len(reasons) == 6 and all(s == "mqtt" for _, s in reasons)
    with make_session_factory(site.engine)() as session:
        wl1 = devices.find_device(session, "wl-1")
        assert wl1 is not None and wl1.status == "degraded"  # low battery from the heartbeat


def _worker(site: Site, client_id: str, database_url: str = "") -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SMARTCITY_MODE": "test",
        "SMARTCITY_DATABASE_URL": database_url or site.url,
        "SMARTCITY_MQTT_URL": site.settings.mqtt_url,
        "SMARTCITY_MQTT_SHARE_GROUP": site.settings.mqtt_share_group,
        "SMARTCITY_MQTT_SESSION_EXPIRY": "120",
    }
    cmd = [sys.executable, "-m", "smartcity.cli", "ingest", "--client-id", client_id]
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline() if proc.stderr else ""
    assert "ingesting from" in line, line
    time.sleep(0.5)  # connected and subscribed
    return proc


def test_acknowledged_readings_survive_a_kill(site: Site) -> None:
    client_id = f"kill-{site.site}"
    proc = _worker(site, client_id)
    pub = _publisher(site.settings.mqtt_url)
    n = 3000
    killed = False
    topic = device_topic(site.site, "wl-0", "telemetry")
    infos = []
    for i in range(n):
        infos.append(pub.publish(topic, _payload(site.tokens["wl-0"], i), qos=1))  # type: ignore[attr-defined]
        if i == 1500:
            assert _wait(lambda: site.count(Reading) > 0, 10)
            proc.send_signal(signal.SIGKILL)  # mid-stream, no chance to flush or ack
            proc.wait(10)
            killed = True
    for info in infos:
        info.wait_for_publish(10)
    assert killed and site.count(Reading) < n
    restarted = _worker(site, client_id)  # same id: the broker hands back what was not acked
    assert _wait(lambda: site.count(Reading) == n, 60), site.count(Reading)
    time.sleep(1.0)
    assert site.count(Reading) == n  # and nothing twice
    restarted.send_signal(signal.SIGTERM)
    restarted.wait(20)


def test_two_workers_share_one_subscription(site: Site) -> None:
    workers = [_worker(site, f"share{i}-{site.site}") for i in range(2)]
    pub = _publisher(site.settings.mqtt_url)
    _publish_all(pub, site, 1000, "wl-1")
    assert _wait(lambda: site.count(Reading) == 1000, 60)
    received = []
    for proc in workers:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=20)
        match = re.search(r"received=(\d+)", err)
        assert match, err
        received.append(int(match.group(1)))
    assert sum(received) == 1000 and all(r > 0 for r in received), received


def test_nothing_is_acknowledged_before_it_is_stored(site: Site, tmp_path: Path) -> None:
    client_id = f"fail-{site.site}"
    # A database without the tables: every batch fails and is retried, never committed.
    proc = _worker(site, client_id, f"sqlite:///{tmp_path / 'no-tables.db'}")
    pub = _publisher(site.settings.mqtt_url)
    _publish_all(pub, site, 200, "wl-1")
    failures = 0
    while failures < 2 and proc.stderr is not None:  # it got them, and is retrying a batch
        line = proc.stderr.readline()
        assert line, "the worker ended"
        failures += "batch failed" in line
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert site.count(Reading) == 0
    restarted = _worker(site, client_id)  # the broker still holds all 200 for this session
    assert _wait(lambda: site.count(Reading) == 200, 60), site.count(Reading)
    restarted.send_signal(signal.SIGTERM)
    restarted.wait(20)


def test_ingest_subscribes_again_after_a_broker_restart(site: Site, tmp_path: Path) -> None:
    broker = Broker(tmp_path)
    broker.start()
    settings = site.settings.model_copy(update={"mqtt_url": broker.url})
    worker = MqttIngest(
        settings, make_session_factory(site.engine), build_bus(), client_id=f"rs-{site.site}"
    )
    worker.start()
    try:
        broker.stop()
        broker.start()  # Mosquitto 2.0 does not restore the shared subscription itself
        pub = _publisher(broker.url)
        topic = device_topic(site.site, "wl-0", "telemetry")
        probes = iter(range(10_000))

        def probe_stored() -> bool:  # published until one arrives: subscribed again
            payload = _payload(site.tokens["wl-0"], next(probes))
            pub.publish(topic, payload, qos=1).wait_for_publish(5)  # type: ignore[attr-defined]
            return site.count(Reading) > 0

        assert _wait(probe_stored, 30)
        _publish_all(pub, site, 200, "wl-2")
        assert _wait(lambda: _stored_for(site, "wl-2") == 200)
    finally:
        worker.stop()
        broker.stop()


def test_ingest_through_the_demo_broker(site: Site) -> None:
    """The embedded broker speaks MQTT 3.1.1 only: one worker, no shared subscription."""
    broker = EmbeddedBroker(port=free_port())
    broker.start()
    settings = site.settings.model_copy(update={"mqtt_url": broker.url})
    worker = MqttIngest(
        settings, make_session_factory(site.engine), build_bus(), client_id=f"demo-{site.site}"
    )
    worker.start()
    try:
        pub = _publisher(broker.url)
        _publish_all(pub, site, 30, "wl-2")
        assert _wait(lambda: site.count(Reading) == 30)
    finally:
        worker.stop()
        broker.stop()
