"""The `smartcity` command: run the platform and administer it."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import signal
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from smartcity import runtime
from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn, MembershipIn, UserIn
from smartcity.app import build_bus, create_app
from smartcity.audit import service as audit
from smartcity.broadcast.agent.cli import speaker_agent
from smartcity.config import ConfigError, Settings, get_settings
from smartcity.db import WalCheckpointer, make_engine, make_session_factory
from smartcity.demo import DemoLogin, demo_fleet, seed_city, seed_demo
from smartcity.devices.mqtt_ingest import MqttIngest
from smartcity.errors import DomainError
from smartcity.events import Actor, UnitOfWork
from smartcity.geo import service as geo
from smartcity.incidents import roads
from smartcity.integrations.mqtt import EmbeddedBroker
from smartcity.migrate import upgrade
from smartcity.sim.fleet import ensure_fleet
from smartcity.sim.runner import Simulator

app = typer.Typer(help="Smart City Platform / แพลตฟอร์มเมืองอัจฉริยะ", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
agencies_app = typer.Typer(help="Agencies.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for programs.", no_args_is_help=True)
audit_app = typer.Typer(help="Audit log.", no_args_is_help=True)
site_app = typer.Typer(help="City geography (GeoJSON).", no_args_is_help=True)
roads_app = typer.Typer(help="Road graph for dispatch distances.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (users_app, "users"),
    (agencies_app, "agencies"),
    (tokens_app, "tokens"),
    (audit_app, "audit"),
    (site_app, "site"),
    (roads_app, "roads"),
):
    app.add_typer(sub, name=name)


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(1)


@contextmanager
def _unit_of_work(settings: Settings) -> Iterator[UnitOfWork]:
    """A committed unit of work acting as the operator at the console."""
    engine = make_engine(settings.database_url)
    session = make_session_factory(engine)()
    uow = UnitOfWork(session, build_bus(), Actor.system(f"cli:{getpass.getuser()}"))
    try:
        yield uow
        uow.commit()
    except DomainError as exc:
        uow.rollback()
        raise _fail(f"{exc.detail}\n{exc.detail_th}") from None
    finally:
        session.close()
        engine.dispose()


def _settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:
        raise _fail(f"Configuration error: {exc}") from None


def _app(settings: Settings) -> FastAPI:
    try:
        return create_app(settings)
    except ConfigError as exc:
        raise _fail(f"Configuration error: {exc}") from None


def _upgrade(settings: Settings) -> None:
    if settings.database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    engine.dispose()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations."""
    settings = _settings()
    _upgrade(settings)
    typer.echo("database is up to date")


@db_app.command("backup")
def db_backup(target: Path) -> None:
    """Copy a live SQLite database safely (online backup); PostgreSQL uses pg_dump."""
    settings = _settings()
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise _fail(
            "For PostgreSQL use: pg_dump -Fc -f smartcity.dump DATABASE (docs/operations.md)"
        )
    if target.exists():
        raise _fail(f"{target} exists; choose a new file name")
    with closing(sqlite3.connect(url.database)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    typer.echo(f"backed up {url.database} to {target}")


@app.command()
def serve() -> None:
    """Run the platform with configuration from the environment or .env."""
    settings = _settings()
    uvicorn.run(_app(settings), host=settings.host, port=settings.port, proxy_headers=True)


app.command("speaker-agent")(speaker_agent)


@app.command()
def ingest(
    client_id: Annotated[str, typer.Option(help="Stable MQTT client id of this worker.")] = "",
) -> None:
    """Run an MQTT ingest worker; start several to share the load (MQTT 5 shared subscription)."""
    settings = _settings()
    if not settings.mqtt_url:
        raise _fail("SMARTCITY_MQTT_URL is not set")
    engine = make_engine(settings.database_url)
    worker = MqttIngest(
        settings,
        make_session_factory(engine),
        build_bus(),
        client_id=client_id or runtime.client_id(settings, "-ingest"),
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    checkpointer = WalCheckpointer(engine)  # as the app's runtime does beside its ingest
    checkpointer.start()
    runtime.freeze_heap()
    worker.start()
    typer.echo(f"ingesting from {settings.mqtt_url} as {worker.client_id}", err=True)
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    worker.stop()
    checkpointer.stop()
    engine.dispose()
    st = worker.stats
    typer.echo(
        f"stopped: received={st.received} stored={st.stored} dead={st.dead} "
        f"batches={st.batches} failures={st.failures}",
        err=True,
    )


@app.command()
def demo(
    data_dir: Annotated[Path, typer.Option(help="Folder for the demo database.")] = Path(
        "./var/demo"
    ),
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    keep: Annotated[
        bool, typer.Option(help="Keep existing demo data instead of a fresh start.")
    ] = False,
    rate: Annotated[float, typer.Option(help="Simulated messages per second.")] = 5.0,
) -> None:
    """Start a fresh demo of Phichit: sample data, demo log-ins, a broker and live devices."""
    started = time.monotonic()
    if data_dir.exists() and not keep:
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    fresh = not (data_dir / "smartcity.db").exists()
    broker = EmbeddedBroker(port=_free_port())
    broker.start()
    settings = Settings(
        mode="demo",
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'smartcity.db'}",
        cookie_secure=False,
        host="127.0.0.1",
        port=port,
        mqtt_url=broker.url,
        mqtt_client_id="smartcity-demo",
    )
    _upgrade(settings)
    with _unit_of_work(settings) as uow:
        logins = seed_demo(uow) if fresh else []
        if fresh:
            seed_city(uow, settings)
        fleet = demo_fleet(uow, settings)
    if logins:
        _print_demo(settings, logins, time.monotonic() - started)
    application = _app(settings)
    simulator = Simulator(settings.mqtt_url, settings.site_code, fleet, rate=rate, speed=60.0)
    simulator.start()
    uvicorn.run(application, host=settings.host, port=settings.port, log_level="warning")
    simulator.stop()
    broker.stop()


@app.command()
def simulate(
    devices: Annotated[int, typer.Option(help="How many simulated devices.")] = 50,
    rate: Annotated[float, typer.Option(help="Messages per second.")] = 20.0,
    speed: Annotated[float, typer.Option(help="Simulated seconds per real second.")] = 60.0,
    seconds: Annotated[float | None, typer.Option(help="Stop after this long.")] = None,
) -> None:
    """Publish realistic readings (flood wave, PM2.5 day, heartbeats, some going silent)."""
    settings = _settings()
    if not settings.mqtt_url:
        raise _fail("SMARTCITY_MQTT_URL is not set")
    with _unit_of_work(settings) as uow:
        fleet = ensure_fleet(uow, settings, devices)
    simulator = Simulator(settings.mqtt_url, settings.site_code, fleet, rate=rate, speed=speed)
    typer.echo(f"simulating {devices} devices at {rate}/s to {settings.mqtt_url}", err=True)
    with suppress(KeyboardInterrupt):
        simulator.run(seconds)
    typer.echo(f"published {simulator.stats.published} messages", err=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _print_demo(settings: Settings, logins: list[DemoLogin], seconds: float) -> None:
    typer.secho("\nSmart City Platform demo: SAMPLE DATA of Phichit, fictitious people", bold=True)
    typer.echo("ข้อมูลสาธิต: ข้อมูลตัวอย่างของเมืองพิจิตร บุคคลสมมติทั้งหมด")
    typer.echo(f"Open http://{settings.host}:{settings.port}/  (ready in {seconds:.1f} s)\n")
    typer.echo(f"{'user':<14}{'password':<26}role")
    for login in logins:
        typer.echo(f"{login.username:<14}{login.password:<26}{login.role}")
    typer.echo("\nSimulated devices report every few seconds; the river peaks in about 2 minutes.")
    typer.echo("Press Ctrl+C to stop.")


@agencies_app.command("create")
def agencies_create(
    code: str,
    name_th: Annotated[str, typer.Option(help="Thai name.")],
    kind: Annotated[
        str, typer.Option(help="municipality, police, health_unit, telecom, rescue, other")
    ],
    name_en: Annotated[str, typer.Option(help="English name.")] = "",
) -> None:
    """Register an agency."""
    try:
        data = AgencyIn(code=code, name_th=name_th, name_en=name_en, kind=kind)
    except ValidationError as exc:
        raise _fail(str(exc)) from None
    with _unit_of_work(_settings()) as uow:
        agency = accounts.create_agency(uow, data)
        typer.echo(f"agency {agency.code} created (id {agency.id})")


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[str, typer.Option(help="admin, operator, police, care_manager, ...")],
    agency: Annotated[str, typer.Option(help="Agency code.")],
    full_name: Annotated[str, typer.Option(help="Full name.")] = "",
    zone: Annotated[
        list[int] | None, typer.Option(help="Limit to this zone id (repeatable).")
    ] = None,
) -> None:
    """Create a user; the password is read from SMARTCITY_NEW_PASSWORD or asked for."""
    password = os.environ.get("SMARTCITY_NEW_PASSWORD") or getpass.getpass("Password: ")
    with _unit_of_work(_settings()) as uow:
        found = accounts.find_agency(uow.session, agency)
        try:
            membership = MembershipIn(agency_id=found.id, role=role, zone_ids=zone or [])
            data = UserIn(
                username=username,
                full_name=full_name or username,
                password=password,
                memberships=[membership],
            )
        except ValidationError as exc:
            raise _fail(str(exc)) from None
        user = accounts.create_user(uow, data)
        typer.echo(f"user {user.username} created (id {user.id}) as {role} in {agency}")


@tokens_app.command("create")
def tokens_create(
    user: Annotated[str, typer.Option(help="User name the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    days: Annotated[int | None, typer.Option(help="Expire after this many days.")] = None,
) -> None:
    """Issue an API token; it is printed once and stored only as a keyed hash."""
    settings = _settings()
    with _unit_of_work(settings) as uow:
        found = accounts.find_user(uow.session, user)
        plain, _ = accounts.create_token(uow, settings, found.id, name, days)
    typer.echo(plain)
    typer.echo("Store it now: it cannot be shown again.", err=True)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit hash chain; exit 1 and name the first broken entry if tampered."""
    with _unit_of_work(_settings()) as uow:
        report = audit.verify(uow.session)
    if report.ok:
        typer.echo(f"audit chain intact: {report.checked} entries checked")
        return
    raise _fail(
        f"audit chain BROKEN at entry {report.broken_seq}: {report.reason} "
        f"({report.checked} entries verified before it)"
    )


@site_app.command("import")
def site_import(file: Path) -> None:
    """Import sites, zones and places from a GeoJSON FeatureCollection."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise _fail(f"cannot read {file}: {exc}") from None
    with _unit_of_work(_settings()) as uow:
        report = geo.import_geojson(uow, data)
    typer.echo(f"created {report.created}, updated {report.updated}, errors {len(report.errors)}")
    for err in report.errors:
        typer.echo(f"  feature {err.index} {err.code}: {err.message}", err=True)
    if report.errors:
        sys.exit(2)


@site_app.command("export")
def site_export() -> None:
    """Print the site, zones and places as GeoJSON."""
    with _unit_of_work(_settings()) as uow:
        data = geo.export_geojson(uow.session)
    typer.echo(json.dumps(data, ensure_ascii=False, indent=1))


@roads_app.command("check")
def roads_check(file: Path) -> None:
    """Check a GeoJSON road file and print the size of the graph it makes."""
    try:
        graph = roads.load_road_graph(file)
    except roads.RoadGraphError as exc:
        raise _fail(f"{exc.detail}\n{exc.detail_th}") from None
    typer.echo(
        f"nodes {graph.nodes}, edges {graph.edges}, parts {graph.components()}, "
        f"length {graph.length_m() / 1000:.1f} km"
    )


if __name__ == "__main__":
    app()
