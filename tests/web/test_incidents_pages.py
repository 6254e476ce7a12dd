"""Incident list (filters, pagination, map data) and the incident page with its timeline."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from smartcity.config import Settings
from smartcity.events import UnitOfWork
from smartcity.geo.schemas import ImportReport
from smartcity.incidents.sample import load_sample_incidents, load_sample_units
from smartcity.web.i18n import MESSAGES
from tests.incidents.conftest import (  # noqa: F401 (fixtures)
    household,
    make_unit,
    person,
    sample,
)


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-incident="(\d+)">', html)]


def test_list_filters_map_and_detail(
    client: TestClient,
    uow: UnitOfWork,
    settings: Settings,
    sample: ImportReport,  # noqa: F811
    as_role,  # type: ignore[no-untyped-def]
) -> None:
    assert load_sample_units(uow, settings) == 7
    assert load_sample_incidents(uow) == 3
    assert load_sample_units(uow, settings) == 0 and load_sample_incidents(uow) == 0
    uow.commit()
    assert MESSAGES["nav.incidents"] == ("แจ้งเหตุ", "Incidents")
    assert client.get("/incidents", headers=as_role("technician")).status_code == 403
    h = as_role("operator")
    page = client.get("/incidents", headers=h)
    assert page.status_code == 200 and 'href="/incidents"' in page.text
    every = _ids(page.text)
    assert len(every) == 3 and "ข้อมูลตัวอย่าง" in page.text
    red = client.get("/incidents", params={"level": "red"}, headers=h)
    assert len(_ids(red.text)) == 1 and 'data-level="red"' in red.text
    fragment = h | {"HX-Request": "true", "HX-Target": "results"}
    on_scene = client.get("/incidents", params={"status": "on_scene"}, headers=fragment)
    assert len(_ids(on_scene.text)) == 1 and "<html" not in on_scene.text
    paged = client.get("/incidents", params={"per_page": 10, "page": 2}, headers=h)
    assert _ids(paged.text) == []
    assert client.get("/incidents", params={"level": "purple"}, headers=h).status_code == 400
    features = client.get("/incidents.geojson", headers=h).json()["features"]
    assert len(features) == 3 and {f["properties"]["level"] for f in features} >= {"red"}

    detail = client.get(f"/incidents/{every[-1]}", headers=h)
    assert detail.status_code == 200 and 'data-step="reported"' in detail.text
    assert 'hx-trigger="every 3s"' in detail.text
    client.cookies.set("lang", "en")
    english = client.get(f"/incidents/{every[-1]}/timeline", headers=h).text
    assert "Timeline" in english and "<html" not in english
    assert client.get("/incidents/999999", headers=h).status_code == 404
