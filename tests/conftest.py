"""Shared fixtures: one migrated database per run, one rolled-back transaction per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from smartcity.accounts import service as accounts
from smartcity.accounts.models import User
from smartcity.accounts.schemas import AgencyIn, MembershipIn, UserIn
from smartcity.app import build_bus, create_app
from smartcity.config import Settings
from smartcity.events import Actor, UnitOfWork
from tests.support import BACKEND, fresh_database

PASSWORD = "correct-horse-battery"


def pytest_report_header() -> str:
    """Say which database the suite runs on."""
    return f"smartcity test database: {BACKEND}"


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The migrated database for this run."""
    with fresh_database(tmp_path_factory.mktemp("db")) as (eng, _url):
        yield eng


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for tests: test mode, plain-HTTP cookies, quick lock-out."""
    return Settings(
        mode="test",
        database_url="sqlite://",
        data_dir=tmp_path,
        cookie_secure=False,
        login_max_failures=3,
        max_body_bytes=64_000,
    )


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        trans = conn.begin()
        yield conn
        trans.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions whose commits become savepoints of the test transaction."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def uow(session_factory: sessionmaker[Session]) -> Iterator[UnitOfWork]:
    """A unit of work acting as the system."""
    with session_factory() as session:
        yield UnitOfWork(session, build_bus(), Actor.system("test"))


@pytest.fixture
def app(settings: Settings, engine: Engine, session_factory: sessionmaker[Session]) -> FastAPI:
    """The application bound to the test transaction."""
    application = create_app(settings, engine)
    application.state.session_factory = session_factory
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client for the application (no network)."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


MakeUser = Callable[..., User]


@pytest.fixture
def make_user(uow: UnitOfWork) -> MakeUser:
    """Create a user with one role in a test agency; committed to the test transaction."""
    counter = iter(range(1, 10_000))

    def _make(role: str = "admin", zones: list[int] | None = None, username: str = "") -> User:
        agency = accounts.repo.find_agency(uow.session, "test-agency") or accounts.create_agency(
            uow, AgencyIn(code="test-agency", name_th="หน่วยงานทดสอบ", kind="municipality")
        )
        name = username or f"{role}{next(counter)}"
        user = accounts.create_user(
            uow,
            UserIn(
                username=name,
                full_name=f"Test {name}",
                password=PASSWORD,
                memberships=[MembershipIn(agency_id=agency.id, role=role, zone_ids=zones or [])],
            ),
        )
        uow.commit()
        return user

    return _make


@pytest.fixture
def as_role(client: TestClient, make_user: MakeUser, uow: UnitOfWork, settings: Settings):  # type: ignore[no-untyped-def]
    """Return a function giving bearer headers for a fresh user with the given role."""

    def _headers(role: str, zones: list[int] | None = None) -> dict[str, str]:
        user = make_user(role, zones)
        plain, _ = accounts.create_token(uow, settings, user.id, "test")
        uow.commit()
        return {"Authorization": f"Bearer {plain}"}

    return _headers
