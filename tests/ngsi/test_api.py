"""NGSI-LD read API over the Phichit sample devices: JSON-LD shape, queries, geo, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartcity.devices.sample import SAMPLE_DEVICES
from smartcity.ngsi.context import CONTEXT_PATH
from smartcity.ngsi.query import distance_m
from tests.ngsi.conftest import Post

BASE = "/ngsi-ld/v1"
LD = "application/ld+json"
ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
TOWN_PIER = (16.4480, 100.3448)  # wl-nan-02


@pytest.fixture
def reader(as_role: Any, city: dict[str, str]) -> dict[str, str]:
    """Bearer headers of an operator (devices.read)."""
    headers: dict[str, str] = as_role("operator")
    return headers


def get(client: TestClient, headers: dict[str, str], path: str, **params: Any) -> Any:
    """GET and return the response."""
    return client.get(BASE + path, params=params, headers=headers)


def test_device_and_water_observed_entities_have_the_ngsi_ld_shape(
    client: TestClient, reader: dict[str, str], post: Post
) -> None:
    post("wl-nan-02", {"level_m": 9.91, "battery": 80, "signal": -71})
    r = get(client, reader, "/entities/urn:ngsi-ld:Device:wl-nan-02")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert 'rel="http://www.w3.org/ns/json-ld#context"' in r.headers["link"]
    assert CONTEXT_PATH in r.headers["link"]
    device = r.json()
    assert "@context" not in device
    assert device["id"] == "urn:ngsi-ld:Device:wl-nan-02" and device["type"] == "Device"
    assert device["location"] == {
        "type": "GeoProperty",
        "value": {"type": "Point", "coordinates": [100.3448, 16.4480]},
    }
    assert device["deviceState"] == {"type": "Property", "value": "online"}
    assert device["batteryLevel"]["value"] == 0.8
    assert device["level_m"]["type"] == "Property" and device["level_m"]["value"] == 9.91
    assert device["level_m"]["observedAt"].endswith("Z")
    assert device["refZone"]["type"] == "Relationship"
    assert device["refZone"]["object"].startswith("urn:ngsi-ld:Zone:")

    r = get(client, {**reader, "Accept": LD}, "/entities/urn:ngsi-ld:WaterObserved:wl-nan-02")
    assert r.status_code == 200 and r.headers["content-type"].startswith(LD)
    water = r.json()
    assert water["@context"].endswith(CONTEXT_PATH) and "link" not in r.headers
    assert water["type"] == "WaterObserved"
    assert water["height"]["value"] == 9.91 and water["height"]["unitCode"] == "MTR"
    assert water["height"]["observedAt"] == device["level_m"]["observedAt"]
    assert water["refDevice"] == {"type": "Relationship", "object": "urn:ngsi-ld:Device:wl-nan-02"}
    assert water["dateObserved"]["value"]["@type"] == "DateTime"


def test_query_by_type_with_projection_pagination_and_count(
    client: TestClient, reader: dict[str, str]
) -> None:
    water_codes = sorted(c for c, kind, *_ in SAMPLE_DEVICES if kind == "water_level")
    r = get(client, reader, "/entities", type="WaterObserved", attrs="location", count="true")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [e["id"] for e in body] == [f"urn:ngsi-ld:WaterObserved:{c}" for c in water_codes]
    assert all(set(e) == {"id", "type", "location"} for e in body)
    assert r.headers["ngsild-results-count"] == str(len(water_codes))

    r = get(client, reader, "/entities", type="Device", limit="5", offset="5", count="true")
    devices = r.json()
    assert len(devices) == 5 and r.headers["ngsild-results-count"] == str(len(SAMPLE_DEVICES))
    everything = get(client, reader, "/entities", type="Device", limit="100").json()
    assert [e["id"] for e in devices] == [e["id"] for e in everything[5:10]]


def test_simple_q_filters_on_values_and_states(
    client: TestClient, reader: dict[str, str], post: Post
) -> None:
    post("wl-nan-01", {"level_m": 9.95})
    post("wl-nan-03", {"level_m": 7.2})
    high = get(client, reader, "/entities", type="WaterObserved", q="height>=9.83").json()
    assert [e["id"] for e in high] == ["urn:ngsi-ld:WaterObserved:wl-nan-01"]
    ranged = get(client, reader, "/entities", type="WaterObserved", q="height==7..8").json()
    assert [e["id"] for e in ranged] == ["urn:ngsi-ld:WaterObserved:wl-nan-03"]
    online = get(client, reader, "/entities", type="Device", q='deviceState=="online"').json()
    assert {e["id"] for e in online} == {
        "urn:ngsi-ld:Device:wl-nan-01",
        "urn:ngsi-ld:Device:wl-nan-03",
    }
    cams = get(
        client, reader, "/entities", type="Device", q="deviceCategory==camera;deviceState!=online"
    )
    assert len(cams.json()) == 3
    simple = get(
        client, reader, "/entities", id="urn:ngsi-ld:Device:wl-nan-01", options="keyValues"
    )
    assert simple.json()[0]["level_m"] == 9.95 and simple.json()[0]["deviceState"] == "online"


def test_near_and_within_geo_queries(client: TestClient, reader: dict[str, str]) -> None:
    lat0, lon0 = TOWN_PIER
    expected = sorted(
        f"urn:ngsi-ld:Device:{code}"
        for code, _k, _th, _en, lat, lon in SAMPLE_DEVICES
        if distance_m(lat0, lon0, lat, lon) <= 300
    )
    assert 1 < len(expected) < len(SAMPLE_DEVICES)  # the query must separate something
    r = get(
        client,
        reader,
        "/entities",
        type="Device",
        georel="near;maxDistance==300",
        geometry="Point",
        coordinates=json.dumps([lon0, lat0]),
    )
    assert r.status_code == 200, r.text
    assert [e["id"] for e in r.json()] == expected

    # A box around the east bank (east of 100.352).
    box = [[[100.352, 16.43], [100.36, 16.43], [100.36, 16.46], [100.352, 16.46], [100.352, 16.43]]]
    r = get(
        client,
        reader,
        "/entities",
        type="Device",
        georel="within",
        geometry="Polygon",
        coordinates=json.dumps(box),
        limit="100",
    )
    inside = {
        f"urn:ngsi-ld:Device:{c}" for c, _k, _t, _e, lat, lon in SAMPLE_DEVICES if lon > 100.352
    }
    assert {e["id"] for e in r.json()} == inside and inside


@pytest.mark.parametrize(
    "params",
    [
        {},  # no filter at all
        {"type": "Device", "q": "height>>3"},
        {"type": "Device", "q": "(a==1|b==2)"},
        {"type": "Device", "georel": "near;maxDistance==100"},  # no geometry
        {
            "type": "Device",
            "georel": "near;maxDistance==x",
            "geometry": "Point",
            "coordinates": "[100.3,16.4]",
        },
        {"type": "Device", "georel": "within", "geometry": "Point", "coordinates": "[100.3,16.4]"},
        {"type": "Device", "georel": "within", "geometry": "Polygon", "coordinates": "[[1,2]]"},
        {
            "type": "Device",
            "georel": "near;maxDistance==5",
            "geometry": "Point",
            "coordinates": "not json",
        },
        {
            "type": "Device",
            "georel": "near;maxDistance==5",
            "geometry": "Point",
            "coordinates": "[500,99]",
        },
        {"type": "Device", "limit": "-1"},
        {"type": "Device", "limit": "5000"},
        {"type": "Device", "attrs": "bad name"},
    ],
)
def test_bad_queries_answer_ngsi_ld_bad_request_data(
    client: TestClient, reader: dict[str, str], params: dict[str, str]
) -> None:
    r = get(client, reader, "/entities", **params)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["type"] == ERRORS + "BadRequestData"
    assert body["detail"] and body["detail_th"] != ""


def test_unknown_entity_types_and_accept(client: TestClient, reader: dict[str, str]) -> None:
    r = get(client, reader, "/entities/urn:ngsi-ld:Device:no-such-device")
    assert r.status_code == 404 and r.json()["type"] == ERRORS + "ResourceNotFound"
    r = get(client, reader, "/entities/urn:ngsi-ld:WaterObserved:aq-market")  # wrong type
    assert r.status_code == 404
    r = get(client, reader, "/entities/not-a-uri")
    assert r.status_code == 400 and r.json()["type"] == ERRORS + "InvalidRequest"
    r = client.get(BASE + "/types", headers={**reader, "Accept": "text/html"})
    assert r.status_code == 406 and r.json()["type"] == ERRORS + "NotAcceptable"
    types = get(client, reader, "/types").json()
    assert types["type"] == "EntityTypeList"
    assert types["typeList"] == ["Device", "WaterObserved", "AirQualityObserved", "WeatherObserved"]
    assert get(client, reader, "/entities", type="Parking").json() == []
    context = client.get(BASE + "/context.jsonld").json()["@context"]
    assert context[0]["WaterObserved"].startswith("https://smartdatamodels.org/")


def test_permission_and_zone_scope(client: TestClient, as_role: Any, city: dict[str, str]) -> None:
    assert client.get(BASE + "/types").status_code == 401
    r = client.get(BASE + "/types", headers=as_role("police"))
    assert r.status_code == 403
    everything = get(client, as_role("operator"), "/entities", type="Device", limit="100").json()
    zoned = [e for e in everything if "refZone" in e]
    zone_urn = zoned[0]["refZone"]["object"]
    zone_id = _zone_id(client, as_role("operator"), zone_urn)
    scoped = as_role("technician", zones=[zone_id])
    seen = get(client, scoped, "/entities", type="Device", limit="100").json()
    assert seen and len(seen) < len(everything)
    assert all(e.get("refZone", {}).get("object", zone_urn) == zone_urn for e in seen)
    hidden = next(e for e in zoned if e["refZone"]["object"] != zone_urn)
    assert get(client, scoped, "/entities/" + hidden["id"]).status_code == 404


def _zone_id(client: TestClient, headers: dict[str, str], urn: str) -> int:
    code = urn.rsplit(":", 1)[1]
    zones = client.get("/api/geo/zones", params={"q": code, "per_page": 100}, headers=headers)
    return int(next(z["id"] for z in zones.json()["items"] if z["code"] == code))
