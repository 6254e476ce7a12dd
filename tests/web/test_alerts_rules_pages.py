"""The alert rules editor: list, create and edit with per-field errors, disable, delete."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartcity.alerts import service as alerts
from smartcity.alerts.sample import load_sample_rules
from smartcity.events import UnitOfWork
from smartcity.kit.pagination import PageParams
from tests.conftest import MakeUser
from tests.ngsi.conftest import Post, city, post  # noqa: F401 - fixtures used below
from tests.web.test_pages import csrf_of, login


@pytest.fixture
def manager(
    client: TestClient,
    make_user: MakeUser,
    uow: UnitOfWork,
    city: dict[str, str],  # noqa: F811
) -> TestClient:
    """A logged-in operator with the sample rules loaded."""
    load_sample_rules(uow)
    uow.commit()
    make_user("operator", username="op-rules")
    assert login(client, "op-rules").status_code == 303
    return client


def _rule_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-rule="(\d+)"', html)]


def _form(**changes: Any) -> dict[str, Any]:
    base = {
        "name_th": "ระดับน้ำสูง (ทดสอบ)",
        "name_en": "High water (test)",
        "kind": "threshold",
        "metric": "level_m",
        "operator": ">=",
        "threshold": "9.5",
        "clear_threshold": "9.4",
        "scope": "kind",
        "device_kind": "water_level",
        "severity": "warning",
        "enabled": "on",
    }
    return {k: v for k, v in (base | changes).items() if v is not None}


def test_list_shows_sample_rules_and_filters(manager: TestClient) -> None:
    page = manager.get("/alerts/rules")
    assert page.status_code == 200 and len(_rule_ids(page.text)) == 6
    assert "ระดับน้ำน่าน" in page.text and "level_m &gt;= 9.83" in page.text
    offline = manager.get("/alerts/rules", params={"kind": "device_offline"})
    assert len(_rule_ids(offline.text)) == 2
    assert manager.get("/alerts/rules", params={"kind": "magic"}).status_code == 400
    manager.cookies.set("lang", "en")
    assert "Device offline" in manager.get("/alerts/rules").text


def test_create_shows_per_field_errors_in_thai_and_english(
    manager: TestClient, uow: UnitOfWork
) -> None:
    token = csrf_of(manager, "/alerts/rules/new")
    # Pydantic-level problems: a threshold that is not a number, a metric with capitals.
    bad = manager.post(
        "/alerts/rules", data=_form(threshold="lots", metric="Level", csrf_token=token)
    )
    assert bad.status_code == 422
    assert re.search(r'data-error-for="threshold">ต้องเป็นตัวเลข<', bad.text)
    assert 'data-error-for="metric"' in bad.text
    assert 'value="lots"' in bad.text  # what was typed stays in the form
    # Rule-level problems from the service: the clear threshold on the wrong side.
    wrong = manager.post("/alerts/rules", data=_form(clear_threshold="10", csrf_token=token))
    assert wrong.status_code == 422
    assert "ค่าเกณฑ์ยกเลิกต้องไม่สูงกว่าค่าเกณฑ์แจ้งเตือน" in wrong.text
    manager.cookies.set("lang", "en")
    english = manager.post(
        "/alerts/rules", data=_form(kind="rate_of_change", window_minutes=None, csrf_token=token)
    )
    assert english.status_code == 422
    assert re.search(
        r'data-error-for="window_minutes">a window in minutes is required<', english.text
    )
    _rows, total = alerts.list_rules(uow.session, PageParams(1, 50))
    assert total == 6  # nothing was stored


def test_create_edit_disable_and_delete(manager: TestClient, uow: UnitOfWork) -> None:
    token = csrf_of(manager, "/alerts/rules/new")
    created = manager.post("/alerts/rules", data=_form(csrf_token=token), follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"] == "/alerts/rules"
    rows, _total = alerts.list_rules(uow.session, PageParams(1, 50), kind="threshold")
    rule = next(r for r in rows if r.name_en == "High water (test)")
    assert (rule.threshold, rule.clear_threshold, rule.device_kind) == (9.5, 9.4, "water_level")

    editor = manager.get(f"/alerts/rules/{rule.id}")
    assert editor.status_code == 200 and 'value="9.5"' in editor.text
    changed = manager.post(
        f"/alerts/rules/{rule.id}",
        data=_form(threshold="9.6", severity="critical", csrf_token=token),
        follow_redirects=False,
    )
    assert changed.status_code == 303
    uow.session.expire_all()
    assert alerts.get_rule(uow.session, rule.id).threshold == 9.6

    off = manager.post(
        f"/alerts/rules/{rule.id}/enabled", data={"enabled": "false", "csrf_token": token}
    )
    assert off.status_code == 200 and f'data-rule="{rule.id}" class="row-off"' in off.text
    uow.session.expire_all()
    assert alerts.get_rule(uow.session, rule.id).enabled is False

    gone = manager.post(f"/alerts/rules/{rule.id}/delete", data={"csrf_token": token})
    assert gone.status_code == 200 and rule.id not in _rule_ids(gone.text)


def test_a_rule_with_alerts_cannot_be_deleted_but_can_be_disabled(
    manager: TestClient,
    uow: UnitOfWork,
    post: Post,  # noqa: F811
) -> None:
    post("wl-nan-01", {"level_m": 9.9})
    rows, _total = alerts.list_rules(uow.session, PageParams(1, 50), kind="threshold")
    flood = next(r for r in rows if r.metric == "level_m")
    token = csrf_of(manager, "/alerts/rules")
    refused = manager.post(f"/alerts/rules/{flood.id}/delete", data={"csrf_token": token})
    assert refused.status_code == 409 and "ปิดการใช้งานแทนการลบ" in refused.text
    off = manager.post(
        f"/alerts/rules/{flood.id}/enabled", data={"enabled": "false", "csrf_token": token}
    )
    assert off.status_code == 200
    panel = manager.get("/alerts/panel").text
    assert "data-empty" in panel  # disabling resolved the open flood alert


def test_readers_see_rules_but_cannot_edit(
    client: TestClient,
    make_user: MakeUser,
    uow: UnitOfWork,
    city: dict[str, str],  # noqa: F811
) -> None:
    load_sample_rules(uow)
    uow.commit()
    make_user("police", username="police-rules")
    login(client, "police-rules")
    listing = client.get("/alerts/rules")
    assert listing.status_code == 200 and "data-toggle" not in listing.text
    rule_id = _rule_ids(listing.text)[0]
    editor = client.get(f"/alerts/rules/{rule_id}")
    assert editor.status_code == 200 and '<fieldset class="form-grid" disabled' in editor.text
    assert client.get("/alerts/rules/new").status_code == 403
    token = csrf_of(client, "/alerts/rules")
    assert client.post("/alerts/rules", data=_form(csrf_token=token)).status_code == 403


def test_zone_limited_manager_cannot_write_kind_wide_rules(
    client: TestClient,
    make_user: MakeUser,
    city: dict[str, str],  # noqa: F811
) -> None:
    make_user("operator", zones=[999_999], username="op-zone")
    login(client, "op-zone")
    token = csrf_of(client, "/alerts/rules")
    r = client.post("/alerts/rules", data=_form(csrf_token=token))
    assert r.status_code == 403
