"""A burst of more simultaneous requests than the server has threads must not wedge it.

Every request gets an answer: stored (200), or, when SQLite's single writer cannot keep up,
a clear 503 with Retry-After. Never a 500, never a hang.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn, MembershipIn, UserIn
from smartcity.app import build_bus, create_app
from smartcity.config import Settings
from smartcity.db import make_session_factory
from smartcity.events import Actor, UnitOfWork
from tests.support import fresh_database, serve


def test_burst_of_writing_requests_all_answer(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as (engine, url):
        settings = Settings(mode="test", database_url=url, cookie_secure=False)
        with make_session_factory(engine)() as session:
            uow = UnitOfWork(session, build_bus(settings), Actor.system("test"))
            agency = accounts.create_agency(uow, AgencyIn(code="burst", name_th="ท", kind="other"))
            member = MembershipIn(agency_id=agency.id, role="operator")
            user = accounts.create_user(
                uow,
                UserIn(
                    username="burst",
                    full_name="B",
                    password="long-password-1",
                    memberships=[member],
                ),
            )
            token, _ = accounts.create_token(uow, settings, user.id, "burst")
            uow.commit()
        with serve(create_app(settings, engine)) as base:
            headers = {"Authorization": f"Bearer {token}"}  # each call writes last_used_at

            def call(_: int) -> tuple[int, str]:
                r = httpx.get(f"{base}/api/me", headers=headers, timeout=120)
                return r.status_code, r.headers.get("retry-after", "")

            with ThreadPoolExecutor(max_workers=60) as pool:
                codes = list(pool.map(call, range(120)))
        assert len(codes) == 120
        assert {c for c, _ in codes} <= {200, 503}, sorted(set(codes))
        assert all(retry == "2" for c, retry in codes if c == 503)
        assert any(c == 200 for c, _ in codes)
