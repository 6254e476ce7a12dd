"""The alerts REST API: rules CRUD and validation, lifecycle, filters, zone scope, permissions."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from smartcity.alerts.events import AlertAcknowledged, AlertResolved
from smartcity.audit.models import AuditEntry
from smartcity.events import RecordChanged, UnitOfWork
from tests.alerts.conftest import MakeRule, Post
from tests.devices.conftest import Issued, MakeDevice

RULES = "/api/alerts/rules"
PROBLEM = "application/problem+json"
FLOOD: dict[str, Any] = {
    "name_th": "น้ำท่วม",
    "name_en": "Flood",
    "kind": "threshold",
    "metric": "level_m",
    "operator": ">=",
    "threshold": 9.83,
    "clear_threshold": 9.7,
    "scope": "kind",
    "device_kind": "water_level",
    "severity": "critical",
}


def raise_one(make_device: MakeDevice, make_rule: MakeRule, post: Post, code: str) -> Issued:
    """A gauge with an open flood alert."""
    gauge = make_device(code)
    make_rule(**FLOOD)
    post(gauge, {"level_m": 10.0})
    return gauge


def test_rules_crud(client: TestClient, as_role: Any, seen: list[Any]) -> None:
    h = as_role("operator")
    r = client.post(RULES, json=FLOOD, headers=h)
    assert r.status_code == 201, r.text
    rule = r.json()
    assert rule["clear_threshold"] == 9.7 and rule["window_minutes"] is None
    assert client.get(f"{RULES}/{rule['id']}", headers=h).json()["name_en"] == "Flood"
    listed = client.get(RULES, params={"kind": "threshold"}, headers=h).json()
    assert [x["id"] for x in listed["items"]] == [rule["id"]] and listed["total"] == 1
    changed = client.put(f"{RULES}/{rule['id']}", json=FLOOD | {"threshold": 10.0}, headers=h)
    assert changed.status_code == 200 and changed.json()["threshold"] == 10.0
    assert client.delete(f"{RULES}/{rule['id']}", headers=h).status_code == 204
    assert client.get(f"{RULES}/{rule['id']}", headers=h).status_code == 404
    actions = [e.action for e in seen if isinstance(e, RecordChanged)]
    assert actions[-3:] == ["alert_rule.created", "alert_rule.updated", "alert_rule.deleted"]


def test_bad_rules_are_refused_in_both_languages(client: TestClient, as_role: Any) -> None:
    h = as_role("admin")
    cases: list[tuple[dict[str, Any], str]] = [
        (FLOOD | {"operator": None}, "operator"),
        (FLOOD | {"threshold": None}, "threshold"),
        (FLOOD | {"clear_threshold": 10.0}, "clear_threshold"),
        (FLOOD | {"kind": "rate_of_change"}, "window_minutes"),
        (FLOOD | {"scope": "device"}, "device_id"),
        (FLOOD | {"scope": "device", "device_id": 999_999}, "device_id"),
        (FLOOD | {"scope": "zone", "zone_id": 999_999}, "zone_id"),
        (FLOOD | {"metric": ""}, "metric"),
        (FLOOD | {"operator": "=="}, "operator"),
        (FLOOD | {"severity": "panic"}, "severity"),
        (FLOOD | {"metric": "Level M"}, "metric"),
        (FLOOD | {"window_minutes": 0}, "window_minutes"),
        (FLOOD | {"surprise": 1}, "surprise"),
    ]
    for body, field in cases:
        r = client.post(RULES, json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == PROBLEM
        problem = r.json()
        assert problem["detail_th"] and problem["title_th"] == "ข้อมูลไม่ถูกต้อง"
        assert field in [e["field"] for e in problem["errors"]], (field, problem)
    r = client.post(RULES, content=b"{not json", headers=h | {"content-type": "application/json"})
    assert r.status_code == 400


def test_acknowledge_and_resolve_with_who_and_when(
    client: TestClient,
    uow: UnitOfWork,
    as_role: Any,
    make_device: MakeDevice,
    make_rule: MakeRule,
    post: Post,
    seen: list[Any],
) -> None:
    raise_one(make_device, make_rule, post, "wl-life")
    h = as_role("operator")
    [alert] = client.get("/api/alerts", params={"status": "open"}, headers=h).json()["items"]
    assert alert["rule_name_en"] == "Flood" and alert["status"] == "raised"
    url = f"/api/alerts/{alert['id']}"
    r = client.post(f"{url}/acknowledge", json={"note": "ทีมกำลังไป"}, headers=h)
    assert r.status_code == 200, r.text
    acked = r.json()
    assert acked["status"] == "acknowledged" and acked["ack_note"] == "ทีมกำลังไป"
    assert acked["acknowledged_by"].startswith("operator") and acked["acknowledged_at"]
    again = client.post(f"{url}/acknowledge", json={}, headers=h)
    assert again.status_code == 409 and again.json()["detail_th"]
    assert client.post(f"{url}/resolve", json={}, headers=h).status_code == 422  # note required
    done = client.post(f"{url}/resolve", json={"note": "pumps running"}, headers=h).json()
    assert done["status"] == "resolved" and not done["auto_resolved"]
    assert done["resolve_note"] == "pumps running" and done["resolved_by"].startswith("operator")
    assert client.post(f"{url}/resolve", json={"note": "x"}, headers=h).status_code == 409
    assert client.get(url, headers=h).json()["resolved_at"]  # history kept
    ack = next(e for e in seen if isinstance(e, AlertAcknowledged))
    resolved = next(e for e in seen if isinstance(e, AlertResolved))
    assert ack.note == "ทีมกำลังไป" and resolved.by == done["resolved_by"] and not resolved.auto
    audit = uow.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "alert")
    ).all()
    assert list(audit) == ["alert.acknowledged", "alert.resolved"]


def test_filters_summary_and_sse(
    client: TestClient, as_role: Any, make_device: MakeDevice, make_rule: MakeRule, post: Post
) -> None:
    gauge = raise_one(make_device, make_rule, post, "wl-sum")
    air = make_device("aq-sum", "air_quality")
    make_rule(
        kind="threshold", metric="pm25", operator=">", threshold=50, device_kind="air_quality"
    )
    post(air, {"pm25": 80.0, "pm10": 90.0})
    h = as_role("police")  # read-only role
    crit = client.get("/api/alerts", params={"severity": "critical"}, headers=h).json()
    assert [a["device_code"] for a in crit["items"]] == ["wl-sum"]
    mine = client.get("/api/alerts", params={"device_id": gauge.device.id}, headers=h).json()
    assert mine["total"] == 1
    future = client.get("/api/alerts", params={"since": "2999-01-01T00:00:00Z"}, headers=h)
    assert future.json()["total"] == 0
    assert client.get("/api/alerts", params={"status": "nonsense"}, headers=h).status_code == 422
    naive = client.get("/api/alerts", params={"since": "2026-01-01T00:00:00"}, headers=h)
    assert naive.status_code == 422 and naive.json()["detail_th"]
    summary = client.get("/api/alerts/summary", headers=h).json()
    assert summary["open"] == 2 and summary["raised"] == 2
    assert summary["by_severity"] == {"info": 0, "warning": 1, "critical": 1}
    sse = client.get("/api/alerts/summary/events", headers=h)
    assert sse.headers["content-type"].startswith("text/event-stream")
    assert sse.text.startswith("retry: 5000\nevent: summary\ndata: {") and '"open":2' in sse.text


def test_permissions_and_zone_scope(
    client: TestClient,
    geo_sample: Any,
    as_role: Any,
    make_device: MakeDevice,
    make_rule: MakeRule,
    post: Post,
) -> None:
    gauge = raise_one(make_device, make_rule, post, "wl-perm")
    zone = gauge.device.zone_id
    assert zone is not None
    assert client.get("/api/alerts").status_code == 401
    police = as_role("police")
    [alert] = client.get("/api/alerts", headers=police).json()["items"]
    url = f"/api/alerts/{alert['id']}"
    assert client.post(f"{url}/acknowledge", json={}, headers=police).status_code == 403
    assert client.post(RULES, json=FLOOD, headers=police).status_code == 403
    assert client.post(RULES, json=FLOOD, headers=as_role("technician")).status_code == 403
    elsewhere = as_role("operator", zones=[zone + 1000])
    assert client.get("/api/alerts", headers=elsewhere).json()["total"] == 0
    assert client.get(url, headers=elsewhere).status_code == 404
    assert client.post(f"{url}/acknowledge", json={}, headers=elsewhere).status_code == 404
    assert client.get("/api/alerts/summary", headers=elsewhere).json()["open"] == 0
    assert client.post(RULES, json=FLOOD, headers=elsewhere).status_code == 403  # kind-wide
    local = as_role("operator", zones=[zone])
    assert client.post(f"{url}/acknowledge", json={}, headers=local).status_code == 200
    in_zone = FLOOD | {"scope": "zone", "zone_id": zone}
    assert client.post(RULES, json=in_zone, headers=local).status_code == 201


def test_disable_resolves_open_alerts_and_delete_keeps_history(
    client: TestClient,
    as_role: Any,
    make_device: MakeDevice,
    make_rule: MakeRule,
    post: Post,
) -> None:
    raise_one(make_device, make_rule, post, "wl-off")
    h = as_role("admin")
    [rule] = client.get(RULES, headers=h).json()["items"]
    assert client.delete(f"{RULES}/{rule['id']}", headers=h).status_code == 409
    off = client.put(f"{RULES}/{rule['id']}", json=FLOOD | {"enabled": False}, headers=h)
    assert off.status_code == 200
    [alert] = client.get("/api/alerts", params={"rule_id": rule["id"]}, headers=h).json()["items"]
    assert alert["status"] == "resolved" and alert["resolve_note"] == "Rule disabled."
