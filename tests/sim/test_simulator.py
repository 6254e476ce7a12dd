"""The simulator: realistic shapes, a repeatable fleet, and readings that really arrive."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from smartcity.app import build_bus
from smartcity.config import Settings
from smartcity.db import make_session_factory
from smartcity.devices import commands
from smartcity.devices import service as devices
from smartcity.devices.models import Device, Reading
from smartcity.devices.mqtt_ingest import MqttIngest
from smartcity.events import Actor, UnitOfWork
from smartcity.kit.pagination import PageParams
from smartcity.runtime import Background
from smartcity.sim.fleet import MIX, ensure_fleet, kind_of
from smartcity.sim.models import SimDevice, is_silent, pm25, river_level, values
from smartcity.sim.runner import Simulator
from tests.support import fresh_database, mosquitto


def test_flood_wave_crosses_the_action_level_and_recedes() -> None:
    levels = [river_level(h * 3600.0) for h in range(13)]
    assert max(levels) > 9.83 > levels[0]  # the town's pump threshold is crossed...
    assert levels[-1] < 9.0  # ...and the river falls back
    assert levels.index(max(levels)) == 6


def test_pm25_has_traffic_peaks() -> None:
    at = lambda hour: pm25(hour * 3600.0)  # noqa: E731
    assert at(8) > at(13) < at(19)
    assert all(0 < pm25(h * 600.0) < 200 for h in range(144))


def test_values_fit_each_kind_and_silence() -> None:
    gauge = SimDevice("g", "water_level", "t", 0, silent_after=100.0)
    assert set(values(gauge, 0)) == {"level_m", "battery"}
    assert not is_silent(gauge, 99.0) and is_silent(gauge, 100.0)
    assert set(values(SimDevice("a", "air_quality", "t"), 0)) >= {"pm25", "pm10"}


def test_kind_mix_follows_the_shares() -> None:
    kinds = [kind_of(i, 100) for i in range(100)]
    for kind, share in MIX:
        assert kinds.count(kind) == round(share * 100)


def test_simulated_readings_are_ingested(tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6]
    with mosquitto(tmp_path) as url, fresh_database(tmp_path) as (engine, db_url):
        settings = Settings(
            mode="test", database_url=db_url, mqtt_url=url, mqtt_share_group=f"g{tag}"
        )
        factory = make_session_factory(engine)
        with factory() as session:
            uow = UnitOfWork(session, build_bus(), Actor.system("test"))
            fleet = ensure_fleet(uow, settings, 20)
            again = ensure_fleet(uow, settings, 20)  # idempotent; tokens re-issued
            uow.commit()
            assert session.scalar(select(func.count()).select_from(Device)) == 20
        assert [d.code for d in again] == [d.code for d in fleet]
        assert again[0].token != fleet[0].token
        worker = MqttIngest(settings, factory, build_bus(), client_id=f"sim-{tag}")
        worker.start()
        time.sleep(0.5)
        simulator = Simulator(url, settings.site_code, again, rate=200.0)
        simulator.run(seconds=1.0)
        deadline = time.monotonic() + 15
        while worker.stats.received < simulator.stats.published and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.stop()
        assert simulator.stats.published >= 100
        assert worker.stats.received == simulator.stats.published
        assert worker.stats.dead == 0  # every simulated message is valid for its kind
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Reading)).scalar_one() > 0


@contextmanager
def _speakers(
    tmp_path: Path, speed: float = 60.0
) -> Iterator[tuple[Any, Any, list[Any], Simulator]]:
    """Two simulated speakers answering on a private broker, with the platform's background."""
    tag = uuid.uuid4().hex[:6]
    with mosquitto(tmp_path) as url, fresh_database(tmp_path) as (engine, db_url):
        settings = Settings(
            mode="test",
            database_url=db_url,
            mqtt_url=url,
            mqtt_share_group=f"g{tag}",
            mqtt_client_id=f"sim-cmd-{tag}",
        )
        bus = build_bus(settings)
        factory = make_session_factory(engine)
        with factory() as session:
            uow = UnitOfWork(session, bus, Actor.system("test"))
            fleet = [d for d in ensure_fleet(uow, settings, 40) if d.kind == "speaker"][:2]
            uow.commit()
        background = Background(settings, factory, bus)
        background.start()
        simulator = Simulator(url, settings.site_code, fleet, rate=5.0, speed=speed)
        simulator.start()
        time.sleep(0.8)
        try:
            yield factory, bus, fleet, simulator
        finally:
            simulator.stop()
            background.stop()


def _send(factory: Any, bus: Any, fleet: list[Any], command: str, params: dict[str, Any]) -> str:
    """Queue a command to every simulated speaker; returns its batch."""
    with factory() as session:
        uow = UnitOfWork(session, bus, Actor.system("test"))
        targets = [devices.find_device(session, d.code) for d in fleet]
        rows = commands.send(uow, [t for t in targets if t], command, params, 60)
        uow.commit()
    return str(rows[0].batch)


def _wait_summary(factory: Any, batch: str, wanted: dict[str, int]) -> dict[str, int]:
    deadline, summary = time.monotonic() + 20, {}
    while time.monotonic() < deadline:
        with factory() as session:
            summary = commands.batch_summary(session, batch)
        if summary == wanted:
            break
        time.sleep(0.2)
    return summary


def test_simulated_speakers_answer_commands(tmp_path: Path) -> None:
    with _speakers(tmp_path) as (factory, bus, fleet, simulator):
        batch = _send(factory, bus, fleet, "play", {"duration": 30})
        assert _wait_summary(factory, batch, {"succeeded": 2}) == {"succeeded": 2}
        assert simulator.stats.commands == 2


def test_simulated_speakers_obey_stop(tmp_path: Path) -> None:
    """In real time a 30 s play is still under way when the operator's stop arrives."""
    with _speakers(tmp_path, speed=1.0) as (factory, bus, fleet, _simulator):
        play = _send(factory, bus, fleet, "play", {"duration": 30, "announcement_id": 5})
        assert _wait_summary(factory, play, {"started": 2}) == {"started": 2}
        stop = _send(factory, bus, fleet, "stop", {"announcement_id": 5})
        assert _wait_summary(factory, stop, {"succeeded": 2}) == {"succeeded": 2}
        assert _wait_summary(factory, play, {"failed": 2}) == {"failed": 2}
        with factory() as session:
            rows, _ = commands.search(session, PageParams(1, 10), batch=play)
        assert {r.reason for r in rows} == {"stopped by operator"}
