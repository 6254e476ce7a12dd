"""End to end in a real headless Chromium: log in, read the map, search, switch language, log out.

The application runs in uvicorn on a free local port over a fresh database seeded with the
Phichit sample. The system Chromium is used; no browser is ever downloaded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn, MembershipIn, UserIn
from smartcity.app import build_bus, create_app
from smartcity.config import Settings
from smartcity.db import make_session_factory
from smartcity.demo import seed_demo
from smartcity.events import Actor, UnitOfWork
from tests.support import fresh_database, serve

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN, ADMIN_PASSWORD = "e2e-admin", "e2e-admin-password-2569"

pytestmark = [
    pytest.mark.browser,
    # CI sets SMARTCITY_REQUIRE_BROWSER so a missing browser fails there instead of skipping.
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("SMARTCITY_REQUIRE_BROWSER"),
        reason=f"no system Chromium at {CHROMIUM} (make test installs it when run as root)",
    ),
]


@dataclass(frozen=True)
class LiveServer:
    """The running application."""

    url: str
    shots: Path


def _seed(uow: UnitOfWork) -> None:
    """The demo data (Phichit sample site, sample agencies) plus a test administrator."""
    seed_demo(uow)
    agency = accounts.create_agency(
        uow, AgencyIn(code="e2e-agency", name_th="หน่วยงานทดสอบ", kind="municipality")
    )
    membership = MembershipIn(agency_id=agency.id, role="admin")
    user = UserIn(
        username=ADMIN, full_name="ผู้ทดสอบ", password=ADMIN_PASSWORD, memberships=[membership]
    )
    accounts.create_user(uow, user)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn serving the app over a fresh, seeded database, in a background thread."""
    tmp = tmp_path_factory.mktemp("live")
    with fresh_database(tmp) as (engine, url):
        settings = Settings(
            mode="test", database_url=url, data_dir=tmp, cookie_secure=False, default_language="th"
        )
        with make_session_factory(engine)() as session:
            uow = UnitOfWork(session, build_bus(), Actor.system("e2e"))
            _seed(uow)
            uow.commit()
        with serve(create_app(settings, engine)) as base:
            yield LiveServer(base, tmp_path_factory.mktemp("screens"))


def test_login_map_search_language_and_logout(live_server: LiveServer) -> None:
    """The main path an operator takes, in a real browser."""
    from playwright.sync_api import expect, sync_playwright

    base = live_server.url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="th-TH")
            page = context.new_page()
            foreign: list[str] = []
            errors: list[str] = []
            page.on(
                "request",
                lambda r: None if r.url.startswith((base, "data:")) else foreign.append(r.url),
            )
            page.on("pageerror", lambda e: errors.append(str(e)))

            # Logged out: the dashboard sends us to the log-in form.
            page.goto(f"{base}/")
            expect(page).to_have_url(re.compile(r"/login\?next=/$"))
            page.fill("#username", ADMIN)
            page.fill("#password", "wrong-password")
            page.click("button[type=submit]")
            expect(page.locator("[data-login-error]")).to_contain_text("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง")
            page.fill("#password", ADMIN_PASSWORD)
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{base}/")

            # The map draws the zones with no tile server, with a legend and layer toggles.
            expect(page.locator("#map[data-ready=true]")).to_be_visible(timeout=15_000)
            zones = page.locator("#map path.zone-shape")
            assert zones.count() > 0
            legend = page.locator("[data-legend]")
            expect(legend).to_be_visible()
            expect(legend).to_contain_text("ชุมชน")
            expect(page.locator(".map-note")).to_have_text("ไม่มีแผนที่ฐาน")
            expect(page.locator("[data-sample]")).to_contain_text("ข้อมูลตัวอย่าง")
            expect(page.locator(".place-marker").first).to_be_attached()
            before = zones.count()
            community = page.locator("#map path.zone-community")
            n_community = community.count()
            assert n_community > 0
            page.uncheck("input[data-layer='zone:community']")
            expect(community).to_have_count(0)
            assert zones.count() == before - n_community
            page.check("input[data-layer='zone:community']")
            expect(zones).to_have_count(before)
            page.screenshot(path=str(live_server.shots / "dashboard-th.png"), full_page=True)

            # A popup names the zone in Thai.
            community.first.click(force=True)
            expect(page.locator(".leaflet-popup-content .map-popup")).to_be_visible()

            # Live search on the users list: htmx swaps the results and pushes the URL.
            page.click("nav.mainnav a[href='/users']")
            page.fill("input[name=q]", ADMIN)
            expect(page).to_have_url(re.compile(r"/users\?q=e2e-admin"))
            expect(page.locator("#results tbody tr")).to_have_count(1)
            expect(page.locator("#results")).to_contain_text(ADMIN)

            # htmx sends the session's CSRF token with a POST: the audit chain check works.
            page.goto(f"{base}/audit")
            page.click("[data-verify]")
            expect(page.locator("[data-verify-ok]")).to_be_visible()

            # Switch to English on the dashboard.
            page.goto(f"{base}/")
            expect(page.locator("#map[data-ready=true]")).to_be_visible(timeout=15_000)
            page.click("a[data-lang=en]")
            expect(page).to_have_url(f"{base}/")
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.locator("h1")).to_contain_text("City overview")
            expect(page.locator("#map[data-ready=true]")).to_be_visible(timeout=15_000)
            expect(page.locator("[data-legend]")).to_contain_text("Community")
            expect(page.locator(".map-note")).to_have_text("No base map")
            expect(page.locator("nav.mainnav")).to_contain_text("Zones")
            page.screenshot(path=str(live_server.shots / "dashboard-en.png"), full_page=True)

            # Log out: back to the log-in form, and pages need a log-in again.
            page.click("form.logout button")
            expect(page).to_have_url(f"{base}/login")
            expect(page.locator("h1")).to_have_text("Log in")
            page.goto(f"{base}/zones")
            expect(page).to_have_url(re.compile(r"/login\?next=/zones$"))

            assert not foreign, f"the UI reached outside the server: {foreign}"
            assert not errors, f"script errors: {errors}"
        finally:
            browser.close()


def test_phone_layout_shows_the_menu_button(live_server: LiveServer) -> None:
    """On a phone the navigation folds behind a menu button and the map still draws."""
    from playwright.sync_api import expect, sync_playwright

    base = live_server.url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            page.goto(f"{base}/login")
            page.fill("#username", ADMIN)
            page.fill("#password", ADMIN_PASSWORD)
            page.click("button[type=submit]")
            expect(page.locator("#map[data-ready=true]")).to_be_visible(timeout=15_000)
            expect(page.locator("nav.mainnav")).to_be_hidden()
            expect(page.locator("[data-legend]")).to_have_class(re.compile("collapsed"))
            page.click("[data-nav-toggle]")
            expect(page.locator("nav.mainnav")).to_be_visible()
            page.screenshot(path=str(live_server.shots / "dashboard-phone.png"), full_page=True)
        finally:
            browser.close()
