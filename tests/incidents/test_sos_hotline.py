"""SOS presses through the real ingest API, device assignment, and the hotline pop-up."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from smartcity.audit.models import AuditEntry
from smartcity.care.models import Person
from smartcity.events import UnitOfWork
from smartcity.geo.schemas import ImportReport
from smartcity.incidents.models import Incident
from tests.devices.conftest import MakeDevice
from tests.devices.support import reading
from tests.incidents.conftest import MakeUnit

INGEST = "/api/devices/ingest"


def _incidents(uow: UnitOfWork) -> list[Incident]:
    uow.session.expire_all()
    return list(uow.session.scalars(select(Incident).order_by(Incident.id)))


def test_sos_press_becomes_one_help_request_for_the_assigned_person(
    client: TestClient,
    uow: UnitOfWork,
    sample: ImportReport,
    make_device: MakeDevice,
    make_unit: MakeUnit,
    person: Person,
    as_role,  # type: ignore[no-untyped-def]
) -> None:
    unit = make_unit()
    pendant = make_device("sos-pendant-01", "sos_button", lat=16.45, lon=100.36)
    h = as_role("operator")
    body = {"device_id": pendant.device.id, "person_id": person.id}
    assert client.put("/api/sos-assignments", json=body, headers=h).status_code == 200
    press = {"readings": [reading("sos-pendant-01", {"pressed": True}, "2026-11-20T03:00:00Z")]}
    for _ in range(2):  # the device retries: still one request
        r = client.post(INGEST, json=press, headers=pendant.headers)
        assert r.status_code == 200, r.text
    made = _incidents(uow)
    assert len(made) == 1
    incident = made[0]
    assert (incident.source, incident.person_id, incident.device_id) == (
        "sos",
        person.id,
        pendant.device.id,
    )
    assert (incident.lat, incident.lon) == (16.4418, 100.3492)  # the person's home
    assert incident.unit_id is None and unit.status == "offered"
    released = {"readings": [reading("sos-pendant-01", {"pressed": False}, "2026-11-20T03:00:05Z")]}
    client.post(INGEST, json=released, headers=pendant.headers)
    second = {"readings": [reading("sos-pendant-01", {"pressed": True}, "2026-11-20T03:10:00Z")]}
    client.post(INGEST, json=second, headers=pendant.headers)
    assert len(_incidents(uow)) == 2


def test_public_sos_pole_and_other_kinds(
    client: TestClient,
    uow: UnitOfWork,
    sample: ImportReport,
    make_device: MakeDevice,
    as_role,  # type: ignore[no-untyped-def]
) -> None:
    pole = make_device("sos-pole-01", "sos_button", lat=16.44, lon=100.35)
    gauge = make_device("wl-01", "water_level")
    client.post(
        INGEST, json={"readings": [reading("sos-pole-01", {"pressed": True})]}, headers=pole.headers
    )
    made = _incidents(uow)
    assert (
        len(made) == 1
        and made[0].person_id is None
        and (made[0].lat, made[0].lon) == (16.44, 100.35)
    )
    h = as_role("operator")
    r = client.put(
        "/api/sos-assignments", json={"device_id": gauge.device.id, "person_id": 1}, headers=h
    )
    assert r.status_code == 422


def test_hotline_pops_up_the_caller_and_audits_sensitive_reads(
    client: TestClient,
    uow: UnitOfWork,
    person: Person,
    as_role,  # type: ignore[no-untyped-def]
) -> None:
    admin, operator = as_role("admin"), as_role("operator")
    call = {"call_id": "pbx-0001", "caller_number": "+66 81 234 5678"}
    r = client.post("/api/hotline/calls", json=call, headers=operator)
    assert r.status_code == 201, r.text
    call_pk = r.json()["id"]
    seen = client.get(f"/api/hotline/calls/{call_pk}", headers=operator).json()
    caller = seen["callers"][0]
    assert caller["person_id"] == person.id and caller["display_name"].startswith("สมศรี")
    assert "elderly" in caller["flags"] and "66000" in caller["address"]
    assert caller["care_notes"] is None  # an operator has no care.sensitive
    full = client.get(f"/api/hotline/calls/{call_pk}", headers=admin).json()["callers"][0]
    assert full["care_notes"] == "แพ้ยาเพนิซิลลิน"
    uow.session.expire_all()
    reads = uow.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "care.person.read")
    ).all()
    assert [a.entity_id for a in reads] == [str(person.id)]  # only the admin's read opened notes
    popups = uow.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "incidents.hotline.popup")
    ).all()
    assert len(popups) == 2
    made = client.post(
        "/api/incidents",
        json={
            "source": "hotline",
            "person_id": person.id,
            "hotline_call_id": call_pk,
            "lat": caller["lat"],
            "lon": caller["lon"],
            "triage_answers": {"medical": True, "walk": False},
        },
        headers=operator,
    )
    assert made.status_code == 201 and made.json()["triage_level"] == "yellow"
    listed = client.get("/api/hotline/calls", headers=operator).json()
    assert listed[0]["incident_id"] == made.json()["id"]
    unknown = client.post(
        "/api/hotline/calls",
        json={"call_id": "pbx-2", "caller_number": "0899999999"},
        headers=operator,
    )
    assert (
        client.get(f"/api/hotline/calls/{unknown.json()['id']}", headers=operator).json()["callers"]
        == []
    )
