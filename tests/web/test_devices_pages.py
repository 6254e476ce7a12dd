"""Device list and detail pages, the devices map data and the dashboard's live layer."""

from __future__ import annotations

import json
import re
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient

from smartcity.devices.sample import SAMPLE_DEVICES
from smartcity.devices.schemas import DeviceKind, Status
from smartcity.web.i18n import MESSAGES
from tests.conftest import MakeUser
from tests.ngsi.conftest import Post, city, post  # noqa: F401 - fixtures used below
from tests.web.test_pages import login


@pytest.fixture
def operator(client: TestClient, make_user: MakeUser, city: dict[str, str]) -> TestClient:  # noqa: F811
    """A logged-in operator over the sample city."""
    make_user("operator", username="op-devices")
    assert login(client, "op-devices").status_code == 303
    return client


def _ids(html: str) -> list[str]:
    return re.findall(r'<tr data-device="([^"]+)">', html)


def test_every_device_kind_and_status_has_labels() -> None:
    for kind in get_args(DeviceKind):
        assert f"device_kind.{kind}" in MESSAGES
    for status in get_args(Status):
        assert f"device_status.{status}" in MESSAGES
    assert MESSAGES["nav.devices"] == ("อุปกรณ์", "Devices")


def test_list_searches_filters_and_pages(operator: TestClient, post: Post) -> None:  # noqa: F811
    page = operator.get("/devices", params={"per_page": 10})
    assert page.status_code == 200
    assert 'href="/devices"' in page.text and "อุปกรณ์" in page.text  # in the nav
    assert len(_ids(page.text)) == 10 and "1–10" in page.text
    water = operator.get("/devices", params={"kind": "water_level"})
    assert sorted(_ids(water.text)) == ["wl-nan-01", "wl-nan-02", "wl-nan-03"]
    assert _ids(operator.get("/devices", params={"q": "bridge"}).text) == ["cam-bridge-01"]
    post("aq-market", {"pm25": 41.0, "pm10": 60.0})
    online = operator.get("/devices", params={"status": "online"})
    assert _ids(online.text) == ["aq-market"]
    assert 'data-status="online"' in online.text and "ออนไลน์" in online.text
    fragment = operator.get(
        "/devices",
        params={"status": "unknown"},
        headers={"HX-Request": "true", "HX-Target": "results"},
    )
    assert "<html" not in fragment.text and len(_ids(fragment.text)) == len(SAMPLE_DEVICES) - 1
    assert operator.get("/devices", params={"status": "exploded"}).status_code == 400


def test_detail_shows_latest_values_and_chart_data(operator: TestClient, post: Post) -> None:  # noqa: F811
    post("wl-nan-01", {"level_m": 9.5, "battery": 90})
    listing = operator.get("/devices", params={"q": "wl-nan-01"}).text
    device_id = re.search(r'href="/devices/(\d+)"', listing).group(1)  # type: ignore[union-attr]
    page = operator.get(f"/devices/{device_id}")
    assert page.status_code == 200
    assert 'data-metric="level_m"' in page.text and "9.5" in page.text
    config = _json(page.text, "device-chart-config")
    assert config["series"]["level_m"][1] == [9.5]
    assert config["stream"] == "/api/live/stream"
    assert "/static/vendor/uplot/uPlot.iife.min.js" in page.text
    assert operator.get("/devices/999999").status_code == 404


def test_map_data_and_dashboard_layer(operator: TestClient) -> None:
    data = operator.get("/devices.geojson").json()
    codes = {f["properties"]["code"] for f in data["features"]}
    assert codes == {code for code, *_ in SAMPLE_DEVICES}
    assert {f["properties"]["status"] for f in data["features"]} == {"unknown"}
    dashboard = operator.get("/").text
    live = _json(dashboard, "devices-live-config")
    assert (
        live["source"] == "/devices.geojson" and live["labels"]["statuses"]["offline"] == "ออฟไลน์"
    )
    assert "/static/js/live-map.js" in dashboard


def test_pages_need_devices_read(client: TestClient, make_user: MakeUser) -> None:
    assert client.get("/devices", follow_redirects=False).status_code == 303
    make_user("police", username="police-devices")
    login(client, "police-devices")
    assert client.get("/devices").status_code == 403
    assert client.get("/devices.geojson").status_code == 403
    assert "devices-live-config" not in client.get("/").text


def _json(html: str, element_id: str) -> Any:
    found = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S
    )
    assert found, f"no {element_id} on the page"
    return json.loads(found.group(1))
