"""The dashboard map and the zone and place pages, over the packaged Phichit sample."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.kit.pagination import PageParams
from smartcity.web.geo_pages import PLACE_KINDS, ZONE_KINDS
from smartcity.web.i18n import MESSAGES
from tests.conftest import MakeUser
from tests.web.test_pages import login


@pytest.fixture
def sample(uow: UnitOfWork) -> None:
    """The Phichit sample pack, committed to the test transaction."""
    geo.load_sample(uow)
    uow.commit()


def _map_config(html: str, map_id: str = "map") -> dict[str, Any]:
    match = re.search(
        rf'<script type="application/json" id="{map_id}-config">(.*?)</script>', html, re.S
    )
    assert match, "no map configuration on the page"
    config: dict[str, Any] = json.loads(match.group(1))
    return config


def test_every_geo_kind_has_labels_in_both_languages() -> None:
    for kind in ZONE_KINDS:
        assert f"zone_kind.{kind}" in MESSAGES
    for kind in PLACE_KINDS:
        assert f"place_kind.{kind}" in MESSAGES


def test_dashboard_shows_cards_sample_badge_and_map(
    client: TestClient, make_user: MakeUser, uow: UnitOfWork, sample: None
) -> None:
    make_user("admin", username="mayor")
    login(client, "mayor")
    r = client.get("/")
    assert r.status_code == 200
    summary = geo.site_summary(uow.session)
    assert 'data-card="dash.zones"' in r.text
    assert f'<span class="stat-value">{summary["zone_total"]}</span>' in r.text
    assert 'data-card="dash.users"' in r.text and 'data-card="dash.agencies"' in r.text
    assert "ข้อมูลตัวอย่าง" in r.text and "data-sample" in r.text
    assert "/static/vendor/leaflet/leaflet.js" in r.text
    config = _map_config(r.text)
    assert config["sources"] == {
        "zones": "/api/geo/zones.geojson",
        "places": "/api/geo/places.geojson",
    }
    assert config["tiles"] is None and config["labels"]["no_base"] == "ไม่มีแผนที่ฐาน"
    assert config["zone_kinds"]["community"] == "ชุมชน"
    # The data the map script fetches is reachable with the same session cookie.
    zones = client.get(config["sources"]["zones"]).json()
    assert zones["type"] == "FeatureCollection" and zones["features"]


def test_dashboard_for_police_hides_user_counts(
    client: TestClient, make_user: MakeUser, sample: None
) -> None:
    make_user("police", username="patrol")
    login(client, "patrol")
    r = client.get("/")
    assert r.status_code == 200
    assert 'data-card="dash.zones"' in r.text and 'data-card="dash.users"' not in r.text


def test_dashboard_without_site_still_renders(client: TestClient, make_user: MakeUser) -> None:
    make_user("admin", username="fresh")
    login(client, "fresh")
    r = client.get("/")
    assert r.status_code == 200


def test_tile_server_is_passed_to_the_map_when_configured(
    app: FastAPI, client: TestClient, make_user: MakeUser, sample: None
) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"map_tile_url": "/tiles/{z}/{x}/{y}.png", "map_tile_attribution": "© City GIS"}
    )
    make_user("admin", username="gis")
    login(client, "gis")
    config = _map_config(client.get("/").text)
    assert config["tiles"] == {"url": "/tiles/{z}/{x}/{y}.png", "attribution": "© City GIS"}


def test_zones_list_filter_and_detail(
    client: TestClient, make_user: MakeUser, uow: UnitOfWork, sample: None
) -> None:
    make_user("operator", username="opera")
    login(client, "opera")
    everything = client.get("/zones")
    assert everything.status_code == 200
    communities, total = geo.list_zones(uow.session, PageParams(1, 100), kind="community")
    r = client.get("/zones?kind=community&per_page=100")
    assert f"จาก {total}" in r.text
    assert all(z.code in r.text for z in communities)
    hazard, _ = geo.list_zones(uow.session, PageParams(1, 1), kind="hazard_area")
    assert hazard[0].code not in r.text
    zone = communities[0]
    detail = client.get(f"/zones/{zone.id}")
    assert detail.status_code == 200 and zone.name_th in detail.text
    config = _map_config(detail.text)
    assert config["zones"]["features"][0]["properties"]["code"] == zone.code
    inside = geo.places_in_zone(uow.session, zone.id)
    assert len(config["places"]["features"]) == len(inside)
    client.cookies.set("lang", "en")
    assert zone.name_en in client.get(f"/zones/{zone.id}").text


def test_zone_outside_the_callers_scope_is_not_found(
    client: TestClient, make_user: MakeUser, uow: UnitOfWork, sample: None
) -> None:
    zones, _ = geo.list_zones(uow.session, PageParams(1, 2), kind="community")
    mine, other = zones[0], zones[1]
    make_user("police", zones=[mine.id], username="beat")
    login(client, "beat")
    assert client.get(f"/zones/{mine.id}").status_code == 200
    assert client.get(f"/zones/{other.id}").status_code == 404
    listing = client.get("/zones?per_page=100")
    assert mine.code in listing.text and other.code not in listing.text


def test_places_list_search_and_detail(
    client: TestClient, make_user: MakeUser, uow: UnitOfWork, sample: None
) -> None:
    make_user("admin", username="mapper")
    login(client, "mapper")
    places, total = geo.list_places(uow.session, PageParams(1, 100))
    assert total > 0
    r = client.get("/places?per_page=10")
    assert f"จาก {total}" in r.text
    place = places[0]
    found = client.get("/places", params={"q": place.code})
    assert place.name_th in found.text
    by_kind = client.get("/places", params={"kind": place.kind, "per_page": 100})
    assert place.code in by_kind.text
    detail = client.get(f"/places/{place.id}")
    assert detail.status_code == 200
    config = _map_config(detail.text)
    assert config["places"]["features"][0]["geometry"]["coordinates"] == [place.lon, place.lat]
    assert client.get("/places/999999").status_code == 404
