"""Broadcast console in a real headless Chromium: an operator composes a Thai text-to-speech
announcement, chooses its PA zone by clicking it on the Leaflet map, and sees it listed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn, MembershipIn, UserIn
from smartcity.app import build_bus, create_app
from smartcity.config import Settings
from smartcity.db import make_session_factory
from smartcity.events import Actor, UnitOfWork
from smartcity.geo import service as geo
from smartcity.kit.pagination import PageParams
from tests.integrations.audio_support import need_tools
from tests.support import fresh_database, serve
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, LiveServer, pytestmark

OP, OP_PASSWORD = "e2e-broadcast-operator", "e2e-broadcast-operator-password-2569"
__all__ = ["pytestmark"]


def _seed(uow: UnitOfWork) -> int:
    """The sample site (PA zones pa-west, pa-east) and an operator; returns pa-west's id."""
    geo.load_sample(uow)
    agency = accounts.create_agency(
        uow, AgencyIn(code="e2e-broadcast", name_th="กองประชาสัมพันธ์", kind="municipality")
    )
    member = MembershipIn(agency_id=agency.id, role="operator")
    accounts.create_user(
        uow, UserIn(username=OP, full_name="ผู้ประกาศ", password=OP_PASSWORD, memberships=[member])
    )
    zones, _ = geo.list_zones(uow.session, PageParams(1, 200), kind="pa_zone")
    return next(z.id for z in zones if z.code == "pa-west")


@pytest.fixture(scope="module")
def broadcast_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, int]]:
    """uvicorn over a fresh database with the sample site and an operator."""
    need_tools("ffmpeg", "ffprobe", "espeak-ng")
    tmp = tmp_path_factory.mktemp("broadcast-live")
    with fresh_database(tmp) as (engine, url):
        settings = Settings(
            mode="test", database_url=url, data_dir=tmp, cookie_secure=False, default_language="th"
        )
        with make_session_factory(engine)() as session:
            uow = UnitOfWork(session, build_bus(), Actor.system("e2e"))
            west = _seed(uow)
            uow.commit()
        with serve(create_app(settings, engine)) as base:
            yield LiveServer(base, tmp_path_factory.mktemp("broadcast-shots")), west


def test_operator_composes_tts_for_a_zone_chosen_on_the_map(
    broadcast_server: tuple[LiveServer, int],
) -> None:
    """Log in, write Thai text, click pa-west on the map, save; the draft is listed with audio."""
    from playwright.sync_api import expect, sync_playwright

    server, west = broadcast_server
    base = server.url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}/login?next=/broadcast")
            page.fill("#username", OP)
            page.fill("#password", OP_PASSWORD)
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{base}/broadcast")
            form = page.locator("form[data-compose]")
            form.locator("input[name=title]").fill("ประชาสัมพันธ์ตลาดนัด")
            form.locator("textarea[name=text]").fill("ขอเชิญชาวพิจิตรร่วมงานตลาดนัดวันเสาร์นี้")
            box = form.locator(f'[data-zone-box="{west}"]')
            expect(box).not_to_be_checked()
            shape = form.locator(f'[data-zone-shape="{west}"]')
            expect(shape).to_be_attached(timeout=15_000)
            shape.click()
            expect(box).to_be_checked()  # the map toggled the list
            form.locator("button[type=submit]").click()
            expect(page).to_have_url(f"{base}/broadcast/announcements/1", timeout=60_000)
            expect(page.locator("audio[data-player]")).to_be_attached()
            expect(page.locator("[data-zone-ids]")).to_have_attribute("data-zone-ids", str(west))
            page.goto(f"{base}/broadcast")
            row = page.locator("[data-announcements] tr[data-announcement]")
            expect(row).to_have_count(1)
            expect(row.first).to_contain_text("ประชาสัมพันธ์ตลาดนัด")
            expect(row.first.locator("audio")).to_be_attached()
            page.screenshot(path=str(server.shots / "console.png"), full_page=True)
            assert not errors, errors
        finally:
            browser.close()
