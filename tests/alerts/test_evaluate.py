"""Rules evaluated on real ingest: hysteresis, de-duplication, rate of change, atomicity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from smartcity.alerts.evaluate import advance
from smartcity.alerts.events import AlertRaised, AlertResolved
from smartcity.alerts.models import Alert, RuleState
from smartcity.alerts.rules import CACHE
from smartcity.devices.models import Reading
from smartcity.events import UnitOfWork
from tests.alerts.conftest import INGEST, MakeRule, Post, ago
from tests.devices.conftest import MakeDevice


def alerts_of(uow: UnitOfWork, rule_id: int) -> list[Alert]:
    """Every alert of a rule, oldest first, as committed."""
    uow.session.expire_all()
    stmt = select(Alert).where(Alert.rule_id == rule_id).order_by(Alert.id)
    return list(uow.session.scalars(stmt))


def flood_rule(make_rule: MakeRule) -> Any:
    """The town's flood rule on every water-level gauge."""
    return make_rule(
        kind="threshold",
        metric="level_m",
        operator=">=",
        threshold=9.83,
        clear_threshold=9.70,
        device_kind="water_level",
        severity="critical",
    )


def test_threshold_hysteresis_and_dedup(
    uow: UnitOfWork, make_device: MakeDevice, make_rule: MakeRule, post: Post, seen: list[Any]
) -> None:
    gauge = make_device("wl-town")
    rule = flood_rule(make_rule)
    post(gauge, {"level_m": 9.80}, ago(50))
    assert alerts_of(uow, rule.id) == []
    post(gauge, {"level_m": 9.85}, ago(40))
    post(gauge, {"level_m": 9.90}, ago(35))  # still above: no second alert
    post(gauge, {"level_m": 9.75}, ago(30))  # between clear and raise: stays open
    post(gauge, {"level_m": 9.84}, ago(25))  # back above: still the same alert
    [alert] = alerts_of(uow, rule.id)
    assert alert.status == "raised" and alert.value == 9.85 and alert.severity == "critical"
    post(gauge, {"level_m": 9.65}, ago(20))  # below the clear threshold: resolved
    [alert] = alerts_of(uow, rule.id)
    assert alert.status == "resolved" and alert.auto_resolved and alert.resolved_value == 9.65
    assert alert.resolved_by == "system"
    post(gauge, {"level_m": 9.83}, ago(10))  # a new crossing is a new alert
    alerts = alerts_of(uow, rule.id)
    assert [a.status for a in alerts] == ["resolved", "raised"]
    kinds = [type(e).__name__ for e in seen if isinstance(e, AlertRaised | AlertResolved)]
    assert kinds == ["AlertRaised", "AlertResolved", "AlertRaised"]
    raised = next(e for e in seen if isinstance(e, AlertRaised))
    assert raised.device_code == "wl-town" and raised.metric == "level_m"
    assert raised.name_th == "กฎทดสอบ" and raised.rule_kind == "threshold"
    # The event says where the gauge stands, so handlers need not look the device up again.
    assert (raised.lat, raised.lon) == (gauge.device.lat, gauge.device.lon)


def test_scope_device_kind_and_zone(
    uow: UnitOfWork,
    geo_sample: Any,
    make_device: MakeDevice,
    make_rule: MakeRule,
    post: Post,
) -> None:
    here, there = make_device("wl-a"), make_device("wl-b", lat=16.43, lon=100.3455)
    air = make_device("aq-a", "air_quality")
    assert here.device.zone_id is not None
    by_device = make_rule(
        kind="threshold", metric="level_m", operator=">", threshold=5, scope="device",
        device_id=there.device.id,
    )  # fmt: skip
    by_zone = make_rule(
        kind="threshold", metric="level_m", operator=">", threshold=5, scope="zone",
        zone_id=here.device.zone_id,
    )  # fmt: skip
    by_kind = make_rule(
        kind="threshold", metric="pm25", operator=">", threshold=50, device_kind="air_quality"
    )
    post(here, {"level_m": 6.0})
    post(there, {"level_m": 6.0})
    post(air, {"pm25": 60.0, "pm10": 70.0})
    assert [a.device_id for a in alerts_of(uow, by_device.id)] == [there.device.id]
    zone_alerts = alerts_of(uow, by_zone.id)
    assert here.device.id in [a.device_id for a in zone_alerts]
    assert all(a.zone_id == here.device.zone_id for a in zone_alerts)
    assert [a.device_id for a in alerts_of(uow, by_kind.id)] == [air.device.id]


def test_rate_of_change_over_the_window(
    uow: UnitOfWork, make_device: MakeDevice, make_rule: MakeRule, post: Post, seen: list[Any]
) -> None:
    gauge = make_device("wl-rate")
    rule = make_rule(
        kind="rate_of_change",
        metric="level_m",
        operator=">",
        threshold=0.10,
        clear_threshold=0.02,
        window_minutes=30,
        device_kind="water_level",
    )
    t0 = datetime.now(UTC) - timedelta(minutes=60)

    def at(minutes: int) -> str:
        return (t0 + timedelta(minutes=minutes)).isoformat()

    post(gauge, {"level_m": 8.00}, at(0))
    post(gauge, {"level_m": 8.05}, at(10))
    assert alerts_of(uow, rule.id) == []  # 10 minutes is under half the window: no rate yet
    post(gauge, {"level_m": 8.10}, at(20))  # +0.10 m in 20 min = 0.30 m/h
    [alert] = alerts_of(uow, rule.id)
    assert alert.status == "raised" and alert.value == pytest.approx(0.30)
    post(gauge, {"level_m": 8.10}, at(30))
    post(gauge, {"level_m": 8.10}, at(40))  # flat over the last 20 minutes
    [alert] = alerts_of(uow, rule.id)
    assert alert.status == "resolved" and alert.resolved_value == pytest.approx(0.0)
    state = uow.session.get(RuleState, (rule.id, gauge.device.id))
    assert state is not None and state.b_value == 8.10


def test_advance_ignores_late_readings_and_restarts_after_a_gap() -> None:
    state = RuleState(
        rule_id=1, device_id=1, a_ts_ms=0, a_value=1.0, b_ts_ms=None, b_value=None, last_ts_ms=0
    )
    window = 3_600_000
    assert advance(state, 600_000, 1.1, window) is None  # 10 min: under half the window
    assert advance(state, 1_800_000, 1.5, window) == pytest.approx(1.0)  # +0.5 in 30 min
    assert advance(state, 1_000_000, 9.9, window) is None  # late: ignored
    assert state.last_ts_ms == 1_800_000
    assert advance(state, 1_800_000 + 2 * window, 5.0, window) is None  # long gap: start again
    assert (state.a_ts_ms, state.a_value, state.b_ts_ms) == (1_800_000 + 2 * window, 5.0, None)


def test_alert_commits_with_the_readings_or_not_at_all(
    app: FastAPI,
    client: TestClient,
    uow: UnitOfWork,
    make_device: MakeDevice,
    make_rule: MakeRule,
) -> None:
    gauge = make_device("wl-atomic")
    rule = flood_rule(make_rule)

    def explode(_uow: UnitOfWork, _event: AlertRaised) -> None:
        raise RuntimeError("a subscriber failed inside the ingest transaction")

    app.state.bus.subscribe(AlertRaised, explode, "in_transaction")
    batch = {"readings": [{"device": "wl-atomic", "values": {"level_m": 10.0}}]}
    r = client.post(INGEST, json=batch, headers=gauge.headers)
    assert r.status_code == 500
    count = select(func.count()).select_from(Reading).where(Reading.device_id == gauge.device.id)
    assert uow.session.scalar(count) == 0 and alerts_of(uow, rule.id) == []


def test_alert_is_visible_when_ingest_answers(
    client: TestClient, uow: UnitOfWork, make_device: MakeDevice, make_rule: MakeRule
) -> None:
    gauge = make_device("wl-visible")
    rule = flood_rule(make_rule)
    batch = {"readings": [{"device": "wl-visible", "values": {"level_m": 10.0}}]}
    assert client.post(INGEST, json=batch, headers=gauge.headers).status_code == 200
    [alert] = alerts_of(uow, rule.id)
    count = select(func.count()).select_from(Reading).where(Reading.device_id == gauge.device.id)
    assert uow.session.scalar(count) == 1 and alert.value == 10.0


def test_rule_cache_reloads_only_after_a_rule_write(
    uow: UnitOfWork, make_device: MakeDevice, make_rule: MakeRule, post: Post
) -> None:
    gauge = make_device("wl-cache")
    flood_rule(make_rule)
    post(gauge, {"level_m": 1.0})
    loads = CACHE.loads
    post(gauge, {"level_m": 1.1})
    post(gauge, {"level_m": 1.2})
    assert CACHE.loads == loads  # same token: no reload
    rule = make_rule(
        kind="threshold", metric="level_m", operator=">", threshold=1.25, device_kind="water_level"
    )
    post(gauge, {"level_m": 1.3})
    assert CACHE.loads == loads + 1
    assert [a.value for a in alerts_of(uow, rule.id)] == [1.3]
