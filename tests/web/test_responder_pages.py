"""The responder's page: my unit, duty, the offer with accept/decline, status steps."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from smartcity.events import UnitOfWork
from smartcity.geo.schemas import ImportReport
from smartcity.incidents.models import Incident, TimelineEntry
from tests.conftest import MakeUser
from tests.incidents.conftest import (  # noqa: F401 (fixtures)
    MARKET,
    MakeUnit,
    household,
    make_unit,
    person,
    sample,
)
from tests.web.test_pages import login

HX = {"HX-Request": "true"}


def _help(client: TestClient, key: str) -> int:
    body = {"client_key": key, "lat": MARKET[0], "lon": MARKET[1], "text": "ล้มในห้องน้ำ"}
    r = client.post("/api/help", json=body)
    assert r.status_code == 201, r.text
    incident_id: int = r.json()["incident_id"]
    return incident_id


def _steps(uow: UnitOfWork, incident_id: int) -> list[str]:
    uow.session.expire_all()
    stmt = select(TimelineEntry.action).where(TimelineEntry.incident_id == incident_id)
    return list(uow.session.scalars(stmt.order_by(TimelineEntry.id)))


def test_permissions_and_languages(client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/responder", headers=as_role("care_manager")).status_code == 403
    h = as_role("responder")
    page = client.get("/responder", headers=h)
    assert page.status_code == 200 and "data-no-unit" in page.text
    assert "หน่วยปฏิบัติการ" in page.text and 'href="/incidents"' in page.text  # nav entry
    client.cookies.set("lang", "en")
    assert "Responder" in client.get("/responder", headers=h).text


def test_responder_accepts_and_steps_through_the_job(
    client: TestClient,
    uow: UnitOfWork,
    sample: ImportReport,  # noqa: F811
    make_user: MakeUser,
    make_unit: MakeUnit,  # noqa: F811
) -> None:
    user = make_user("responder", username="rescue-page")
    unit = make_unit(user_id=user.id, status="off_duty")
    assert login(client, "rescue-page", next_url="/responder").status_code == 303
    page = client.get("/responder")
    assert 'data-unit-status="off_duty"' in page.text and 'data-duty="on"' in page.text
    token = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    h = HX | {"X-CSRF-Token": token}
    assert client.post(f"/responder/units/{unit.id}/duty/on", headers=HX).status_code == 403
    on = client.post(f"/responder/units/{unit.id}/duty/on", headers=h)
    assert 'data-unit-status="available"' in on.text and "<html" not in on.text

    incident_id = _help(client, "resident-phone-key-001")
    board = client.get("/responder/board", headers=HX).text
    assert f'data-offer-incident="{incident_id}"' in board and "ล้มในห้องน้ำ" in board
    offer_id = board.split('data-offer="')[1].split('"')[0]
    accepted = client.post(f"/responder/offers/{offer_id}/accept", headers=h)
    assert f'data-job="{incident_id}"' in accepted.text and 'data-step="on_scene"' in accepted.text
    again = client.post(f"/responder/offers/{offer_id}/accept", headers=h)
    assert "data-board-error" in again.text  # already accepted: shown, not a crash
    for step in ("on_scene", "transported", "closed"):
        r = client.post(f"/responder/incidents/{incident_id}/{step}", headers=h)
        assert r.status_code == 200 and "data-board-error" not in r.text, step
    assert client.post(f"/responder/incidents/{incident_id}/exploded", headers=h).status_code == 422
    assert _steps(uow, incident_id) == [
        "reported", "offered", "accepted", "on_scene", "transported", "closed",
    ]  # fmt: skip
    incident = uow.session.get(Incident, incident_id)
    assert incident is not None and incident.status == "closed"


def test_decline_moves_the_offer_on(
    client: TestClient,
    uow: UnitOfWork,
    sample: ImportReport,  # noqa: F811
    make_user: MakeUser,
    make_unit: MakeUnit,  # noqa: F811
) -> None:
    user = make_user("responder", username="rescue-decline")
    make_unit(user_id=user.id)
    other = make_unit(at=(16.4418, 100.3562))
    assert login(client, "rescue-decline").status_code == 303
    token = client.get("/responder").text.split('name="csrf-token" content="')[1].split('"')[0]
    incident_id = _help(client, "resident-phone-key-002")
    offer_id = client.get("/responder/board", headers=HX).text.split('data-offer="')[1]
    offer_id = offer_id.split('"')[0]
    r = client.post(f"/responder/offers/{offer_id}/decline", headers=HX | {"X-CSRF-Token": token})
    assert "data-offer=" not in r.text and "data-no-offer" in r.text
    assert _steps(uow, incident_id)[-2:] == ["declined", "offered"]
    uow.session.refresh(other)
    assert other.status == "offered"
