"""A responder on a phone in real Chromium: an offer appears without a reload, the responder
accepts it, and the incident's timeline shows the acceptance.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn, MembershipIn, UserIn
from smartcity.config import Settings
from smartcity.demo import seed_demo
from smartcity.events import UnitOfWork
from smartcity.incidents import service
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, pytestmark
from tests.web.test_help_offline import MARKET, Live, live_server, unit_body

__all__ = ["pytestmark"]
RESPONDER, PASSWORD = "e2e-rescuer", "e2e-rescuer-password-2569"


def _seed(uow: UnitOfWork, settings: Settings) -> None:
    seed_demo(uow)
    agency = accounts.create_agency(
        uow, AgencyIn(code="e2e-rescue", name_th="มูลนิธิทดสอบ", kind="rescue")
    )
    member = MembershipIn(agency_id=agency.id, role="responder")
    user = accounts.create_user(
        uow,
        UserIn(username=RESPONDER, full_name="กู้ภัย ทดสอบ", password=PASSWORD, memberships=[member]),
    )
    service.create_unit(uow, unit_body("e2e-rescue-7", user.id))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The app with the demo site and one unit answered by the test responder."""
    with live_server(tmp_path_factory.mktemp("responder-live"), _seed) as server:
        yield server


def test_responder_accepts_an_offer_and_the_timeline_shows_it(live: Live) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(
                viewport={"width": 390, "height": 844},
                geolocation={"latitude": MARKET[0], "longitude": MARKET[1] + 0.002},
                permissions=["geolocation"],
            )
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            sent: list[int] = []  # answers to the page's position updates
            page.on(
                "response",
                lambda r: sent.append(r.status) if r.url.endswith("/location") else None,
            )
            page.goto(f"{live.url}/login?next=/responder")
            page.fill("#username", RESPONDER)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{live.url}/responder")
            expect(page.locator("[data-unit]")).to_have_attribute("data-unit-status", "available")
            expect(page.locator("[data-no-offer]")).to_be_visible()

            body = {"client_key": "e2e-resident-0001", "lat": MARKET[0], "lon": MARKET[1]}
            answer = httpx.post(f"{live.url}/api/help", json=body, timeout=10).json()
            incident_id = answer["incident_id"]
            # The board polls: the offer shows up on the phone without a reload.
            offer = page.locator(f"[data-offer-incident='{incident_id}']")
            expect(offer).to_be_visible(timeout=15_000)
            offer.locator("[data-accept]").click()
            expect(page.locator(f"[data-job='{incident_id}']")).to_be_visible()
            page.locator("[data-step='on_scene']").click()
            expect(page.locator(f"[data-job='{incident_id}']")).to_have_attribute(
                "data-job-status", "on_scene"
            )

            assert sent and set(sent) == {200}  # the phone's position reached the unit
            with live.engine.connect() as conn:
                lon = conn.scalar(
                    text("SELECT lon FROM incident_units WHERE code = 'e2e-rescue-7'")
                )
            assert lon == pytest.approx(MARKET[1] + 0.002)

            page.goto(f"{live.url}/incidents/{incident_id}")
            timeline = page.locator("[data-timeline]")
            expect(timeline.locator("[data-step='accepted']")).to_contain_text("e2e-rescue-7")
            expect(timeline.locator("[data-step='on_scene']")).to_be_visible()
            expect(page.locator("[data-incident-status]")).to_have_text("ถึงที่เกิดเหตุ")
            assert errors == []
        finally:
            browser.close()
