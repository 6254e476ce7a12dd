"""The live operations map in a real headless Chromium: markers change colour without reload."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from smartcity.devices import health
from smartcity.devices.sample import SAMPLE_DEVICES
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
GREEN, RED = "#16a34a", "#dc2626"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The app on a real server over the Phichit sample with its sample devices."""
    with live_server(tmp_path_factory.mktemp("live-map")) as server:
        yield server


def _post_reading(live: Live, code: str, values: dict[str, float]) -> None:
    """A reading through the real HTTP ingest endpoint, with the device's own token."""
    ts = (utcnow() - timedelta(seconds=5)).isoformat()
    body = {"readings": [{"device": code, "ts": ts, "values": values}]}
    headers = {"Authorization": f"Bearer {live.device_tokens[code]}"}
    r = httpx.post(f"{live.url}/api/devices/ingest", json=body, headers=headers)
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text


def _sweep_offline(live: Live) -> None:
    """The offline sweep as if an hour had passed, in the server's database and bus."""
    uow = live.uow()
    try:
        health.mark_offline(uow, utcnow() + timedelta(hours=1))
        uow.commit()
    finally:
        uow.session.close()


def test_markers_follow_device_status_live_and_the_chart_draws(live: Live) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="th-TH")
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{live.url}/login?next=/")
            page.fill("#username", USER)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{live.url}/")
            expect(page.locator("nav.mainnav")).to_contain_text("อุปกรณ์")

            # Every sample device is on the map, grey (unknown) until it reports.
            expect(page.locator("#map[data-devices=ready]")).to_be_attached(timeout=15_000)
            expect(page.locator("#map[data-live=open]")).to_be_attached(timeout=15_000)
            markers = page.locator("path.device-marker")
            expect(markers).to_have_count(len(SAMPLE_DEVICES))
            gauge = page.locator("path.device-marker[data-device='wl-nan-02']")
            expect(gauge).to_have_attribute("data-status", "unknown")
            legend = page.locator("[data-devices-legend]")
            expect(legend).to_contain_text("อุปกรณ์ตามสถานะ")
            page.evaluate("window.__sameDocument = true")  # gone if the page reloads

            # A reading comes in over HTTP: the marker turns green, without a reload.
            _post_reading(live, "wl-nan-02", {"level_m": 9.9})
            expect(gauge).to_have_attribute("data-status", "online")
            expect(gauge).to_have_attribute("fill", GREEN)
            expect(legend.locator("[data-count=online]")).to_have_text("1")

            # The offline sweep runs: red, still the same document.
            _sweep_offline(live)
            expect(gauge).to_have_attribute("data-status", "offline")
            expect(gauge).to_have_attribute("fill", RED)
            assert page.evaluate("window.__sameDocument === true")

            # The legend toggle hides and shows the devices layer.
            page.uncheck("input[data-layer='devices']")
            expect(markers).to_have_count(0)
            page.check("input[data-layer='devices']")
            expect(markers).to_have_count(len(SAMPLE_DEVICES))

            # The device page: latest values and a chart canvas.
            page.goto(f"{live.url}/devices?q=wl-nan-02")
            page.click("a[href^='/devices/'] >> text=wl-nan-02")
            expect(page).to_have_url(re.compile(r"/devices/\d+$"))
            expect(page.locator("tr[data-metric=level_m]")).to_contain_text("9.9")
            expect(page.locator("#device-chart[data-ready=true] canvas")).to_be_attached()
            assert not errors, errors
        finally:
            browser.close()
