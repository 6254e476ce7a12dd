"""Alert pages: the dashboard panel, the list with filters, one alert and its lifecycle."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from smartcity.alerts.sample import load_sample_rules
from smartcity.devices import service as devices
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.web.alerts_pages import LABELS, SEVERITIES
from tests.conftest import MakeUser
from tests.ngsi.conftest import Post, city, post  # noqa: F401 - fixtures used below
from tests.web.test_pages import csrf_of, login

FLOOD_TH = "ระดับน้ำน่านถึงเกณฑ์ปิดประตูระบายน้ำและเดินเครื่องสูบน้ำ"


@pytest.fixture
def rules(uow: UnitOfWork, city: dict[str, str]) -> None:  # noqa: F811
    """The sample Phichit rules (flood at 9.83 m, PM2.5, offline cameras...)."""
    load_sample_rules(uow)
    uow.commit()


@pytest.fixture
def operator(client: TestClient, make_user: MakeUser, rules: None) -> TestClient:
    """A logged-in operator (may manage alerts) over the sample city and rules."""
    make_user("operator", username="op-alerts")
    assert login(client, "op-alerts").status_code == 303
    return client


def _alert_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-alert="(\d+)"', html)]


def _raise_flood_and_pm(post: Post) -> None:  # noqa: F811
    post("wl-nan-01", {"level_m": 9.9})  # crosses 9.83 m: critical
    post("aq-market", {"pm25": 60.0, "pm10": 70.0})  # over 50: warning


def test_every_severity_and_status_has_both_languages() -> None:
    for severity in SEVERITIES:
        assert f"severity.{severity}" in LABELS
    for status in ("open", "raised", "acknowledged", "resolved"):
        assert all(LABELS[f"status.{status}"])


def test_panel_lists_open_alerts_critical_first_in_both_languages(
    operator: TestClient,
    post: Post,  # noqa: F811
) -> None:
    empty = operator.get("/alerts/panel")
    assert empty.status_code == 200 and "data-empty" in empty.text
    post("aq-market", {"pm25": 60.0, "pm10": 70.0})  # the warning is raised first...
    post("wl-nan-01", {"level_m": 9.9})  # ...the critical one later
    panel = operator.get("/alerts/panel").text
    severities = re.findall(
        r'<li data-alert="\d+" data-alert-status="raised" data-severity="(\w+)"', panel
    )
    assert severities == ["critical", "warning"]
    assert FLOOD_TH in panel and "wl-nan-01" in panel and "9.9" in panel
    assert 'data-zoom data-lat="' in panel and "วิกฤต" in panel
    assert 'hx-post="/alerts/' in panel and "รับทราบ" in panel
    assert "data-open-count>2<" in panel
    operator.cookies.set("lang", "en")
    english = operator.get("/alerts/panel").text
    assert "Critical" in english and "Acknowledge" in english and "Nan" in english
    dashboard = operator.get("/").text
    assert 'hx-get="/alerts/panel"' in dashboard and "/static/js/alerts-panel.js" in dashboard


def test_acknowledge_from_the_panel_returns_the_fresh_panel(
    operator: TestClient,
    post: Post,  # noqa: F811
) -> None:
    _raise_flood_and_pm(post)
    first = _alert_ids(operator.get("/alerts/panel").text)[0]
    token = csrf_of(operator, "/alerts")
    headers = {"HX-Request": "true", "HX-Target": "alerts-panel", "X-CSRF-Token": token}
    r = operator.post(f"/alerts/{first}/acknowledge", data={"note": "ทีมกำลังไป"}, headers=headers)
    assert r.status_code == 200 and "<html" not in r.text
    assert f'data-alert="{first}" data-alert-status="acknowledged"' in r.text
    assert "ทีมกำลังไป" in r.text
    # Acknowledging twice is a conflict, not a 500.
    again = operator.post(f"/alerts/{first}/acknowledge", data={}, headers=headers)
    assert again.status_code == 409


def test_writes_need_the_csrf_token(operator: TestClient, post: Post) -> None:  # noqa: F811
    _raise_flood_and_pm(post)
    first = _alert_ids(operator.get("/alerts/panel").text)[0]
    r = operator.post(f"/alerts/{first}/acknowledge", data={"note": "x"}, follow_redirects=False)
    assert r.status_code == 403
    detail = operator.get(f"/alerts/{first}").text
    assert 'data-alert-status="raised"' in detail


def test_list_filters_and_pages(operator: TestClient, post: Post) -> None:  # noqa: F811
    _raise_flood_and_pm(post)
    listing = operator.get("/alerts")
    assert listing.status_code == 200 and len(_alert_ids(listing.text)) == 2
    assert 'href="/alerts"' in listing.text  # in the nav
    critical = operator.get("/alerts", params={"severity": "critical"}).text
    assert len(_alert_ids(critical)) == 1 and "wl-nan-01" in critical
    assert _alert_ids(operator.get("/alerts", params={"status": "resolved"}).text) == []
    assert len(_alert_ids(operator.get("/alerts", params={"since": "2020-01-01"}).text)) == 2
    assert _alert_ids(operator.get("/alerts", params={"since": "2999-01-01"}).text) == []
    fragment = operator.get(
        "/alerts", params={"per_page": 10}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert "<html" not in fragment.text and "1–2" in fragment.text
    assert operator.get("/alerts", params={"status": "exploded"}).status_code == 400
    assert operator.get("/alerts", params={"since": "31/12/2567"}).status_code == 422
    assert operator.get("/alerts", params={"severity": "apocalyptic"}).status_code == 400


def test_detail_shows_the_lifecycle_and_resolve_needs_a_note(
    operator: TestClient,
    post: Post,  # noqa: F811
) -> None:
    post("wl-nan-01", {"level_m": 9.9})
    alert_id = _alert_ids(operator.get("/alerts").text)[0]
    token = csrf_of(operator, f"/alerts/{alert_id}")
    ack = operator.post(
        f"/alerts/{alert_id}/acknowledge",
        data={"note": "รับเรื่องแล้ว", "csrf_token": token},
        follow_redirects=False,
    )
    assert ack.status_code == 303 and ack.headers["location"] == f"/alerts/{alert_id}"
    empty = operator.post(f"/alerts/{alert_id}/resolve", data={"note": " ", "csrf_token": token})
    assert empty.status_code == 422 and "โปรดระบุเหตุผลที่ปิดการแจ้งเตือน" in empty.text
    done = operator.post(
        f"/alerts/{alert_id}/resolve", data={"note": "สูบน้ำแล้ว", "csrf_token": token}
    )
    assert done.status_code == 200
    page = done.text
    for step in ("raised", "acknowledged", "resolved"):
        assert f'data-step="{step}"' in page
    assert "รับเรื่องแล้ว" in page and "สูบน้ำแล้ว" in page and "op-alerts" in page
    assert str(utcnow().year + 543) in page  # Buddhist Era year
    assert operator.get("/alerts/999999").status_code == 404


def test_panel_and_pages_by_role(
    client: TestClient,
    make_user: MakeUser,
    rules: None,
    post: Post,  # noqa: F811
) -> None:
    post("wl-nan-01", {"level_m": 9.9})
    assert client.get("/alerts", follow_redirects=False).status_code == 303
    make_user("police", username="police-alerts")  # alerts.read, not manage, no devices.read
    login(client, "police-alerts")
    panel = client.get("/alerts/panel").text
    assert "wl-nan-01" in panel and "hx-post" not in panel
    assert "every 30s" in panel  # no live stream for this role: the panel polls
    alert_id = _alert_ids(panel)[0]
    token = csrf_of(client, f"/alerts/{alert_id}")
    r = client.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token})
    assert r.status_code == 403


def test_zone_scoped_reader_sees_only_their_zone(
    client: TestClient,
    make_user: MakeUser,
    uow: UnitOfWork,
    rules: None,
    post: Post,  # noqa: F811
) -> None:
    post("wl-nan-01", {"level_m": 9.9})
    gauge = devices.find_device(uow.session, "wl-nan-01")
    assert gauge is not None and gauge.zone_id is not None
    make_user("operator", zones=[gauge.zone_id], username="op-here")
    make_user("operator", zones=[999_999], username="op-elsewhere")
    login(client, "op-here")
    alert_id = _alert_ids(client.get("/alerts/panel").text)[0]
    assert client.get(f"/alerts/{alert_id}").status_code == 200
    client.cookies.clear()
    login(client, "op-elsewhere")
    assert _alert_ids(client.get("/alerts/panel").text) == []
    assert _alert_ids(client.get("/alerts").text) == []
    assert client.get(f"/alerts/{alert_id}").status_code == 404
