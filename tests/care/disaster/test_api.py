"""Disaster mode over HTTP: permissions, problem+json for bad input, audit and live counts."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from smartcity.config import Settings
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from tests.care.disaster.support import polygon, resident, square
from tests.care.support import MARKET, WEST

pytestmark = pytest.mark.usefixtures("sample")
BASE = "/api/care/disaster"


def _problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


def _area() -> dict[str, Any]:
    return {"geometry": polygon(square(*MARKET))}


def test_care_manager_runs_an_operation(
    client: TestClient, as_role: Any, uow: UnitOfWork, settings: Settings
) -> None:
    bed = resident(uow, settings, MARKET, "ติดเตียง", bed_bound=True)
    plain = resident(uow, settings, (MARKET[0] + 0.0001, MARKET[1]), "ธรรมดา")
    uow.commit()
    h = as_role("care_manager")
    listed = client.post(f"{BASE}/area/people", json=_area(), headers=h)
    assert listed.status_code == 200, listed.text
    assert [p["person_id"] for p in listed.json()][:2] == [bed.id, plain.id]
    made = client.post(f"{BASE}/operations", json={"name": "ท่วม", "area": _area()}, headers=h)
    assert made.status_code == 201, made.text
    op = made.json()
    assert op["counts"]["total"] == op["counts"]["pending"] == 2 and op["status"] == "open"
    url = f"{BASE}/operations/{op['id']}"
    counts = client.put(f"{url}/checks/{bed.id}", json={"status": "safe"}, headers=h).json()
    assert counts["safe"] == 1 and counts["pending"] == 1
    assert client.get(f"{url}/counts", headers=h).json() == counts
    checks = client.get(f"{url}/checks?per_page=1", headers=h).json()
    assert checks["total"] == 2 and checks["items"][0]["status"] == "safe"
    assert checks["items"][0]["updated_by"]
    listing = client.get(f"{BASE}/operations", headers=h).json()
    assert listing["items"][0]["id"] == op["id"]
    closed = client.post(f"{url}/close", headers=h).json()
    assert closed["status"] == "closed"
    _problem(client.put(f"{url}/checks/{plain.id}", json={"status": "safe"}, headers=h), 409)


def test_permissions(client: TestClient, as_role: Any) -> None:
    for role in ("responder", "police", "technician"):
        _problem(client.post(f"{BASE}/area/people", json=_area(), headers=as_role(role)), 403)
    _problem(client.post(f"{BASE}/area/people", json=_area()), 401)
    h = as_role("health_worker")
    assert client.post(f"{BASE}/area/people", json=_area(), headers=h).status_code == 200
    operator = as_role("operator")
    body = {"name": "x", "area": _area()}
    _problem(client.post(f"{BASE}/operations", json=body, headers=operator), 403)


def test_bad_input_is_a_problem_not_a_500(client: TestClient, as_role: Any) -> None:
    h = as_role("care_manager")
    both = {**_area(), "zone_id": 1}
    _problem(client.post(f"{BASE}/area/people", json=both, headers=h), 422)
    _problem(client.post(f"{BASE}/area/people", json={}, headers=h), 422)
    bow = {"geometry": polygon([[100, 16], [100.01, 16.01], [100.01, 16], [100, 16.01], [100, 16]])}
    _problem(client.post(f"{BASE}/area/people", json=bow, headers=h), 422)
    bad = {"geometry": {"type": "Polygon", "coordinates": [[["a", 1]]]}}
    _problem(client.post(f"{BASE}/area/people", json=bad, headers=h), 422)
    _problem(client.post(f"{BASE}/area/people", json={"zone_id": 999999}, headers=h), 404)
    _problem(client.get(f"{BASE}/operations/999999", headers=h), 404)
    _problem(client.get(f"{BASE}/operations/abc/counts", headers=h), 422)
    made = client.post(f"{BASE}/operations", json={"name": "x", "area": _area()}, headers=h).json()
    url = f"{BASE}/operations/{made['id']}/checks/1"
    _problem(client.put(url, json={"status": "pending"}, headers=h), 422)
    _problem(client.put(url, json={"status": "safe", "note": "a\x00b"}, headers=h), 422)


def test_zone_scoped_health_worker_sees_only_their_zone(
    client: TestClient, as_role: Any, uow: UnitOfWork, settings: Settings
) -> None:
    here = resident(uow, settings, MARKET, "ในเขต")
    there = resident(uow, settings, WEST, "นอกเขต")
    uow.commit()
    market = geo.zone_at(uow.session, *MARKET)
    assert market is not None
    multi = {"type": "MultiPolygon", "coordinates": [[square(*MARKET)], [square(*WEST)]]}
    h = as_role("health_worker", zones=[market.id])
    found = client.post(f"{BASE}/area/people", json={"geometry": multi}, headers=h).json()
    ids = {p["person_id"] for p in found}
    assert here.id in ids and there.id not in ids
