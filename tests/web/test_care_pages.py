"""Disaster pages in a real headless Chromium: a care manager picks the sample flood area,
sees the ranked people, opens an operation, marks one person safe and sees the count change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from shapely.geometry import shape

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn, MembershipIn, UserIn
from smartcity.care import service as care
from smartcity.care.schemas import HouseholdIn, PersonIn
from smartcity.config import Settings
from smartcity.demo import seed_demo
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.kit.pagination import PageParams
from tests.care.support import household_body
from tests.support import live_app
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, LiveServer, pytestmark

CM, CM_PASSWORD = "e2e-care-manager", "e2e-care-manager-password-2569"
FLOOD = "flood-nan-riverside"
__all__ = ["pytestmark"]


def _seed(uow: UnitOfWork, settings: Settings) -> None:
    """Demo data, sample people, a bed-bound person inside the flood area, a care manager."""
    seed_demo(uow)
    care.load_sample_people(uow, settings)
    zones, _ = geo.list_zones(uow.session, PageParams(1, 50), q=FLOOD)
    inside = shape(json.loads(next(z for z in zones if z.code == FLOOD).geometry))
    point = inside.representative_point()
    everything = care.Access.everything()
    home = care.create_household(
        uow, everything, HouseholdIn.model_validate(household_body((point.y, point.x)))
    )
    body = {"household_id": home.id, "given_name": "บัวลอย", "family_name": "ริมน่าน (บุคคลสมมติ)"}
    care.create_person(
        uow, settings, everything, PersonIn.model_validate({**body, "bed_bound": True})
    )
    agency = accounts.create_agency(
        uow, AgencyIn(code="e2e-care", name_th="หน่วยดูแลทดสอบ", kind="municipality")
    )
    member = MembershipIn(agency_id=agency.id, role="care_manager")
    accounts.create_user(
        uow,
        UserIn(username=CM, full_name="ผู้จัดการการดูแล", password=CM_PASSWORD, memberships=[member]),
    )


@pytest.fixture(scope="module")
def care_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn over a fresh database seeded for the care pages."""
    with live_app(tmp_path_factory.mktemp("care-live"), _seed) as base:
        yield LiveServer(base, tmp_path_factory.mktemp("care-shots"))


def test_care_manager_marks_a_person_safe_in_a_flood(care_server: LiveServer) -> None:
    """Log in, pick the flood zone, list people, open an operation, mark one safe."""
    from playwright.sync_api import expect, sync_playwright

    base = care_server.url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}/login?next=/care/disaster")
            page.fill("#username", CM)
            page.fill("#password", CM_PASSWORD)
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{base}/care/disaster")
            expect(page.locator("#disaster-map[data-ready=true]")).to_be_visible(timeout=15_000)

            option = page.locator(f"[data-zone-select] option[data-code={FLOOD}]")
            page.select_option("[data-zone-select]", value=option.get_attribute("value"))
            page.click("[data-show-people]")
            # Bed-bound people head the list; ours is one of them.
            expect(page.locator("[data-area-list]")).to_contain_text("บัวลอย")
            expect(page.locator("[data-area-list] li").first).to_contain_text("ติดเตียง")
            listed = int(page.locator("[data-area-count]").get_attribute("data-area-count") or 0)
            assert listed >= 1

            page.fill("[data-operation-name]", "น้ำท่วมริมน่าน ทดสอบ")
            page.click("[data-create-operation] button[type=submit]")
            expect(page).to_have_url(re.compile(r"/care/disaster/\d+$"))
            expect(page.locator("[data-count=pending] .stat-value")).to_have_text(str(listed))
            expect(page.locator("[data-count=safe] .stat-value")).to_have_text("0")

            row = page.locator("[data-checks] tbody tr", has_text="บัวลอย")
            expect(row).to_have_attribute("data-status", "pending")
            row.locator("[data-mark=safe]").click()
            marked = page.locator("[data-checks] tbody tr", has_text="บัวลอย")
            expect(marked).to_have_attribute("data-status", "safe")
            expect(page.locator("[data-count=safe] .stat-value")).to_have_text("1")
            expect(page.locator("[data-count=pending] .stat-value")).to_have_text(str(listed - 1))
            page.screenshot(path=str(care_server.shots / "disaster-operation.png"), full_page=True)

            printable = page.context.new_page()
            printable.goto(page.url + "/print")
            expect(printable.locator("[data-print-list]")).to_contain_text("บัวลอย")
            assert not errors, f"script errors: {errors}"
        finally:
            browser.close()
