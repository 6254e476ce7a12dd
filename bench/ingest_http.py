"""HTTP batch ingest throughput against the raw executemany ceiling, on SQLite and PostgreSQL.

    python bench/ingest_http.py [--devices 200] [--batch 5000] [--batches 40]
                                [--postgres postgresql+psycopg://user@host/db]

For each backend: a fresh migrated database, N water-level gauges and one gateway; the real
application runs in uvicorn in a subprocess and an httpx client posts pre-encoded batches
(one metric per reading, so readings = rows). The ceiling is a raw DB-API ``executemany`` of
the same rows into the same table of a second fresh database, one transaction per batch.
PostgreSQL runs when --postgres or SMARTCITY_TEST_POSTGRES_URL is given.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from common import app_server, machine_line, serve_app
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn
from smartcity.app import build_bus
from smartcity.config import Settings
from smartcity.db import make_session_factory
from smartcity.devices import service as devices
from smartcity.devices.schemas import DeviceIn, GatewayIn
from smartcity.events import Actor, UnitOfWork
from smartcity.migrate import scratch_database

START = datetime(2026, 1, 1, tzinfo=UTC)
MAX_BODY = 64_000_000
COLUMNS = "device_id, metric, ts_ms, value"


def settings_for(url: str) -> Settings:
    """Settings of the benchmarked app: test mode (demo secrets allowed), large bodies."""
    return Settings(mode="test", database_url=url, max_body_bytes=MAX_BODY)


def seed(engine: Engine, url: str, n_devices: int) -> tuple[list[str], str]:
    """N gauges and a gateway of one agency; returns the codes and the gateway token."""
    settings = settings_for(url)
    factory = make_session_factory(engine)
    with factory() as session:
        uow = UnitOfWork(session, build_bus(), Actor.system("bench"))
        agency = accounts.create_agency(
            uow, AgencyIn(code="bench", name_th="ทดสอบ", kind="municipality")
        )
        codes = [f"wl-{i:05d}" for i in range(n_devices)]
        for code in codes:
            data = DeviceIn(
                code=code,
                kind="water_level",
                name_th=code,
                lat=16.44,
                lon=100.345,
                agency_id=agency.id,
            )
            devices.create_device(uow, settings, data)
        data_gw = GatewayIn(code="gw-bench", name="bench", agency_id=agency.id)
        _gw, token = devices.create_gateway(uow, settings, data_gw)
        uow.commit()
    return codes, token


def make_batches(codes: list[str], batch: int, count: int) -> list[list[dict[str, Any]]]:
    """Batches of readings cycling over the devices, each reading with its own time."""
    out, n = [], 0
    for _ in range(count):
        readings = []
        for _ in range(batch):
            code = codes[n % len(codes)]
            ts = START + timedelta(seconds=n // len(codes))
            readings.append(
                {"device": code, "ts": ts.isoformat(), "values": {"level_m": 5 + (n % 97) / 10}}
            )
            n += 1
        out.append(readings)
    return out


@contextmanager
def server(url: str) -> Iterator[str]:
    """The real application in uvicorn, in a subprocess; yields its base URL."""
    with app_server(__file__, url) as base:
        yield base


def run_http(url: str, token: str, batches: list[list[dict[str, Any]]], warm: int) -> float:
    """Readings per second through the app (the first ``warm`` batches are not timed)."""
    bodies = [json.dumps({"readings": b}).encode() for b in batches]
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    with server(url) as base, httpx.Client(base_url=base, timeout=120) as client:
        for body in bodies[:warm]:
            _post(client, body, headers)
        started = time.perf_counter()
        for body in bodies[warm:]:
            _post(client, body, headers)
        elapsed = time.perf_counter() - started
    return sum(len(b) for b in batches[warm:]) / elapsed


def _post(client: httpx.Client, body: bytes, headers: dict[str, str]) -> None:
    r = client.post("/api/devices/ingest", content=body, headers=headers)
    if r.status_code != 200 or r.json()["rejected"]:
        raise SystemExit(f"ingest failed: {r.status_code} {r.text[:500]}")


def run_ceiling(
    backend: str, url: str, ids: dict[str, int], batches: list[list[dict[str, Any]]], warm: int
) -> float:
    """Readings per second of a raw DB-API executemany of the same rows, one commit per batch."""
    rows = [
        [(ids[r["device"]], "level_m", _ms(r["ts"]), float(r["values"]["level_m"])) for r in batch]
        for batch in batches
    ]
    if backend == "sqlite":
        conn: Any = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        sql = f"INSERT INTO device_readings ({COLUMNS}) VALUES (?, ?, ?, ?)"
    else:
        import psycopg

        pg = make_url(url).set(drivername="postgresql")
        conn = psycopg.connect(pg.render_as_string(hide_password=False), autocommit=True)
        sql = f"INSERT INTO device_readings ({COLUMNS}) VALUES (%s, %s, %s, %s)"
    try:
        for batch in rows[:warm]:
            _insert(conn, sql, batch)
        started = time.perf_counter()
        for batch in rows[warm:]:
            _insert(conn, sql, batch)
        elapsed = time.perf_counter() - started
    finally:
        conn.close()
    return sum(len(b) for b in rows[warm:]) / elapsed


def _insert(conn: Any, sql: str, rows: list[tuple[int, str, int, float]]) -> None:
    cur = conn.cursor()
    cur.execute("BEGIN")
    cur.executemany(sql, rows)
    cur.execute("COMMIT")
    cur.close()


def _ms(ts: str) -> int:
    return (datetime.fromisoformat(ts) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
        milliseconds=1
    )


def device_ids(engine: Engine) -> dict[str, int]:
    """Device ids by code."""
    with engine.connect() as conn:
        return {c: i for c, i in conn.execute(text("SELECT code, id FROM devices"))}


def bench(backend: str, pg_url: str, args: argparse.Namespace) -> None:
    """One backend: HTTP ingest, then the ceiling, then the ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with scratch_database(folder, pg_url if backend == "postgresql" else "") as (engine, url):
            codes, token = seed(engine, url, args.devices)
            batches = make_batches(codes, args.batch, args.batches + args.warm)
            http_rate = run_http(url, token, batches, args.warm)
        with scratch_database(folder, pg_url if backend == "postgresql" else "") as (engine, url):
            seed(engine, url, args.devices)
            ceiling = run_ceiling(backend, url, device_ids(engine), batches, args.warm)
    total = args.batch * args.batches
    print(
        f"{backend:10s} {total:>9,d} readings in batches of {args.batch:,d}: "
        f"HTTP ingest {http_rate:>9,.0f} readings/s | raw executemany {ceiling:>9,.0f} rows/s"
        f" | ratio {http_rate / ceiling:6.1%}"
    )


def main() -> None:
    """Parse arguments and run the benchmark on each backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("SMARTCITY_TEST_POSTGRES_URL", ""))
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--serve", default="")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.serve:
        serve_app(settings_for(args.serve), args.port)
        return
    print(machine_line())
    bench("sqlite", "", args)
    if args.postgres and not args.sqlite_only:
        bench("postgresql", args.postgres, args)


if __name__ == "__main__":
    main()
