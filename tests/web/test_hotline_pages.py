"""The help-line screen: permissions, calls list, pop-up (audited), incident from a call."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from smartcity.audit.models import AuditEntry
from smartcity.care.models import Person
from smartcity.events import UnitOfWork
from smartcity.incidents.models import Incident
from tests.incidents.conftest import (  # noqa: F401 (fixtures)
    MakeUnit,
    household,
    make_unit,
    person,
    sample,
)


def _call(client: TestClient, h: dict[str, str], call_id: str, number: str) -> int:
    r = client.post(
        "/api/hotline/calls", json={"call_id": call_id, "caller_number": number}, headers=h
    )
    assert r.status_code == 201, r.text
    pk: int = r.json()["id"]
    return pk


def test_only_dispatchers_see_the_hotline(client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/hotline", headers=as_role("responder")).status_code == 403
    assert client.get("/hotline", headers=as_role("care_manager")).status_code == 403
    page = client.get("/hotline", headers=as_role("operator"))
    assert page.status_code == 200 and "สายด่วนขอความช่วยเหลือ" in page.text
    assert 'hx-trigger="every 2s"' in page.text
    assert client.get("/hotline", follow_redirects=False).status_code == 303  # log in first


def test_call_pops_up_the_person_and_becomes_one_dispatched_incident(
    client: TestClient,
    uow: UnitOfWork,
    person: Person,  # noqa: F811
    make_unit: MakeUnit,  # noqa: F811
    as_role,  # type: ignore[no-untyped-def]
) -> None:
    unit = make_unit()
    h = as_role("operator")
    pk = _call(client, h, "pbx-9001", "0812345678")
    calls = client.get("/hotline/calls", headers=h)
    assert f'data-call="{pk}"' in calls.text and "0812345678" in calls.text
    assert "สมศรี" not in calls.text  # the list shows numbers only

    popup = client.get(f"/hotline/calls/{pk}", headers=h)
    assert popup.status_code == 200
    assert f'data-caller="{person.id}"' in popup.text and "สมศรี" in popup.text
    assert "data-care-notes" not in popup.text  # operators do not hold care.sensitive
    audited = uow.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "incidents.hotline.popup")
    ).all()
    assert len(audited) == 1

    assert client.post("/hotline/propose", data={"q_conscious": "no"}, headers=h).text.count(
        'data-proposed="red"'
    )
    form = {
        "person_id": str(person.id),
        "lat": "16.4418",
        "lon": "100.3492",
        "caller_phone": "0812345678",
        "description": "หายใจไม่ออก",
        "q_conscious": "yes",
        "q_breathing": "no",
        "level": "red",
    }
    for _ in range(2):  # a double click records one incident
        made = client.post(f"/hotline/calls/{pk}/incident", data=form, headers=h)
        assert made.status_code == 200, made.text
    incident_id = int(re.findall(r'data-created-incident="(\d+)"', made.text)[0])
    uow.session.expire_all()
    rows = uow.session.scalars(select(Incident).where(Incident.source == "hotline")).all()
    assert [r.id for r in rows] == [incident_id]
    incident = rows[0]
    assert (incident.person_id, incident.triage_level, incident.triage_answers) == (
        person.id,
        "red",
        {"conscious": True, "breathing": False},
    )
    assert 'data-step="offered"' in made.text and unit.name in made.text
    assert f'href="/incidents/{incident_id}"' in client.get("/hotline/calls", headers=h).text

    bad_form = {"lat": "95", "lon": "1"}
    bad = client.post(f"/hotline/calls/{pk + 1}/incident", data=bad_form, headers=h)
    assert bad.status_code == 422


def test_care_notes_only_with_care_sensitive(
    client: TestClient,
    person: Person,  # noqa: F811
    as_role,  # type: ignore[no-untyped-def]
) -> None:
    pk = _call(client, as_role("operator"), "pbx-9002", "0812345678")
    popup = client.get(f"/hotline/calls/{pk}", headers=as_role("admin"))
    assert "data-care-notes" in popup.text and "แพ้ยาเพนิซิลลิน" in popup.text
