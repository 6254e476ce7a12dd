"""No-data alerts from the background sweeper, device-offline alerts, and the sample rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from smartcity.alerts import sample
from smartcity.alerts.models import Alert
from smartcity.alerts.tasks import sweep_no_data
from smartcity.config import Settings
from smartcity.devices import health
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.runtime import Background
from tests.alerts.conftest import MakeRule, Post, ago
from tests.devices.conftest import MakeDevice


def alerts_of(uow: UnitOfWork, rule_id: int) -> list[Alert]:
    """Every alert of a rule, oldest first, as committed."""
    uow.session.expire_all()
    stmt = select(Alert).where(Alert.rule_id == rule_id).order_by(Alert.id)
    return list(uow.session.scalars(stmt))


def test_no_data_raised_by_the_sweeper_and_cleared_by_a_reading(
    app: FastAPI,
    settings: Settings,
    session_factory: sessionmaker[Session],
    uow: UnitOfWork,
    make_device: MakeDevice,
    make_rule: MakeRule,
    post: Post,
) -> None:
    quiet, chatty = make_device("wl-quiet"), make_device("wl-chatty")
    rule = make_rule(kind="no_data", metric="level_m", window_minutes=30, device_kind="water_level")
    post(quiet, {"level_m": 8.0}, ago(45))
    post(chatty, {"level_m": 8.0}, ago(5))
    background = Background(settings, session_factory, app.state.bus)
    assert sweep_no_data in background.sweeper.jobs
    background.sweeper.run_once()
    [alert] = alerts_of(uow, rule.id)
    assert alert.device_id == quiet.device.id and alert.value is None
    background.sweeper.run_once()  # idempotent
    assert len(alerts_of(uow, rule.id)) == 1
    post(quiet, {"level_m": 8.1})  # data is back: resolved in the ingest transaction
    [alert] = alerts_of(uow, rule.id)
    assert alert.status == "resolved" and alert.auto_resolved


def test_new_device_gets_a_full_window_before_no_data(
    uow: UnitOfWork, make_device: MakeDevice, make_rule: MakeRule
) -> None:
    fresh = make_device("wl-new")
    rule = make_rule(
        kind="no_data", metric="level_m", window_minutes=30, scope="device",
        device_id=fresh.device.id,
    )  # fmt: skip
    assert sweep_no_data(uow) == []
    later = sweep_no_data(uow, utcnow() + timedelta(minutes=31))
    assert [a.id for a in alerts_of(uow, rule.id)] == later and len(later) == 1


def test_offline_raises_once_and_resolves_on_return(
    uow: UnitOfWork, make_device: MakeDevice, make_rule: MakeRule, post: Post, seen: list[Any]
) -> None:
    camera = make_device("cam-01", "camera")
    speaker = make_device("spk-01", "speaker")
    rule = make_rule(kind="device_offline", device_kind="camera", severity="warning")
    post(camera, {})
    post(speaker, {})
    later = utcnow() + timedelta(hours=2)
    health.mark_offline(uow, later)
    health.mark_offline(uow, later + timedelta(minutes=5))
    uow.commit()
    [alert] = alerts_of(uow, rule.id)
    assert alert.device_id == camera.device.id and alert.status == "raised"
    post(camera, {})  # heard again: online, resolved
    [alert] = alerts_of(uow, rule.id)
    assert alert.status == "resolved" and alert.auto_resolved


def test_sample_rules_load_once_and_flood_rule_fires_at_9_83(
    uow: UnitOfWork, make_device: MakeDevice, post: Post
) -> None:
    added = sample.load_sample_rules(uow)
    uow.commit()
    assert len(added) == 6 and all(r.is_sample for r in added)
    assert sample.load_sample_rules(uow) == []
    flood = next(r for r in added if r.threshold == 9.83)
    assert flood.severity == "critical" and "8 เครื่อง" in flood.name_th
    gauge = make_device("wl-nan-02")
    post(gauge, {"level_m": 9.82}, ago(10))
    assert alerts_of(uow, flood.id) == []
    post(gauge, {"level_m": 9.83}, ago(5))
    assert [a.value for a in alerts_of(uow, flood.id)] == [9.83]
