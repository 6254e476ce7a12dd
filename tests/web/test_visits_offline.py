"""A health worker records a visit OFFLINE in real Chromium; it arrives exactly once.

The worker opens the record page online (the service worker installs), the network goes away,
the form saves the visit into the phone's queue, the page is even reloaded from the service
worker's cache, and once the network is back the queue syncs: triggered twice, and posted a
third time by hand with the same key, the server still holds one visit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn, MembershipIn, UserIn
from smartcity.app import build_bus, create_app
from smartcity.care import service as care
from smartcity.care.access import Access
from smartcity.care.schemas import AdlIn, ConsentIn, HouseholdIn, PersonIn
from smartcity.care.visits import service as visits
from smartcity.care.visits.schemas import PlanIn
from smartcity.config import Settings
from smartcity.db import make_session_factory
from smartcity.demo import seed_demo
from smartcity.events import Actor, UnitOfWork
from tests.care.support import MARKET, adl_body, consent_body, household_body, person_body
from tests.support import fresh_database, serve
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, pytestmark

__all__ = ["pytestmark"]
WORKER, PASSWORD = "e2e-worker", "e2e-worker-password-2569"


@dataclass(frozen=True)
class Live:
    """The running app, its database and the task the worker will record."""

    url: str
    engine: Engine
    task_id: int


def _seed(uow: UnitOfWork, settings: Settings) -> int:
    seed_demo(uow)
    agency = accounts.create_agency(
        uow, AgencyIn(code="e2e-health", name_th="หน่วยบริการทดสอบ", kind="health_unit")
    )
    member = MembershipIn(agency_id=agency.id, role="health_worker")
    user = accounts.create_user(
        uow,
        UserIn(username=WORKER, full_name="อสม. ทดสอบ", password=PASSWORD, memberships=[member]),
    )
    everything = Access.everything()
    home = care.create_household(
        uow, everything, HouseholdIn.model_validate(household_body(MARKET))
    )
    body = person_body(home.id, phones=[])
    person, _ = care.create_person(uow, settings, everything, PersonIn.model_validate(body))
    care.give_consent(uow, everything, person.id, ConsentIn.model_validate(consent_body()))
    care.assess_adl(uow, everything, person.id, AdlIn.model_validate(adl_body(2)))
    visits.set_plan(uow, everything, person.id, PlanIn(worker_id=user.id))
    visits.generate_tasks(uow)
    day = visits.worker_day(uow.session, user.id)
    return day.stops[0].task_id


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """uvicorn over a fresh database with one visit task for the worker."""
    tmp = tmp_path_factory.mktemp("visits-live")
    with fresh_database(tmp) as (engine, url):
        settings = Settings(mode="test", database_url=url, data_dir=tmp, cookie_secure=False)
        with make_session_factory(engine)() as session:
            uow = UnitOfWork(session, build_bus(), Actor.system("e2e"))
            task_id = _seed(uow, settings)
            uow.commit()
        with serve(create_app(settings, engine)) as base:
            yield Live(base, engine, task_id)


def _visits(engine: Engine, task_id: int) -> int:
    with engine.connect() as conn:
        count = conn.scalar(
            text("SELECT count(*) FROM care_visit_records WHERE task_id = :t"), {"t": task_id}
        )
    return int(count or 0)


def test_offline_visit_syncs_exactly_once(live: Live) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH")
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{live.url}/login?next=/care/my-day")
            page.fill("#username", WORKER)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{live.url}/care/my-day")
            expect(page.locator("[data-stop]")).to_have_count(1)
            page.click(f"[data-task='{live.task_id}'] a")
            expect(page).to_have_url(f"{live.url}/care/visits/{live.task_id}/record")
            # Wait until the service worker controls the page (it caches what offline needs).
            page.evaluate("navigator.serviceWorker.ready")
            page.reload()
            page.wait_for_function("navigator.serviceWorker.controller !== null")

            assert page.evaluate("typeof window.visitQueue") == "object", errors
            context.set_offline(True)
            page.fill("#v-sbp", "185")
            page.fill("#v-spo2", "95")
            page.fill("#v-notes", "บันทึกตอนออฟไลน์")
            page.click("[data-visit-form] [type=submit]")
            expect(page.locator("[data-form-status]")).to_have_attribute("data-state", "queued")
            expect(page.locator("[data-queue-count]")).to_have_text("1")
            expect(page.locator("[data-net-state]")).to_have_attribute("data-online", "false")
            # Still offline, the page comes back from the service worker with the queue intact.
            page.reload()
            expect(page.locator("[data-queue-count]")).to_have_text("1")
            expect(page.locator("[data-queue-item]")).to_have_attribute("data-status", "queued")
            assert _visits(live.engine, live.task_id) == 0

            context.set_offline(False)  # the online event starts a sync...
            page.evaluate("Promise.all([window.visitQueue.sync(), window.visitQueue.sync()])")
            expect(page.locator("[data-queue-item]")).to_have_attribute("data-status", "sent")
            expect(page.locator("[data-queue-count]")).to_have_text("0")
            assert _visits(live.engine, live.task_id) == 1

            # A retry the client never heard back from: same key, same body, same visit.
            replay = page.evaluate(
                """async () => {
                  const [item] = await window.visitQueue.all();
                  const csrf = document.querySelector('meta[name="csrf-token"]').content;
                  const r = await fetch('/api/care/visits', {method: 'POST',
                    headers: {'Content-Type': 'application/json', 'Idempotency-Key': item.key,
                              'X-CSRF-Token': csrf},
                    body: JSON.stringify(item.body)});
                  return {status: r.status, id: (await r.json()).id, first: item.visitId};
                }"""
            )
            assert replay["status"] == 200
            assert replay["id"] == replay["first"]
            assert _visits(live.engine, live.task_id) == 1
            assert errors == []
        finally:
            browser.close()
