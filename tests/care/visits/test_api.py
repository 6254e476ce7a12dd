"""The visits REST API: permissions, idempotent POST under retries, photos, bad input."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from smartcity.config import Settings
from smartcity.events import UnitOfWork
from tests.care.visits.conftest import MakeCared, zone_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _post(client: TestClient, headers: dict[str, str], body: dict[str, Any], key: str) -> Any:
    return client.post("/api/care/visits", json=body, headers={**headers, "Idempotency-Key": key})


def test_retried_post_returns_the_same_visit_with_200(
    client: TestClient, as_role: Any, make_cared: MakeCared, uow: UnitOfWork
) -> None:
    person = make_cared()
    worker = as_role("health_worker")
    body = {"person_id": person.id, "vitals": {"sbp": 120, "dbp": 80}, "notes": "ปกติ"}
    key = str(uuid.uuid4())
    responses = [_post(client, worker, body, key) for _ in range(3)]
    assert [r.status_code for r in responses] == [201, 200, 200]
    assert len({r.json()["id"] for r in responses}) == 1
    count = uow.session.scalar(text("SELECT count(*) FROM care_visit_records"))
    assert count == 1
    changed = _post(client, worker, {**body, "notes": "อื่น"}, key)
    assert changed.status_code == 409
    missing = client.post("/api/care/visits", json=body, headers=worker)
    assert missing.status_code == 422
    assert missing.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "body",
    [
        {"vitals": {"sbp": 120}},
        {"person_id": 1, "vitals": {"sbp": 9999}},
        {"person_id": 1, "vitals": {"bogus": 1}},
        {"person_id": 1, "notes": "a\x00b"},
        {"person_id": 1, "visited_at": "2999-01-01T00:00:00+07:00"},
        {"person_id": 1, "visited_at": "2026-01-01T00:00:00"},
    ],
)
def test_bad_visit_bodies_are_4xx(
    client: TestClient, as_role: Any, make_cared: MakeCared, body: dict[str, Any]
) -> None:
    person = make_cared()
    if "person_id" in body:
        body = {**body, "person_id": person.id}
    r = _post(client, as_role("health_worker"), body, str(uuid.uuid4()))
    assert 400 <= r.status_code < 500, r.text


def test_permissions(
    client: TestClient, as_role: Any, make_cared: MakeCared, uow: UnitOfWork
) -> None:
    person = make_cared()
    body = {"person_id": person.id, "vitals": {"pulse": 70}}
    assert _post(client, as_role("operator"), body, str(uuid.uuid4())).status_code == 403
    # A worker scoped to another zone cannot see the person at all.
    other = as_role("health_worker", zones=[zone_of(uow, person) + 999])
    assert _post(client, other, body, str(uuid.uuid4())).status_code == 404
    worker = as_role("health_worker")
    assert (
        client.put(
            "/api/care/visit-frequencies/bedbound", json={"every_days": 5}, headers=worker
        ).status_code
        == 403
    )
    manager = as_role("care_manager")
    r = client.put("/api/care/visit-frequencies/bedbound", json={"every_days": 5}, headers=manager)
    assert r.status_code == 200 and r.json()["is_default"] is False
    assert client.post("/api/care/visit-tasks/generate", headers=worker).status_code == 403
    assert client.post("/api/care/visit-tasks/generate", headers=manager).json()["created"] == 1
    assert client.get("/api/care/visit-tasks/overdue", headers=manager).json()["total"] == 0
    assert client.get("/api/care/visit-tasks/overdue").status_code == 401


def test_settings_api_round_trip(client: TestClient, as_role: Any, make_cared: MakeCared) -> None:
    person = make_cared(group="homebound")
    manager = as_role("care_manager")
    groups = client.get("/api/care/visit-frequencies", headers=manager).json()
    assert {g["adl_group"]: g["every_days"] for g in groups} == {
        "bedbound": 7,
        "homebound": 14,
        "social": 30,
    }
    bad = client.put(
        "/api/care/visit-thresholds/sbp",
        json={"alert_low": 200, "alert_high": 100},
        headers=manager,
    )
    assert bad.status_code == 422
    assert (
        client.put("/api/care/visit-thresholds/nope", json={}, headers=manager).status_code == 422
    )
    r = client.put(f"/api/care/people/{person.id}/plan", json={"every_days": 4}, headers=manager)
    assert r.json()["effective_every_days"] == 4
    r = client.put(f"/api/care/people/{person.id}/plan", json={}, headers=manager)
    assert r.json()["effective_every_days"] == 14
    assert (
        client.get("/api/care/my-day?lat=16.4", headers=as_role("health_worker")).status_code == 422
    )


def test_photo_upload_is_checked_and_named_by_checksum(
    client: TestClient, as_role: Any, make_cared: MakeCared, settings: Settings
) -> None:
    person = make_cared()
    worker = as_role("health_worker")
    visit = _post(client, worker, {"person_id": person.id}, str(uuid.uuid4())).json()
    url = f"/api/care/visits/{visit['id']}/photo"
    fake = client.post(
        url, files={"photo": ("x.png", b"not an image", "image/png")}, headers=worker
    )
    assert fake.status_code == 422
    gif = client.post(url, files={"photo": ("x.gif", b"GIF89a....", "image/gif")}, headers=worker)
    assert gif.status_code == 422
    ok = client.post(url, files={"photo": ("x.png", PNG, "image/png")}, headers=worker)
    assert ok.status_code == 200 and ok.json()["has_photo"] is True
    import hashlib

    stored = settings.data_dir / "visit-photos" / f"{hashlib.sha256(PNG).hexdigest()}.png"
    assert stored.read_bytes() == PNG
    read = client.get(f"/api/care/visits/{visit['id']}", headers=worker).json()
    assert read["has_photo"] is True
