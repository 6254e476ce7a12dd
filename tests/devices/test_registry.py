"""The device registry through the REST API: CRUD, search, filters, paging, scopes, credentials."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from smartcity.accounts.models import Agency
from smartcity.audit.models import AuditEntry
from smartcity.config import Settings
from smartcity.devices import service as devices
from smartcity.devices.models import Device
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.geo.schemas import ImportReport
from smartcity.kit.crypto import keyed_hash
from tests.devices.conftest import MakeDevice
from tests.devices.support import bearer, reading

PROBLEM = "application/problem+json"


def _body(agency_id: int, code: str = "wl-nan-01", **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "kind": "water_level",
        "name_th": "สถานีวัดระดับน้ำน่าน",
        "name_en": "Nan gauge",
        "lat": 16.4480,
        "lon": 100.3448,
        "agency_id": agency_id,
        "metadata": {"datum": "MSL"},
        **extra,
    }


def test_create_get_update_and_audit(
    client: TestClient,
    as_role,  # type: ignore[no-untyped-def]
    uow: UnitOfWork,
    agencies: dict[str, Agency],
    geo_sample: ImportReport,
) -> None:
    h = as_role("operator")
    r = client.post("/api/devices", json=_body(agencies["owner"].id), headers=h)
    assert r.status_code == 201, r.text
    created = r.json()
    device, token = created["device"], created["credential"]["token"]
    assert token.startswith("scd_") and device["token_prefix"] == token[:10]
    assert device["status"] == "unknown" and device["metadata"] == {"datum": "MSL"}
    community = geo.zone_at(uow.session, 16.4480, 100.3448)
    assert community is not None and device["zone_id"] == community.id
    got = client.get(f"/api/devices/{device['id']}", headers=h).json()
    assert "token" not in got and "token_hash" not in got and got["code"] == "wl-nan-01"
    r = client.put(
        f"/api/devices/{device['id']}", json={"name_en": "Renamed", "lon": 100.355}, headers=h
    )
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["name_en"] == "Renamed" and moved["name_th"] == "สถานีวัดระดับน้ำน่าน"
    east = geo.zone_at(uow.session, 16.4480, 100.355)
    assert east is not None and moved["zone_id"] == east.id != community.id
    r = client.post("/api/devices", json=_body(agencies["owner"].id), headers=h)
    assert r.status_code == 409 and r.headers["content-type"].startswith(PROBLEM)
    actions = set(
        uow.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == str(device["id"]))
        )
    )
    assert {"device.created", "device.updated"} <= actions


def test_bad_input_is_422(client: TestClient, as_role, agencies: dict[str, Agency]) -> None:  # type: ignore[no-untyped-def]
    h = as_role("admin")
    owner = agencies["owner"].id
    for body in (
        _body(owner, kind="volcano"),
        _body(owner, code="Has Space"),
        _body(owner, lat=123.0),
        _body(999_999),
    ):
        r = client.post("/api/devices", json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["errors"]


def test_roles_without_devices_write_are_refused(
    client: TestClient,
    as_role,  # type: ignore[no-untyped-def]
    agencies: dict[str, Agency],
    make_device: MakeDevice,
) -> None:
    issued = make_device("aq-1", "air_quality")
    for role in ("police", "care_manager", "health_worker", "responder"):
        h = as_role(role)
        r = client.post("/api/devices", json=_body(agencies["owner"].id), headers=h)
        assert r.status_code == 403 and r.headers["content-type"].startswith(PROBLEM)
        assert client.get("/api/devices", headers=h).status_code == 403
        did = issued.device.id
        assert client.put(f"/api/devices/{did}", json={}, headers=h).status_code == 403
        assert client.post(f"/api/devices/{did}/disable", headers=h).status_code == 403
        assert client.post(f"/api/devices/{did}/credentials", headers=h).status_code == 403
    assert client.get("/api/devices").status_code == 401
    tech = as_role("technician")
    assert client.get("/api/devices", headers=tech).status_code == 200


def test_search_filters_and_pagination(
    client: TestClient,
    as_role,  # type: ignore[no-untyped-def]
    make_device: MakeDevice,
    geo_sample: ImportReport,
) -> None:
    for n in range(1, 6):
        make_device(f"wl-{n:02d}", "water_level")
    make_device("aq-market", "air_quality", lat=16.4420, lon=100.3490)
    make_device("cam-off", "camera", enabled=False, lat=16.4403, lon=100.3525)
    h = as_role("operator")
    page = client.get("/api/devices?kind=water_level&per_page=2&page=3", headers=h).json()
    assert (
        page["total"] == 5 and page["page"] == 3 and [d["code"] for d in page["items"]] == ["wl-05"]
    )
    assert client.get("/api/devices?q=AQ-MAR", headers=h).json()["total"] == 1
    thai = client.get("/api/devices", params={"q": "อุปกรณ์ wl-0"}, headers=h).json()
    assert thai["total"] == 5
    disabled = client.get("/api/devices?enabled=false", headers=h).json()
    assert [d["code"] for d in disabled["items"]] == ["cam-off"]
    market = client.get("/api/devices?q=aq-market", headers=h).json()["items"][0]
    in_zone = client.get(f"/api/devices?zone_id={market['zone_id']}", headers=h).json()
    assert "aq-market" in {d["code"] for d in in_zone["items"]}
    assert client.get("/api/devices?status=unknown", headers=h).json()["total"] == 7
    assert client.get("/api/devices?status=online", headers=h).json()["total"] == 0
    assert client.get("/api/devices?kind=volcano", headers=h).status_code == 422
    assert client.get("/api/devices?per_page=500", headers=h).status_code == 422


def test_zone_scoped_technician_sees_only_their_zone(
    client: TestClient,
    as_role,  # type: ignore[no-untyped-def]
    uow: UnitOfWork,
    make_device: MakeDevice,
    geo_sample: ImportReport,
) -> None:
    west = make_device("spk-west", "speaker", lat=16.4500, lon=100.3380).device
    east = make_device("spk-east", "speaker", lat=16.4380, lon=100.3560).device
    assert west.zone_id is not None and east.zone_id is not None
    h = as_role("technician", zones=[west.zone_id])
    listed = client.get("/api/devices", headers=h).json()
    assert [d["code"] for d in listed["items"]] == ["spk-west"]
    assert client.get(f"/api/devices/{east.id}", headers=h).status_code == 404
    assert client.post(f"/api/devices/{east.id}/disable", headers=h).status_code == 404
    assert client.post(f"/api/devices/{west.id}/disable", headers=h).status_code == 200


def test_credential_shown_once_stored_hashed_and_rotated(
    client: TestClient,
    as_role,  # type: ignore[no-untyped-def]
    uow: UnitOfWork,
    settings: Settings,
    make_device: MakeDevice,
) -> None:
    issued = make_device("wl-rot", "water_level")
    device = issued.device
    assert device.token_hash == keyed_hash(settings.secret_key.get_secret_value(), issued.token)
    assert issued.token not in str(
        client.get(f"/api/devices/{device.id}", headers=as_role("admin")).json()
    )
    batch = {"readings": [reading("wl-rot", {"level_m": 5.0})]}
    assert (
        client.post("/api/devices/ingest", json=batch, headers=issued.headers).json()["accepted"]
        == 1
    )
    h = as_role("operator")
    r = client.post(f"/api/devices/{device.id}/credentials", headers=h)
    assert r.status_code == 200, r.text
    new = r.json()["token"]
    assert new != issued.token and r.json()["mqtt_password"] is None
    old = client.post("/api/devices/ingest", json=batch, headers=issued.headers)
    assert old.status_code == 401 and old.headers["content-type"].startswith(PROBLEM)
    assert client.post("/api/devices/ingest", json=batch, headers=bearer(new)).status_code == 200
    actions = set(uow.session.scalars(select(AuditEntry.action)))
    assert "device.credential_rotated" in actions


def test_mqtt_credentials(
    uow: UnitOfWork,
    settings: Settings,
    agencies: dict[str, Agency],
    client: TestClient,
    as_role,  # type: ignore[no-untyped-def]
) -> None:
    body = _body(agencies["owner"].id, code="spk-mqtt", kind="speaker", mqtt_username="spk-mqtt")
    created = client.post("/api/devices", json=body, headers=as_role("admin")).json()
    cred = created["credential"]
    assert cred["mqtt_username"] == "spk-mqtt" and cred["mqtt_password"].startswith("scm_")
    found = devices.check_mqtt_password(uow.session, settings, "spk-mqtt", cred["mqtt_password"])
    assert found.code == "spk-mqtt"
    row = uow.session.get(Device, found.id)
    assert row is not None and row.mqtt_password_hash != cred["mqtt_password"]
    again = client.post("/api/devices", json={**body, "code": "spk-2"}, headers=as_role("admin"))
    assert again.status_code == 409


def test_enable_disable(
    client: TestClient,
    as_role,
    uow: UnitOfWork,
    make_device: MakeDevice,  # type: ignore[no-untyped-def]
) -> None:
    issued = make_device("sos-1", "sos_button")
    h = as_role("technician")
    r = client.post(f"/api/devices/{issued.device.id}/disable", headers=h)
    assert r.status_code == 200 and r.json()["enabled"] is False
    assert client.post(f"/api/devices/{issued.device.id}/explode", headers=h).status_code == 404
    assert client.post(f"/api/devices/{issued.device.id}/enable", headers=h).json()["enabled"]
    assert client.get("/api/devices/999999", headers=h).status_code == 404
    actions = list(
        uow.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "device"))
    )
    assert "device.disabled" in actions and "device.enabled" in actions


def test_gateways(
    client: TestClient,
    as_role,
    agencies: dict[str, Agency],  # type: ignore[no-untyped-def]
) -> None:
    h = as_role("operator")
    body = {"code": "gw-market", "name": "Market gateway", "agency_id": agencies["owner"].id}
    r = client.post("/api/devices/gateways", json=body, headers=h)
    assert r.status_code == 201, r.text
    gw, token = r.json()["gateway"], r.json()["token"]
    assert token.startswith("scg_") and gw["token_prefix"] == token[:10]
    assert client.get("/api/devices/gateways", headers=h).json()["total"] == 1
    rotated = client.post(f"/api/devices/gateways/{gw['id']}/rotate", headers=h).json()
    assert rotated["token"] != token
    off = client.post(f"/api/devices/gateways/{gw['id']}/disable", headers=h).json()
    assert off["enabled"] is False
    batch = {"readings": []}
    assert client.post("/api/devices/ingest", json=batch, headers=bearer(token)).status_code == 401
    refused = client.post("/api/devices/ingest", json=batch, headers=bearer(rotated["token"]))
    assert refused.status_code == 401
