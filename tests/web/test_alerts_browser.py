"""Alerts panel in a real headless Chromium: a flood alert appears live and is acknowledged."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from smartcity.alerts.sample import load_sample_rules
from smartcity.kit.clock import utcnow
from tests.live.server import PASSWORD, USER, Live, live_server
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("SMARTCITY_REQUIRE_BROWSER"),
        reason=f"no system Chromium at {CHROMIUM}",
    ),
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The app on a real server over the Phichit sample, its devices and the sample rules."""
    with live_server(tmp_path_factory.mktemp("alerts-panel")) as server:
        uow = server.uow()
        try:
            load_sample_rules(uow)
            uow.commit()
        finally:
            uow.session.close()
        yield server


def _post_level(live: Live, code: str, level_m: float) -> None:
    """A river level through the real HTTP ingest endpoint, with the gauge's own token."""
    ts = (utcnow() - timedelta(seconds=5)).isoformat()
    body = {"readings": [{"device": code, "ts": ts, "values": {"level_m": level_m}}]}
    headers = {"Authorization": f"Bearer {live.device_tokens[code]}"}
    r = httpx.post(f"{live.url}/api/devices/ingest", json=body, headers=headers)
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text


def test_flood_alert_appears_live_and_is_acknowledged(live: Live) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="th-TH")
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            streams: list[str] = []
            page.on(
                "request", lambda r: streams.append(r.url) if "/api/live/stream" in r.url else None
            )
            page.goto(f"{live.url}/login?next=/")
            page.fill("#username", USER)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{live.url}/")

            panel = page.locator("#alerts-panel")
            expect(panel.locator("[data-empty]")).to_be_visible(timeout=15_000)
            expect(page.locator("#map[data-live=open]")).to_be_attached(timeout=15_000)
            expect(panel).to_have_attribute("data-live", "open")
            page.evaluate("window.__sameDocument = true")  # gone if the page reloads

            # The Nan at the town gauge crosses 9.83 m: the panel shows the alert, no reload.
            _post_level(live, "wl-nan-02", 9.91)
            item = panel.locator("li[data-severity=critical]")
            expect(item).to_have_count(1)
            expect(item).to_have_attribute("data-alert-status", "raised")
            expect(item).to_contain_text("wl-nan-02")
            expect(item).to_contain_text("9.91")
            expect(panel.locator("[data-open-count]")).to_have_text("1")

            # Clicking the alert zooms the map to the gauge.
            item.locator("[data-zoom]").click()
            expect(page.locator("#map")).to_have_attribute(
                "data-zoomed-device",
                item.locator("[data-zoom]").get_attribute("data-device-id") or "",
            )

            # The operator acknowledges it with a note; the panel shows who and the note.
            item.locator("input[name=note]").fill("ส่งทีมปิดประตูระบายน้ำแล้ว")
            item.locator("button[data-ack]").click()
            acked = panel.locator("li[data-severity=critical]")
            expect(acked).to_have_attribute("data-alert-status", "acknowledged")
            expect(acked).to_contain_text("ส่งทีมปิดประตูระบายน้ำแล้ว")
            expect(acked.locator("button[data-ack]")).to_have_count(0)

            # The river falls below the clear threshold: the alert resolves and leaves the panel.
            _post_level(live, "wl-nan-02", 9.5)
            expect(panel.locator("li[data-alert]")).to_have_count(0)
            expect(panel.locator("[data-empty]")).to_be_visible()
            assert page.evaluate("window.__sameDocument === true")
            assert len(streams) == 1, streams  # the panel listened on the map's one stream
            assert not errors, errors
        finally:
            browser.close()
