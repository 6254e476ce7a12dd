"""The resident's help button OFFLINE in real Chromium: the request waits on the phone and
arrives exactly once when the network returns, even when the sync runs twice and the request
is replayed with the same client key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from smartcity.app import build_bus, create_app
from smartcity.config import Settings
from smartcity.db import make_session_factory
from smartcity.demo import seed_demo
from smartcity.events import Actor, UnitOfWork
from smartcity.incidents import service
from smartcity.incidents.schemas import UnitIn
from tests.support import fresh_database, serve
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, pytestmark

__all__ = ["pytestmark"]
MARKET = (16.4418, 100.3492)


@dataclass(frozen=True)
class Live:
    """The running app and its database."""

    url: str
    engine: Engine


@contextmanager
def live_server(tmp: Path, seed: Callable[[UnitOfWork, Settings], None]) -> Iterator[Live]:
    """uvicorn on a free port over a fresh database seeded by ``seed``."""
    with fresh_database(tmp) as (engine, url):
        settings = Settings(mode="test", database_url=url, data_dir=tmp, cookie_secure=False)
        with make_session_factory(engine)() as session:
            uow = UnitOfWork(session, build_bus(), Actor.system("e2e"))
            seed(uow, settings)
            uow.commit()
        with serve(create_app(settings, engine)) as base:
            yield Live(base, engine)


def unit_body(code: str, user_id: int | None = None) -> UnitIn:
    """An available medical unit a little east of the market."""
    return UnitIn.model_validate(
        {
            "code": code,
            "name": f"หน่วยทดสอบ {code}",
            "kind": "rescue_foundation",
            "capabilities": ["medical", "rescue"],
            "status": "available",
            "lat": MARKET[0],
            "lon": MARKET[1] + 0.001,
            "user_id": user_id,
        }
    )


def _seed(uow: UnitOfWork, settings: Settings) -> None:
    seed_demo(uow)
    service.create_unit(uow, unit_body("e2e-rescue-1"))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The app with the demo site and one free unit."""
    with live_server(tmp_path_factory.mktemp("help-live"), _seed) as server:
        yield server


def _incidents(engine: Engine) -> list[tuple[int, str, float, float]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, source, lat, lon FROM incidents ORDER BY id"))
        return [(r[0], r[1], r[2], r[3]) for r in rows]


def test_help_request_made_offline_arrives_once(live: Live) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(
                viewport={"width": 390, "height": 844},
                locale="th-TH",
                geolocation={"latitude": MARKET[0], "longitude": MARKET[1]},
                permissions=["geolocation"],
            )
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{live.url}/help")
            expect(page.locator("[data-help-button]")).to_contain_text("ขอความช่วยเหลือ")
            expect(page.locator("a[href='tel:1669']")).to_be_visible()
            # Wait until the service worker controls the page (it keeps what offline needs).
            page.evaluate("navigator.serviceWorker.ready")
            page.reload()
            page.wait_for_function("navigator.serviceWorker.controller !== null")
            expect(page.locator("[data-where-state]")).to_have_attribute("data-source", "gps")

            context.set_offline(True)
            page.locator("details summary").click()
            page.fill("#help-text", "ยายล้มในบ้าน ลุกไม่ได้")
            page.click("[data-help-button]")
            expect(page.locator("[data-help-status]")).to_have_attribute("data-state", "queued")
            expect(page.locator("[data-net-state]")).to_have_attribute("data-online", "false")
            # Still offline, the page comes back from the service worker with the request kept.
            page.reload()
            expect(page.locator("[data-help-item]")).to_have_attribute("data-status", "queued")
            assert _incidents(live.engine) == []

            context.set_offline(False)  # the online event starts a sync...
            page.evaluate("Promise.all([window.helpQueue.sync(), window.helpQueue.sync()])")
            expect(page.locator("[data-help-item]")).to_have_attribute("data-status", "sent")
            made = _incidents(live.engine)
            assert len(made) == 1 and made[0][1:] == ("app", *MARKET)

            # A retry the phone never heard back from: same key, same incident.
            replay = page.evaluate(
                """async () => {
                  const [item] = await window.helpQueue.all();
                  const r = await fetch('/api/help', {method: 'POST',
                    headers: {'Content-Type': 'application/json'},
                    body: JSON.stringify(item.body)});
                  const body = await r.json();
                  return {status: r.status, id: body.incident_id, created: body.created,
                          first: item.incidentId};
                }"""
            )
            assert replay == {
                "status": 200,
                "id": made[0][0],
                "created": False,
                "first": made[0][0],
            }
            assert len(_incidents(live.engine)) == 1
            assert errors == []
        finally:
            browser.close()
