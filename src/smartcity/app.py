"""The application factory: wires settings, storage, events, routes and error handling."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from smartcity import __version__, health
from smartcity.accounts import api as accounts_api
from smartcity.alerts import api as alerts_api
from smartcity.alerts import handlers as alerts_handlers
from smartcity.audit import api as audit_api
from smartcity.audit import handlers as audit_handlers
from smartcity.broadcast import api as broadcast_api
from smartcity.broadcast import channels as broadcast_channels
from smartcity.broadcast import delivery_api as broadcast_delivery_api
from smartcity.broadcast import delivery_handlers as broadcast_handlers
from smartcity.broadcast import schedule_api as broadcast_schedule_api
from smartcity.care import api as care_api
from smartcity.care.disaster import api as care_disaster_api
from smartcity.care.disaster import handlers as care_disaster_handlers
from smartcity.care.visits import api as care_visits_api
from smartcity.config import ConfigError, Settings, get_settings
from smartcity.db import make_engine, make_session_factory
from smartcity.devices import api as devices_api
from smartcity.devices import commands_api as device_commands_api
from smartcity.errors import install_error_handlers
from smartcity.events import EventBus
from smartcity.geo import api as geo_api
from smartcity.incidents import api as incidents_api
from smartcity.incidents import handlers as incidents_handlers
from smartcity.incidents import roads
from smartcity.incidents import units_api as incidents_units_api
from smartcity.incidents.policy import Policy
from smartcity.limits import BodySizeLimit
from smartcity.live import api as live_api
from smartcity.live import handlers as live_handlers
from smartcity.ngsi import api as ngsi_api
from smartcity.notify import api as notify_api
from smartcity.notify import handlers as notify_handlers
from smartcity.runtime import Background, freeze_heap
from smartcity.web import errors as web_errors
from smartcity.web import pages

STATIC = Path(__file__).parent / "web" / "static"


def build_bus(settings: Settings | None = None) -> EventBus:
    """The event bus with every domain's handlers subscribed (configured by ``settings``)."""
    bus = EventBus()
    audit_handlers.register(bus)
    incidents_handlers.register(bus, Policy.of(settings) if settings else None)
    notify_handlers.register(bus, settings)
    alerts_handlers.register(bus)
    live_handlers.register(bus)
    care_disaster_handlers.register(bus)
    broadcast_handlers.register(bus, settings)
    broadcast_channels.register(bus)
    return bus


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start background work (MQTT ingest, sweeps) with the server and stop it after."""
    background = Background(app.state.settings, app.state.session_factory, app.state.bus)
    app.state.background = background
    if app.state.settings.mode != "test":
        freeze_heap()  # a serving process: start-up objects live as long as it does
        background.start()
    yield
    background.stop()


def _install_road_distance(settings: Settings) -> None:
    """Dispatch measures along the configured road graph; a bad file stops the start."""
    try:
        roads.install(settings.road_graph)
    except roads.RoadGraphError as exc:
        raise ConfigError(f"SMARTCITY_ROAD_GRAPH: {exc}") from exc


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the ASGI application."""
    settings = settings or get_settings()
    _install_road_distance(settings)
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(
        title="Smart City Platform",
        version=__version__,
        description="City operations for Phichit Town Municipality and other Thai towns.",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.bus = build_bus(settings)
    install_error_handlers(app)
    web_errors.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    for router in (
        health.router,
        accounts_api.router,
        audit_api.router,
        geo_api.router,
        device_commands_api.router,
        devices_api.router,
        alerts_api.router,
        care_api.router,
        care_visits_api.router,
        care_disaster_api.router,
        broadcast_api.router,
        broadcast_schedule_api.router,
        broadcast_delivery_api.router,
        incidents_api.router,
        incidents_units_api.router,
        notify_api.router,
        ngsi_api.router,
        live_api.router,
    ):
        app.include_router(router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
