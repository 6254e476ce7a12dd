"""Device operations pages: refused messages, the send-command form and batch reports."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from smartcity.devices import commands
from smartcity.devices import service as devices
from smartcity.devices.models import COMMAND_STATUSES, FINAL_COMMAND_STATUSES
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.web import devices_ops_pages
from tests.conftest import MakeUser
from tests.ngsi.conftest import city  # noqa: F401 - fixture used below
from tests.web.test_pages import csrf_of, login


@pytest.fixture
def operator(client: TestClient, make_user: MakeUser, city: dict[str, str]) -> TestClient:  # noqa: F811
    """A logged-in operator (devices.read and devices.write) over the sample city."""
    make_user("operator", username="op-ops")
    assert login(client, "op-ops").status_code == 303
    return client


def _refuse(client: TestClient, body: bytes, token: str = "not-a-token") -> None:
    """Send something the HTTP ingest refuses (it goes to the dead-letter table)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    client.post("/api/devices/ingest", content=body, headers=headers)


def test_page_statuses_match_the_models() -> None:
    assert devices_ops_pages.COMMAND_STATUSES == COMMAND_STATUSES
    assert frozenset(FINAL_COMMAND_STATUSES) == devices_ops_pages.FINAL_COMMAND_STATUSES


def test_dead_letters_show_reason_escaped_payload_and_filter(
    operator: TestClient,
    city: dict[str, str],  # noqa: F811
) -> None:
    _refuse(operator, b'{"readings": [{"device": "<script>alert(1)</script>"}]}')
    good = city["wl-nan-01"]
    _refuse(operator, b"{not json" + b"x" * 400, token=good)
    page = operator.get("/devices/dead-letters")
    assert page.status_code == 200
    rows = re.findall(r'<tr data-dead-letter="\d+" data-reason="(\w+)"', page.text)
    assert sorted(rows) == ["malformed_json", "unauthorised"]
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    assert "ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง" in page.text  # the Thai reason
    assert "<details>" in page.text  # the long payload is cut, with a way to see more
    only = operator.get("/devices/dead-letters", params={"reason": "malformed_json"}).text
    assert re.findall(r'data-reason="(\w+)"', only) == ["malformed_json"]
    assert (
        "data-dead-letter="
        not in operator.get("/devices/dead-letters", params={"source": "mqtt"}).text
    )
    assert (
        "data-dead-letter="
        not in operator.get("/devices/dead-letters", params={"since": "2999-01-01"}).text
    )
    operator.cookies.set("lang", "en")
    english = operator.get("/devices/dead-letters")
    assert "the body is not valid JSON" in english.text and "Refused messages" in english.text
    assert operator.get("/devices/dead-letters", params={"source": "pigeon"}).status_code == 400
    assert operator.get("/devices/dead-letters", params={"until": "yesterday"}).status_code == 422


def test_dead_letters_need_devices_read(client: TestClient, make_user: MakeUser) -> None:
    make_user("technician", username="tech-ops")
    login(client, "tech-ops")
    assert client.get("/devices/dead-letters").status_code == 200
    client.cookies.clear()
    make_user("police", username="police-ops")
    login(client, "police-ops")
    assert client.get("/devices/dead-letters").status_code == 403


def _device_id(uow: UnitOfWork, code: str) -> int:
    device = devices.find_device(uow.session, code)
    assert device is not None
    return device.id


def test_send_command_validates_and_opens_the_report(operator: TestClient, uow: UnitOfWork) -> None:
    speaker = _device_id(uow, "spk-west-01")
    box = operator.get(f"/devices/{speaker}/commands")
    assert box.status_code == 200 and "data-command-form" in box.text
    detail = operator.get(f"/devices/{speaker}").text
    assert f'hx-get="/devices/{speaker}/commands"' in detail
    token = csrf_of(operator, "/devices")
    bad = operator.post(
        f"/devices/{speaker}/commands",
        data={
            "command": "custom",
            "custom": "Play Now",
            "params": "[1]",
            "ttl": "2",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422
    for field in ("custom", "params", "ttl"):
        assert f'data-error-for="{field}"' in bad.text
    assert "พารามิเตอร์ต้องเป็นออบเจ็กต์ JSON" in bad.text
    sent = operator.post(
        f"/devices/{speaker}/commands",
        data={
            "command": "custom",
            "custom": "play",
            "params": '{"clip": "flood"}',
            "ttl": "60",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    report_url = sent.headers["location"]
    assert re.fullmatch(r"/devices/commands/[0-9a-f-]{36}", report_url)
    report = operator.get(report_url)
    assert report.status_code == 200
    assert 'data-open="true"' in report.text and 'hx-trigger="every 3s"' in report.text
    assert "spk-west-01" in report.text and 'data-count="queued"' in report.text
    htmx = operator.post(
        f"/devices/{speaker}/commands",
        data={"command": "reboot", "ttl": "60"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].startswith("/devices/commands/")


def test_report_stops_refreshing_once_every_command_has_a_final_answer(
    operator: TestClient, uow: UnitOfWork
) -> None:
    speaker = _device_id(uow, "spk-west-01")
    token = csrf_of(operator, "/devices")
    sent = operator.post(
        f"/devices/{speaker}/commands",
        data={"command": "reboot", "ttl": "5", "csrf_token": token},
        follow_redirects=False,
    )
    report_url = sent.headers["location"]
    commands.expire(uow, utcnow() + timedelta(minutes=1))  # the device never answered
    uow.commit()
    report = operator.get(report_url, headers={"HX-Request": "true", "HX-Target": "report"})
    assert "<html" not in report.text and 'data-open="false"' in report.text
    assert "every 3s" not in report.text
    assert 'data-command-status="expired"' in report.text and "ไม่ตอบภายในเวลา" in report.text
    unknown = "00000000-0000-0000-0000-000000000000"
    assert operator.get(f"/devices/commands/{unknown}").status_code == 404
    assert operator.get("/devices/commands/not-a-batch").status_code == 400


def test_only_writers_get_the_form(
    client: TestClient,
    make_user: MakeUser,
    uow: UnitOfWork,
    city: dict[str, str],  # noqa: F811
) -> None:
    speaker = _device_id(uow, "spk-west-01")
    make_user("technician", username="tech-cmd")  # devices.write
    login(client, "tech-cmd")
    assert "data-command-form" in client.get(f"/devices/{speaker}/commands").text
    client.cookies.clear()
    make_user("care_manager", username="care-cmd")
    login(client, "care-cmd")
    assert client.get(f"/devices/{speaker}/commands").status_code == 403
