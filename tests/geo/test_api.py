"""Geography through the REST API: permissions, scopes, paging, GeoJSON and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from smartcity.audit.models import AuditEntry
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.geo.schemas import ImportReport
from tests.geo.support import collection, feature, point, site_feature, square

PROBLEM = "application/problem+json"


def _zone_body(code: str = "new-1", lon: float = 100.0) -> dict[str, Any]:
    return {
        "kind": "pa_zone",
        "code": code,
        "name_th": "เขตเสียงตามสายใหม่",
        "name_en": "New PA zone",
        "geometry": square(lon, 15.0),
    }


def test_site_and_summary(client: TestClient, as_role, sample: ImportReport) -> None:  # type: ignore[no-untyped-def]
    police = as_role("police")
    site = client.get("/api/geo/site", headers=police).json()
    assert site["code"] == "phichit-town" and site["is_sample"] is True
    assert site["geometry"]["type"] == "Polygon"
    summary = client.get("/api/geo/summary", headers=police).json()
    assert summary["zones"]["community"] >= 8 and summary["places"]["hospital"] == 1
    assert summary["site"]["code"] == "phichit-town"


def test_reads_need_a_login(client: TestClient, sample: ImportReport) -> None:
    r = client.get("/api/geo/zones")
    assert r.status_code == 401 and r.headers["content-type"].startswith(PROBLEM)


def test_list_zones_with_search_and_pagination(
    client: TestClient, as_role, sample: ImportReport
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("operator")
    page = client.get("/api/geo/zones?kind=community&per_page=4&page=3", headers=h).json()
    assert page["total"] == 9 and page["page"] == 3 and len(page["items"]) == 1
    item = page["items"][0]
    assert item["geometry"]["type"] == "Polygon" and len(item["bbox"]) == 4
    found = client.get("/api/geo/zones", params={"q": "safety"}, headers=h).json()
    assert [z["code"] for z in found["items"]] == ["ssz-market-station"]
    thai = client.get("/api/geo/zones", params={"q": "หลังสถานี"}, headers=h).json()
    assert thai["total"] == 1
    assert client.get("/api/geo/zones?per_page=500", headers=h).status_code == 422


def test_zone_scoped_user_sees_only_their_zones(
    client: TestClient, as_role, uow: UnitOfWork, sample: ImportReport
) -> None:  # type: ignore[no-untyped-def]
    mine = geo.zone_at(uow.session, 16.4418, 100.3492)
    other = geo.zone_at(uow.session, 16.443, 100.335)
    assert mine is not None and other is not None
    h = as_role("health_worker", zones=[mine.id])
    listed = client.get("/api/geo/zones", headers=h).json()
    assert [z["id"] for z in listed["items"]] == [mine.id] and listed["total"] == 1
    layer = client.get("/api/geo/zones.geojson", headers=h).json()
    assert [f["properties"]["id"] for f in layer["features"]] == [mine.id]
    assert client.get(f"/api/geo/zones/{mine.id}", headers=h).status_code == 200
    assert client.get(f"/api/geo/zones/{other.id}", headers=h).status_code == 404
    near = client.get("/api/geo/lookup?lat=16.4418&lon=100.3492", headers=h).json()
    assert [z["id"] for z in near] == [mine.id]


def test_role_without_geo_write_gets_403(client: TestClient, as_role, sample: ImportReport) -> None:  # type: ignore[no-untyped-def]
    police = as_role("police")
    r = client.post("/api/geo/zones", json=_zone_body(), headers=police)
    assert r.status_code == 403 and r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["detail_th"]
    assert client.post("/api/geo/import", json=collection(), headers=police).status_code == 403
    assert client.delete("/api/geo/zones/1", headers=police).status_code == 403


def test_create_update_delete_zone(
    client: TestClient, as_role, uow: UnitOfWork, sample: ImportReport
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("operator")
    r = client.post("/api/geo/zones", json=_zone_body(lon=100.34), headers=h)
    assert r.status_code == 201, r.text
    zone = r.json()
    assert (
        zone["bbox"] == pytest.approx([100.34, 15.0, 100.35, 15.01]) and zone["is_sample"] is False
    )
    assert client.post("/api/geo/zones", json=_zone_body(), headers=h).status_code == 409
    r = client.put(f"/api/geo/zones/{zone['id']}", json={"name_en": "Renamed"}, headers=h)
    assert r.status_code == 200 and r.json()["name_en"] == "Renamed"
    assert r.json()["name_th"] == "เขตเสียงตามสายใหม่"
    assert client.delete(f"/api/geo/zones/{zone['id']}", headers=h).status_code == 204
    assert client.get(f"/api/geo/zones/{zone['id']}", headers=h).status_code == 404
    actions = set(
        uow.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == str(zone["id"]))
        )
    )
    assert {"zone.created", "zone.updated", "zone.deleted"} <= actions
    who = uow.session.scalars(
        select(AuditEntry.actor_name).where(AuditEntry.action == "zone.deleted")
    ).all()
    assert who and who[-1].startswith("operator")


def test_bad_zone_input_is_4xx_problem_json(
    client: TestClient, as_role, sample: ImportReport
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("admin")
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    cases = [
        {**_zone_body(), "geometry": bowtie},
        {**_zone_body(), "geometry": {"type": "Polygon", "coordinates": "nonsense"}},
        {
            **_zone_body(),
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[200, 0], [201, 0], [201, 1], [200, 0]]],
            },
        },
        {**_zone_body(), "geometry": point(100, 15)},
        {**_zone_body(), "kind": "volcano"},
        {**_zone_body(), "code": "has space"},
    ]
    for body in cases:
        r = client.post("/api/geo/zones", json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)
        assert r.json()["errors"]


def test_unknown_ids_are_404_problem_json(
    client: TestClient, as_role, sample: ImportReport
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("admin")
    for url in ("/api/geo/zones/999999", "/api/geo/places/999999"):
        r = client.get(url, headers=h)
        assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)
        assert r.json()["detail_th"].startswith("ไม่พบ")
    assert client.put("/api/geo/zones/999999", json={}, headers=h).status_code == 404
    assert client.delete("/api/geo/zones/999999", headers=h).status_code == 404


def test_lookup_validates_lat_lon(client: TestClient, as_role, sample: ImportReport) -> None:  # type: ignore[no-untyped-def]
    h = as_role("responder")
    for query in ("lat=91&lon=100", "lat=16&lon=181", "lat=abc&lon=100", "lon=100"):
        r = client.get(f"/api/geo/lookup?{query}", headers=h)
        assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM), query
    found = client.get("/api/geo/lookup?lat=16.4418&lon=100.3492&kind=community", headers=h).json()
    assert [z["code"] for z in found] == ["comm-e3"]
    assert client.get("/api/geo/lookup?lat=0&lon=0", headers=h).json() == []


def test_places(client: TestClient, as_role, uow: UnitOfWork, sample: ImportReport) -> None:  # type: ignore[no-untyped-def]
    h = as_role("operator")
    body = {
        "kind": "shelter",
        "code": "shelter-new",
        "name_th": "ศูนย์พักพิงใหม่",
        "lat": 16.4418,
        "lon": 100.3492,
    }
    r = client.post("/api/geo/places", json=body, headers=h)
    assert r.status_code == 201, r.text
    community = geo.zone_at(uow.session, 16.4418, 100.3492)
    assert community is not None and r.json()["zone_id"] == community.id
    assert (
        client.get(f"/api/geo/places/{r.json()['id']}", headers=h).json()["code"] == "shelter-new"
    )
    assert client.post("/api/geo/places", json={**body, "lat": 95}, headers=h).status_code == 422
    assert client.post("/api/geo/places", json=body, headers=h).status_code == 409
    page = client.get(f"/api/geo/places?kind=shelter&zone_id={community.id}", headers=h).json()
    assert [p["code"] for p in page["items"]] == ["shelter-new"]
    assert client.get("/api/geo/places?q=Phichit Hospital", headers=h).json()["total"] == 1


def test_geojson_layers(client: TestClient, as_role, sample: ImportReport) -> None:  # type: ignore[no-untyped-def]
    h = as_role("police")
    zones = client.get("/api/geo/zones.geojson?kind=hazard_area", headers=h).json()
    assert zones["type"] == "FeatureCollection" and len(zones["features"]) == 1
    assert set(zones["features"][0]["properties"]) == {
        "id",
        "code",
        "name_th",
        "name_en",
        "kind",
        "is_sample",
    }
    places = client.get("/api/geo/places.geojson", headers=h).json()
    props = places["features"][0]["properties"]
    assert set(props) == {"id", "code", "name_th", "name_en", "kind", "zone_id", "is_sample"}
    assert places["features"][0]["geometry"]["type"] == "Point"
    assert len(places["features"]) == sample.created - 1 - 13


def test_export_and_import_through_the_api(
    client: TestClient, as_role, uow: UnitOfWork, sample: ImportReport
) -> None:  # type: ignore[no-untyped-def]
    h = as_role("admin")
    r = client.get("/api/geo/export.geojson", headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    assert "ตัวอย่าง" in r.text  # Thai kept readable
    doc = r.json()
    doc["features"] = [f for f in doc["features"] if f["properties"]["layer"] == "place"]
    doc["features"].append(
        feature(point(100.35, 16.44), layer="place", kind="spaceport", code="bad", name_th="x")
    )
    report = client.post("/api/geo/import", json=doc, headers=h).json()
    assert report["created"] == 0 and report["updated"] == len(doc["features"]) - 1
    assert [e["code"] for e in report["errors"]] == ["bad"]
    assert client.post("/api/geo/import", json={"type": "Feature"}, headers=h).status_code == 422
    assert client.post("/api/geo/import", json=[1, 2], headers=h).status_code == 422
    r = client.post(
        "/api/geo/import", content=b"{not json", headers={**h, "content-type": "application/json"}
    )
    assert r.status_code == 400
    assert client.get("/api/geo/export.geojson?layer=rivers", headers=h).status_code == 422
    entry = uow.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "geo.imported")
        .order_by(AuditEntry.seq.desc())
    ).first()
    assert (
        entry is not None and entry.actor_name.startswith("admin") and '"refused":1' in entry.detail
    )


def test_import_into_an_empty_database(client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
    h = as_role("admin")
    assert client.get("/api/geo/site", headers=h).json() is None
    doc = collection(
        site_feature(),
        feature(square(100, 15), layer="zone", kind="community", code="c1", name_th="ชุมชน"),
    )
    report = client.post("/api/geo/import", json=doc, headers=h).json()
    assert report == {"created": 2, "updated": 0, "errors": []}
    assert client.get("/api/geo/site", headers=h).json()["code"] == "test-town"
