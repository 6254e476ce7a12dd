"""Care registry in a real headless Chromium: a care manager logs in, searches a sample person
by Thai name (live htmx search), opens the person page and sees the ADL timeline, newest first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn, MembershipIn, UserIn
from smartcity.care import service as care
from smartcity.care.schemas import AdlIn, ConsentIn, HouseholdIn, PersonIn
from smartcity.config import Settings
from smartcity.demo import seed_demo
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from tests.care.support import MARKET, adl_body, consent_body, household_body
from tests.support import live_app
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, LiveServer, pytestmark

CM, CM_PASSWORD = "e2e-registry-manager", "e2e-registry-manager-password-2569"
__all__ = ["pytestmark"]


def _seed(uow: UnitOfWork, settings: Settings) -> None:
    """Demo zones and sample people, one assessed twice, and a care manager."""
    seed_demo(uow)
    care.load_sample_people(uow, settings)
    everything = care.Access.everything()
    home = care.create_household(
        uow, everything, HouseholdIn.model_validate(household_body(MARKET))
    )
    body = {"household_id": home.id, "given_name": "ทองใบ", "family_name": "ริมบึง (บุคคลสมมติ)"}
    person, _ = care.create_person(uow, settings, everything, PersonIn.model_validate(body))
    care.give_consent(uow, everything, person.id, ConsentIn.model_validate(consent_body()))
    for total, days in ((15, 90), (6, 1)):
        when = (utcnow() - timedelta(days=days)).isoformat()
        care.assess_adl(
            uow, everything, person.id, AdlIn.model_validate(adl_body(total, assessed_at=when))
        )
    agency = accounts.create_agency(
        uow, AgencyIn(code="e2e-registry", name_th="หน่วยดูแลทดสอบ", kind="municipality")
    )
    member = MembershipIn(agency_id=agency.id, role="care_manager")
    accounts.create_user(
        uow,
        UserIn(username=CM, full_name="ผู้จัดการการดูแล", password=CM_PASSWORD, memberships=[member]),
    )


@pytest.fixture(scope="module")
def registry_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn over a fresh database seeded for the registry pages."""
    with live_app(tmp_path_factory.mktemp("registry-live"), _seed) as base:
        yield LiveServer(base, tmp_path_factory.mktemp("registry-shots"))


def test_care_manager_finds_a_person_and_sees_the_adl_timeline(
    registry_server: LiveServer,
) -> None:
    """Log in, search by Thai name, open the person, read the timeline; the dashboard map fills."""
    from playwright.sync_api import expect, sync_playwright

    base = registry_server.url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}/login?next=/care")
            page.fill("#username", CM)
            page.fill("#password", CM_PASSWORD)
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{base}/care")
            expect(page.locator("[data-care-map][data-ready=true]")).to_be_attached(timeout=15_000)
            assert int(page.locator("[data-care-map]").get_attribute("data-homes") or 0) >= 1

            page.goto(f"{base}/care/people")
            rows = page.locator("[data-people] tbody tr[data-person]")
            assert rows.count() > 1
            page.fill("[data-search]", "ทองใบ")
            expect(rows).to_have_count(1, timeout=10_000)  # htmx swapped the results in place
            expect(rows.first).to_contain_text("ทองใบ")
            rows.first.locator("a").click()

            expect(page.locator("[data-person-name]")).to_contain_text("ทองใบ")
            timeline = page.locator("[data-timeline] li[data-kind=adl]")
            expect(timeline).to_have_count(2)
            expect(timeline.first).to_contain_text("6/20")
            expect(timeline.first).to_contain_text("ติดบ้าน")
            expect(timeline.nth(1)).to_contain_text("15/20")
            page.screenshot(path=str(registry_server.shots / "person.png"), full_page=True)
            assert not errors, errors
        finally:
            browser.close()
