"""A live city for delivery tests: a private Mosquitto that can be restarted, the app served by
uvicorn with its background work, speakers registered in the sample PA zone, real speaker-agent
processes and a recorder of every acknowledgement on the broker.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn, MembershipIn, UserIn
from smartcity.app import create_app
from smartcity.broadcast.delivery_policy import get_delivery_settings
from smartcity.broadcast.models import Announcement
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.config import Settings
from smartcity.devices import service as devices
from smartcity.devices.schemas import DeviceIn
from smartcity.events import Actor, UnitOfWork
from smartcity.geo import service as geo
from smartcity.integrations.mqtt import BrokerAddress, connect, make_client
from smartcity.runtime import Background
from tests.broadcast.support import announcement
from tests.support import Broker, free_port, fresh_database

# Inside the sample pa-west zone (and only there).
WEST = (16.4471, 100.3395)
# Plays in real time to a null output: no sound card, but a long file takes its length.
TEST_PLAYER = "ffmpeg -nostdin -loglevel error -re -i {file} -f null -"


@dataclass
class Acks:
    """Every ack seen on the broker, in arrival order: (device, command, status, reason)."""

    items: list[tuple[str, str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, topic: str, payload: bytes) -> None:
        """Record one ack message."""
        body = json.loads(payload)
        with self.lock:
            self.items.append(
                (topic.split("/")[3], body["id"], body["status"], body.get("reason", ""))
            )

    def of(self, device: str) -> list[tuple[str, str, str]]:
        """(command, status, reason) of one device, in order; repeats of a final answer
        (resent after a reconnect, which the protocol allows) are left out."""
        found: list[tuple[str, str, str]] = []
        finals: set[str] = set()
        with self.lock:
            for d, c, s, r in self.items:
                if d != device or c in finals:
                    continue
                if s in ("succeeded", "failed"):
                    finals.add(c)
                found.append((c, s, r))
        return found


@dataclass
class City:
    """Everything a delivery test drives."""

    tmp: Path
    broker: Broker
    settings: Settings
    base: str
    http: httpx.Client
    background: Background
    session_factory: Any
    bus: Any
    tokens: dict[str, str]
    zones: dict[str, int]
    acks: Acks
    agency_id: int
    agents: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def uow(self) -> UnitOfWork:
        """A unit of work on the live database (commit it yourself)."""
        return UnitOfWork(self.session_factory(), self.bus, Actor.system("test"))

    def add_speaker(self, code: str, at: tuple[float, float] = WEST) -> None:
        """Register a speaker and keep its token."""
        uow = self.uow()
        data = DeviceIn(
            code=code, kind="speaker", name_th=code, lat=at[0], lon=at[1], agency_id=self.agency_id
        )
        self.tokens[code] = devices.create_device(uow, self.settings, data)[1].token
        uow.commit()
        uow.session.close()

    def announcement(self, title: str, seconds: float, priority: str = "routine") -> Announcement:
        """An approved announcement with real audio (a sox tone), in the west zone."""
        uow = self.uow()
        row = announcement(
            uow,
            self.settings.data_dir,
            BroadcastSettings(),
            title=title,
            priority=priority,
            seconds=seconds,
        )
        row.zone_ids = [self.zones["pa-west"]]
        uow.commit()
        uow.session.refresh(row)
        uow.session.expunge(row)
        uow.session.close()
        return row

    def agent(self, code: str, *extra: str) -> None:
        """Start a real speaker-agent process for a registered speaker."""
        log = (self.tmp / f"{code}.log").open("ab")
        self.agents[code] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "smartcity.broadcast.agent",
                "--code",
                code,
                "--token",
                self.tokens[code],
                "--mqtt-url",
                self.broker.url,
                "--site",
                self.settings.site_code,
                "--cache-dir",
                str(self.tmp / f"cache-{code}"),
                "--player",
                TEST_PLAYER,
                "--heartbeat",
                "2",
                *extra,
            ],
            stdout=log,
            stderr=log,
        )

    def wait_connected(self, codes: list[str]) -> None:
        """Wait until each agent has sent its first heartbeat (it is subscribed by then)."""
        wait_for(lambda: all(self.online(c) for c in codes), 30, "agents to connect")

    def online(self, code: str) -> bool:
        """True once the platform has heard the speaker's heartbeat."""
        with self.session_factory() as session:
            device = devices.find_device(session, code)
            return bool(device and device.last_seen_at)

    def send(self, announcement_id: int, zone: str = "pa-west") -> dict[str, Any]:
        """Send over the REST API; returns the delivery report."""
        r = self.http.post(
            f"/api/broadcast/announcements/{announcement_id}/send",
            json={"zone_ids": [self.zones[zone]]},
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    def report(self, delivery_id: int) -> dict[str, Any]:
        """The delivery report over the REST API."""
        r = self.http.get(f"/api/broadcast/deliveries/{delivery_id}")
        assert r.status_code == 200, r.text
        return dict(r.json())

    def settle(self, delivery_id: int, timeout: float = 90) -> dict[str, Any]:
        """Run the sweeper until the delivery is finished; returns its report."""

        def done() -> bool:
            self.background.sweeper.run_once()
            return self.report(delivery_id)["delivery"]["status"] == "done"

        wait_for(done, timeout, f"delivery {delivery_id} to finish", every=0.5)
        return self.report(delivery_id)

    def statuses(self, code: str) -> list[str]:
        """The statuses one agent acknowledged, in order."""
        return [s for _, s, _ in self.acks.of(code)]


def wait_for(check: Callable[[], bool], timeout: float, what: str, every: float = 0.1) -> None:
    """Poll until ``check`` holds; fail naming what never happened."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def live_city(tmp: Path) -> Iterator[City]:
    """Start the broker, the database, the server and the background work; stop them after."""
    broker = Broker(tmp)
    broker.start()
    try:
        with fresh_database(tmp) as (engine, db_url):
            yield from _serve(tmp, broker, engine, db_url)
    finally:
        broker.stop()


def _serve(tmp: Path, broker: Broker, engine: Any, db_url: str) -> Iterator[City]:
    port, tag = free_port(), uuid.uuid4().hex[:6]
    data_dir = tmp / "data"
    data_dir.mkdir()
    settings = Settings(
        mode="test",
        database_url=db_url,
        data_dir=data_dir,
        mqtt_url=broker.url,
        mqtt_client_id=f"bc-{tag}",
        mqtt_share_group=f"g{tag}",
        public_url=f"http://127.0.0.1:{port}",
        cookie_secure=False,
    )
    get_delivery_settings.cache_clear()
    app = create_app(settings, engine)
    factory, bus = app.state.session_factory, app.state.bus
    with factory() as session:
        uow = UnitOfWork(session, bus, Actor.system("test"))
        geo.load_sample(uow)
        agency = accounts.create_agency(
            uow, AgencyIn(code="pa-team", name_th="งานเสียงตามสาย", kind="other")
        )
        user = accounts.create_user(
            uow,
            UserIn(
                username="op1",
                full_name="Operator",
                password="a-long-password-1",
                memberships=[MembershipIn(agency_id=agency.id, role="operator")],
            ),
        )
        plain, _ = accounts.create_token(uow, settings, user.id, "test")
        zones = {z.code: z.id for z in geo.list_zones(session, _all())[0]}
        agency_id = agency.id
        uow.commit()
    background = Background(settings, factory, bus)
    background.start()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, 20, "the live server")
    acks = Acks()
    recorder = make_client(BrokerAddress.from_url(broker.url), f"recorder-{tag}")
    recorder.on_connect = lambda c, *_: c.subscribe(f"city/{settings.site_code}/devices/+/acks", 1)
    recorder.on_message = lambda _c, _u, m: acks.add(m.topic, m.payload)
    recorder.reconnect_delay_set(1, 2)
    connect(recorder, BrokerAddress.from_url(broker.url), persistent=True)
    recorder.loop_start()
    http = httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {plain}"},
        timeout=30,
    )
    city = City(
        tmp,
        broker,
        settings,
        f"http://127.0.0.1:{port}",
        http,
        background,
        factory,
        bus,
        {},
        zones,
        acks,
        agency_id,
    )
    try:
        yield city
    finally:
        for proc in city.agents.values():
            proc.terminate()
        for proc in city.agents.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        recorder.loop_stop()
        recorder.disconnect()
        http.close()
        server.should_exit = True
        thread.join(timeout=10)
        background.stop()
        get_delivery_settings.cache_clear()


def _all() -> Any:
    from smartcity.kit.pagination import PageParams

    return PageParams(1, 200)


def set_policy(monkeypatch: Any, **values: object) -> None:
    """Delivery settings for one test (read from the environment, cached per process)."""
    for name, value in values.items():
        monkeypatch.setenv(f"SMARTCITY_BROADCAST_DELIVERY_{name.upper()}", str(value))
    get_delivery_settings.cache_clear()
