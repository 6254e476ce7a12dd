"""The broadcast report in a real headless Chromium, with real speaker agents on a real broker:
an operator sends from the console and watches the speakers acknowledge without reloading,
then stops a long announcement with the Stop button."""

from __future__ import annotations

import re

import pytest

from tests.broadcast.delivery.harness import City, set_policy
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, pytestmark

__all__ = ["pytestmark"]
CODES = ("spk-1", "spk-2")
REPORT_URL = re.compile(r"/broadcast/deliveries/\d+$")


def test_operator_watches_speakers_acknowledge_live_then_stops_a_long_broadcast(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect, sync_playwright

    set_policy(monkeypatch, lead_s=1, ack_grace_s=10, retries=0)
    for code in CODES:
        city.add_speaker(code)
        city.agent(code)
    city.wait_connected(list(CODES))
    short = city.announcement("ข่าวสั้น", 2.0)
    long = city.announcement("ข่าวยาว", 60.0)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            polls: list[str] = []
            page.on("request", lambda r: polls.append(r.url) if r.url.endswith("/report") else None)
            page.goto(f"{city.base}/login?next=/broadcast/announcements/{short.id}")
            page.fill("#username", "op1")
            page.fill("#password", "a-long-password-1")
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{city.base}/broadcast/announcements/{short.id}")

            # Send now: the report opens and fills in by itself as the agents answer.
            page.click("[data-send]")
            expect(page).to_have_url(REPORT_URL)
            page.evaluate("window.sameLoad = true")  # gone if the page were reloaded
            report = page.locator("#report")
            expect(report).to_have_attribute("data-status", "sending")
            for code in CODES:
                row = page.locator(f'[data-speaker-results] [data-speaker="{code}"]')
                expect(row).to_have_attribute("data-result", "played", timeout=60_000)
            expect(page.locator('[data-count="played"]')).to_contain_text("2")
            city.background.sweeper.run_once()  # finishes it (the sweeper runs every 30 s)
            expect(report).to_have_attribute("data-status", "done", timeout=15_000)
            expect(report.locator("[data-outcome]")).to_have_attribute("data-outcome", "played")
            expect(report).not_to_have_attribute("hx-trigger", "every 2s")
            assert page.evaluate("window.sameLoad") is True
            seen = len(polls)
            page.wait_for_timeout(5_000)  # more than two polling periods
            assert len(polls) == seen, "the finished report is still being polled"

            # A long one: Stop asks first, then every speaker stops and the report says who.
            page.goto(f"{city.base}/broadcast/announcements/{long.id}")
            page.click("[data-send]")
            expect(page).to_have_url(REPORT_URL)
            for code in CODES:
                row = page.locator(f'[data-speaker-results] [data-speaker="{code}"]')
                expect(row).to_have_attribute("data-result", "playing", timeout=60_000)
            page.once("dialog", lambda d: d.dismiss())
            page.click("[data-stop]")
            expect(page.locator("[data-stopped]")).to_have_count(0)  # dismissed: still playing
            questions: list[str] = []
            page.once("dialog", lambda d: (questions.append(d.message), d.accept()))
            page.click("[data-stop]")
            expect(page.locator("[data-stopped]")).to_contain_text("op1")
            assert questions == ["หยุดการกระจายเสียงนี้ที่ลำโพงทุกตัวทันทีหรือไม่"]
            expect(page.locator("[data-stop]")).to_have_count(0)
            for code in CODES:
                row = page.locator(f'[data-speaker-results] [data-speaker="{code}"]')
                expect(row).to_have_attribute("data-result", "failed", timeout=30_000)
                expect(row).to_contain_text("stopped by operator")
            city.background.sweeper.run_once()
            expect(report).to_have_attribute("data-status", "done", timeout=15_000)
            expect(report.locator("[data-outcome]")).to_have_attribute("data-outcome", "stopped")
            page.screenshot(path=str(city.tmp / "stopped.png"), full_page=True)
            assert not errors, errors
        finally:
            browser.close()
    for code in CODES:  # the stop command itself was obeyed and acknowledged
        assert ("failed", "stopped by operator") in [(s, r) for _, s, r in city.acks.of(code)]
        assert city.statuses(code).count("succeeded") == 2  # the short play and the stop
