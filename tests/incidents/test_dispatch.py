"""Dispatch: nearest suitable unit, decline and time-out move on, escalation, status steps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from smartcity.accounts.models import User
from smartcity.audit.models import AuditEntry
from smartcity.events import UnitOfWork
from smartcity.geo.schemas import ImportReport
from smartcity.incidents import service
from smartcity.incidents.models import Incident, Offer, TimelineEntry, Unit
from smartcity.incidents.policy import Policy
from smartcity.notify.models import Notification
from tests.conftest import MakeUser
from tests.incidents.conftest import FAR, MARKET, MIDDLE, NEAR, MakeUnit


def _report(uow: UnitOfWork, policy: Policy, **extra: Any) -> Incident:
    data = service.Report(
        kind="help_request", source="operator", lat=MARKET[0], lon=MARKET[1], **extra
    )
    incident, _ = service.report(uow, policy, data)
    uow.commit()
    return incident


def _offers(uow: UnitOfWork, incident: Incident) -> list[tuple[int, str]]:
    uow.session.expire_all()
    stmt = select(Offer).where(Offer.incident_id == incident.id).order_by(Offer.id)
    return [(o.unit_id, o.status) for o in uow.session.scalars(stmt)]


def _timeline(uow: UnitOfWork, incident: Incident) -> list[str]:
    stmt = (
        select(TimelineEntry)
        .where(TimelineEntry.incident_id == incident.id)
        .order_by(TimelineEntry.id)
    )
    return [t.action for t in uow.session.scalars(stmt)]


def _login(client: TestClient, uow: UnitOfWork, settings, user: User) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from smartcity.accounts import service as accounts

    plain, _ = accounts.create_token(uow, settings, user.id, "t")
    uow.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_nearest_suitable_free_unit_gets_the_offer(
    uow: UnitOfWork, sample: ImportReport, make_unit: MakeUnit
) -> None:
    make_unit(MIDDLE)
    make_unit(NEAR, capabilities=["technical"])  # nearest but not suitable for a red case
    busy = make_unit(NEAR)
    busy.status = "busy"
    uow.commit()
    far = make_unit(FAR)
    middle_id = uow.session.scalars(select(Unit.id).where(Unit.code == "unit-1")).one()
    incident = _report(uow, Policy(), triage_level="red")
    assert _offers(uow, incident) == [(middle_id, "offered")]
    assert far.status == "available"


def test_decline_then_time_out_then_escalate(
    client: TestClient,
    uow: UnitOfWork,
    settings,  # type: ignore[no-untyped-def]
    sample: ImportReport,
    make_unit: MakeUnit,
    make_user: MakeUser,
) -> None:
    responder = make_user("responder")
    h = _login(client, uow, settings, responder)
    near = make_unit(NEAR, user_id=responder.id)
    middle = make_unit(MIDDLE)
    policy = Policy(offer_seconds=60, max_offers=5)
    incident = _report(uow, policy)
    first = uow.session.scalars(select(Offer).where(Offer.incident_id == incident.id)).one()
    assert first.unit_id == near.id
    r = client.post(f"/api/offers/{first.id}/decline", params={"reason": "ติดภารกิจ"}, headers=h)
    assert r.status_code == 200, r.text
    assert _offers(uow, incident) == [(near.id, "declined"), (middle.id, "offered")]
    second = uow.session.scalars(select(Offer).where(Offer.status == "offered")).one()
    # Nobody answers: the sweep after the deadline times the offer out; no unit is left.
    assert service.expire_offers(uow, policy, second.expires_at - timedelta(seconds=1)) == 0
    assert service.expire_offers(uow, policy, second.expires_at + timedelta(seconds=1)) == 1
    uow.commit()
    assert _offers(uow, incident) == [(near.id, "declined"), (middle.id, "timed_out")]
    assert _timeline(uow, incident) == [
        "reported",
        "offered",
        "declined",
        "offered",
        "timed_out",
        "escalated",
    ]
    uow.session.refresh(incident)
    assert incident.escalated_at is not None
    for unit in (near, middle):
        uow.session.refresh(unit)
        assert unit.status == "available"
    # The supervisors (everyone allowed incidents.dispatch) see it in the app.
    notes = uow.session.scalars(
        select(Notification).where(Notification.template == "dispatch_escalated")
    )
    assert [n.audience for n in notes] == ["incidents.dispatch"]


def test_cap_on_offers_escalates_and_supervisor_redispatches(
    client: TestClient, uow: UnitOfWork, sample: ImportReport, make_unit: MakeUnit, as_role
) -> None:  # type: ignore[no-untyped-def]
    a, b = make_unit(NEAR), make_unit(MIDDLE)
    policy = Policy(max_offers=1)
    incident = _report(uow, policy)
    offer = uow.session.scalars(select(Offer)).one()
    service.expire_offers(uow, policy, offer.expires_at)
    uow.commit()
    assert _timeline(uow, incident)[-1] == "escalated"
    assert _offers(uow, incident) == [(a.id, "timed_out")]
    h = as_role("operator")
    r = client.post(f"/api/incidents/{incident.id}/dispatch", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["offer"]["unit_id"] == a.id  # a manual retry may ask the nearest again
    assert b.status == "available"


def test_accept_and_status_steps_to_closed(
    client: TestClient,
    uow: UnitOfWork,
    settings,  # type: ignore[no-untyped-def]
    sample: ImportReport,
    make_unit: MakeUnit,
    make_user: MakeUser,
) -> None:
    responder, other = make_user("responder"), make_user("responder")
    h, h_other = _login(client, uow, settings, responder), _login(client, uow, settings, other)
    unit = make_unit(NEAR, user_id=responder.id)
    incident = _report(uow, Policy())
    mine = client.get("/api/offers/mine", headers=h).json()
    assert [o["incident_id"] for o in mine] == [incident.id]
    assert client.get("/api/offers/mine", headers=h_other).json() == []
    assert client.post(f"/api/offers/{mine[0]['id']}/accept", headers=h_other).status_code == 403
    assert client.post(f"/api/offers/{mine[0]['id']}/accept", headers=h).status_code == 200
    assert client.post(f"/api/offers/{mine[0]['id']}/accept", headers=h).status_code == 409
    bad = client.post(
        f"/api/incidents/{incident.id}/status", json={"status": "transported"}, headers=h
    )
    assert bad.status_code == 409
    for step in ("on_scene", "transported", "closed"):
        r = client.post(f"/api/incidents/{incident.id}/status", json={"status": step}, headers=h)
        assert r.status_code == 200, r.text
    body = client.get(f"/api/incidents/{incident.id}", headers=h).json()
    assert body["status"] == "closed" and body["closed_at"]
    steps = [(t["action"], t["actor"]) for t in body["timeline"]]
    assert [s[0] for s in steps] == [
        "reported",
        "offered",
        "accepted",
        "on_scene",
        "transported",
        "closed",
    ]
    assert steps[2][1] == responder.username
    uow.session.refresh(unit)
    assert unit.status == "available"
    audit = uow.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "incident")
    ).all()
    assert "incidents.incident.status" in audit
    # The offer reached the responder in the app.
    notes = uow.session.scalars(
        select(Notification).where(Notification.user_id == responder.id)
    ).all()
    assert [n.template for n in notes] == ["unit_offered"]


def test_triage_proposes_a_level_and_records_it(
    client: TestClient, uow: UnitOfWork, sample: ImportReport, make_unit: MakeUnit, as_role
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("operator")
    made = client.post("/api/incidents", json={"lat": MARKET[0], "lon": MARKET[1]}, headers=h)
    assert made.status_code == 201 and made.json()["status"] == "new"
    iid = made.json()["id"]
    answers = {"medical": True, "conscious": True, "breathing": False}
    r = client.post(f"/api/incidents/{iid}/triage", json={"answers": answers}, headers=h)
    assert r.status_code == 200 and r.json()["triage_level"] == "red"
    assert r.json()["status"] == "triaged"
    chosen = client.post(
        f"/api/incidents/{iid}/triage", json={"answers": {}, "level": "green"}, headers=h
    )
    assert chosen.json()["triage_level"] == "green"
    last = [t for t in chosen.json()["timeline"] if t["action"] == "triaged"][-1]
    assert last["detail"]["proposed"] == "white" and last["detail"]["level"] == "green"
    unknown = client.post(f"/api/incidents/{iid}/triage", json={"answers": {"x": True}}, headers=h)
    assert unknown.status_code == 422


def test_permissions(client: TestClient, as_role, sample: ImportReport) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/incidents").status_code == 401
    for role in ("care_manager", "responder", "technician", "health_worker"):
        h = as_role(role)
        assert client.post("/api/incidents", json={}, headers=h).status_code == 403, role
        assert client.post("/api/units", json={}, headers=h).status_code == 403, role
        assert (
            client.post(
                "/api/hotline/calls",
                json={"call_id": "c1", "caller_number": "0811111111"},
                headers=h,
            ).status_code
            == 403
        )
    assert client.get("/api/incidents", headers=as_role("technician")).status_code == 403
    assert client.get("/api/incidents", headers=as_role("responder")).status_code == 200
    assert client.get("/api/notifications", headers=as_role("technician")).status_code == 200
