"""A real uvicorn server over a fresh, committed database seeded with the Phichit sample."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn, MembershipIn, UserIn
from smartcity.app import build_bus, create_app
from smartcity.config import Settings
from smartcity.db import make_session_factory
from smartcity.demo import seed_demo
from smartcity.devices.sample import load_sample_devices
from smartcity.events import Actor, UnitOfWork
from tests.support import fresh_database, serve

USER, PASSWORD = "live-operator", "live-operator-password-2569"


@dataclass(frozen=True)
class Live:
    """The running server, its app, a way into its database and the seeded credentials."""

    url: str
    app: FastAPI
    sessions: sessionmaker[Session]
    device_tokens: dict[str, str]
    api_token: str

    def uow(self) -> UnitOfWork:
        """A unit of work on the server's database with the server's event bus."""
        return UnitOfWork(self.sessions(), self.app.state.bus, Actor.system("test"))


def _seed(uow: UnitOfWork, settings: Settings) -> tuple[dict[str, str], str]:
    seed_demo(uow)  # sample agencies (phichit-muni among them), zones and places
    tokens = load_sample_devices(uow, settings)
    agency = accounts.create_agency(
        uow, AgencyIn(code="live-agency", name_th="หน่วยงานทดสอบ", kind="municipality")
    )
    user = accounts.create_user(
        uow,
        UserIn(
            username=USER,
            full_name="ผู้ทดสอบสด",
            password=PASSWORD,
            memberships=[MembershipIn(agency_id=agency.id, role="operator")],
        ),
    )
    plain, _ = accounts.create_token(uow, settings, user.id, "live")
    return tokens, plain


@contextmanager
def live_server(tmp: Path) -> Iterator[Live]:
    """Serve the app on a free port in a background thread until the block ends."""
    with fresh_database(tmp) as (engine, url):
        settings = Settings(mode="test", database_url=url, data_dir=tmp, cookie_secure=False)
        sessions = make_session_factory(engine)
        with sessions() as session:
            uow = UnitOfWork(session, build_bus(), Actor.system("seed"))
            tokens, api_token = _seed(uow, settings)
            uow.commit()
        app = create_app(settings, engine)
        with serve(app) as base:
            yield Live(base, app, sessions, tokens, api_token)
