"""Intake: the app endpoint, idempotency under retries (also truly concurrent), validation."""

from __future__ import annotations

import base64
import threading
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from smartcity.app import build_bus
from smartcity.db import make_session_factory
from smartcity.events import Actor, UnitOfWork
from smartcity.geo.schemas import ImportReport
from smartcity.incidents import service
from smartcity.incidents.models import Incident, TimelineEntry
from smartcity.incidents.policy import Policy
from tests.incidents.conftest import MARKET, MakeUnit
from tests.support import fresh_database

PROBLEM = "application/problem+json"


def _help(key: str = "key-0000-0001", **extra: Any) -> dict[str, Any]:
    return {"client_key": key, "lat": MARKET[0], "lon": MARKET[1], "text": "ล้มในบ้าน", **extra}


def _count(uow: UnitOfWork, key: str) -> int:
    uow.session.expire_all()
    stmt = select(func.count()).select_from(Incident).where(Incident.client_key == key)
    return int(uow.session.scalar(stmt) or 0)


def test_app_request_is_stored_offered_and_never_doubled(
    client: TestClient, uow: UnitOfWork, sample: ImportReport, make_unit: MakeUnit
) -> None:
    unit = make_unit()
    first = client.post("/api/help", json=_help())
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["created"] is True and body["offered_unit"] == str(unit.id)
    again = client.post("/api/help", json=_help())
    assert again.status_code == 200
    assert again.json()["incident_id"] == body["incident_id"] and again.json()["created"] is False
    assert _count(uow, "key-0000-0001") == 1
    incident = uow.session.get(Incident, body["incident_id"])
    assert incident is not None and incident.source == "app" and incident.zone_id is not None
    actions = [t.action for t in uow.session.scalars(select(TimelineEntry))]
    assert actions.count("reported") == 1 and actions.count("offered") == 1


def test_photo_is_kept(client: TestClient, sample: ImportReport, as_role) -> None:  # type: ignore[no-untyped-def]
    photo = b"\xff\xd8\xff\xe0fake-jpeg"
    body = _help(photo_b64=base64.b64encode(photo).decode(), photo_type="image/jpeg")
    made = client.post("/api/help", json=body).json()
    h = as_role("operator")
    got = client.get(f"/api/incidents/{made['incident_id']}/photo", headers=h)
    assert got.status_code == 200 and got.content == photo
    assert got.headers["content-type"] == "image/jpeg"


def test_bad_input_is_a_problem_not_a_500(client: TestClient) -> None:
    cases = [
        _help(key="short"),
        _help(lat=95),
        {"client_key": "key-0000-0002", "lat": 16.4},
        _help(photo_b64="not base64!!", photo_type="image/jpeg"),
        _help(photo_b64="aGVsbG8="),
        _help(text="x" * 501),
        _help(text="a\x00b"),
        _help(extra_field=1),
    ]
    for body in cases:
        r = client.post("/api/help", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)
    r = client.post("/api/help", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 400


def test_rate_limit_per_address(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    app.state.settings = app.state.settings.model_copy(update={"help_rate_burst": 2})
    codes = [
        client.post("/api/help", json=_help(key=f"rate-key-{i:04d}")).status_code for i in range(4)
    ]
    assert codes[:2] == [201, 201]
    assert codes[2] == 429
    r = client.post("/api/help", json=_help(key="rate-key-9999"))
    assert r.headers["content-type"].startswith(PROBLEM) and r.json()["detail_th"]


def test_same_key_twice_concurrently_makes_one_incident(tmp_path: Path) -> None:
    """Two transactions race with one key on a committed database: exactly one incident."""
    with fresh_database(tmp_path) as (engine, _url):
        factory = make_session_factory(engine)
        barrier = threading.Barrier(2)
        results: list[tuple[int, bool]] = []
        errors: list[BaseException] = []

        def _send() -> None:
            try:
                with factory() as session:
                    uow = UnitOfWork(session, build_bus(), Actor.system("race"))
                    barrier.wait()
                    data = service.Report(
                        kind="help_request",
                        source="app",
                        client_key="race-key-0001",
                        lat=16.44,
                        lon=100.34,
                    )
                    incident, created = service.report(uow, Policy(), data)
                    uow.commit()
                    results.append((incident.id, created))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=_send) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        assert len({r[0] for r in results}) == 1
        assert sorted(r[1] for r in results) == [False, True]
        with factory() as session:
            assert session.scalar(select(func.count()).select_from(Incident)) == 1


def test_help_requests_at_once_each_get_their_own_unit_and_one_unbroken_audit_chain(
    tmp_path: Path,
) -> None:
    """Four requests in four transactions at once: four incidents, four units, chain intact."""
    from smartcity.audit import service as audit
    from smartcity.incidents.models import Offer, Unit

    with fresh_database(tmp_path) as (engine, _url):
        factory = make_session_factory(engine)
        with factory() as session:
            for n, lon in enumerate((100.3502, 100.3522, 100.3562, 100.3602)):
                session.add(
                    Unit(code=f"u{n}", name=f"หน่วย {n}", kind="rescue_foundation",
                         capabilities=["medical"], status="available", lat=MARKET[0], lon=lon)
                )  # fmt: skip
            session.commit()
        barrier = threading.Barrier(4)
        errors: list[BaseException] = []

        def _send(n: int) -> None:
            try:
                with factory() as session:
                    uow = UnitOfWork(session, build_bus(), Actor.system("burst"))
                    barrier.wait()
                    data = service.Report(
                        kind="help_request", source="app", client_key=f"burst-{n:04d}",
                        lat=MARKET[0], lon=MARKET[1],
                    )  # fmt: skip
                    service.report(uow, Policy(), data)
                    uow.commit()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=_send, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        with factory() as session:
            offered = session.scalars(select(Offer.unit_id).where(Offer.status == "offered"))
            assert sorted(offered) == sorted(session.scalars(select(Unit.id)))
            report = audit.verify(session)
            assert report.ok, report.reason
            assert report.checked >= 4 * 3  # created, offered, message queued: each its own
