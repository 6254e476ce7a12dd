"""Help request accepted -> first unit offered at 50 requests/s: 100,000 people, 500 units.

    python bench/dispatch.py [--rate 50] [--seconds 30] [--people 100000] [--units 500]
                             [--postgres postgresql+psycopg://user@host/db] [--sqlite-only]

For each backend: a fresh migrated database with the Phichit sample geography, 100,000
registered people in 62,500 households and 500 responder units placed at random within about
6 km of the town centre (people and units bulk-inserted with Core in this script only: the
registry's per-person rules are not what is measured). The real application runs in uvicorn in
a subprocess; an open-loop httpx client sends POST /api/help (the resident app's request, each
with its own client key and a position in town) at a fixed rate from a thread pool. The answer
comes after the incident and its first offer are committed and names the offered unit, so the
latency of a request is from its scheduled send time (queueing included) to that answer.

Offered units are put back to available by a "responders" thread every 0.5 s (their offers
cancelled), as if each unit answered and finished at once; otherwise 500 units would all be
busy after 10 s and later requests would measure escalation, not dispatch.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from common import app_server, machine_line, percentile, serve_app
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import OperationalError

from smartcity.app import build_bus
from smartcity.care.models import Household, Person
from smartcity.config import Settings
from smartcity.db import make_session_factory
from smartcity.events import Actor, UnitOfWork
from smartcity.geo import service as geo
from smartcity.incidents.models import Unit
from smartcity.kit.clock import utcnow
from smartcity.migrate import scratch_database

CENTRE = (16.443, 100.347)
KM_PER_DEG_LAT = 111.32
TARGET_MS = 200.0
CANCEL, FREE = "status = 'cancelled'", "status = 'available'"
CAPABILITIES = (["medical", "transport"], ["medical", "rescue"], ["rescue"], ["care"])


def settings_for(url: str) -> Settings:
    """The benchmarked app: test mode, and a help rate limit far above the load (one client IP)."""
    return Settings(
        mode="test", database_url=url, help_rate_per_minute=1_000_000, help_rate_burst=100_000
    )


def _spot(rnd: random.Random, km: float) -> tuple[float, float]:
    dlat = km / KM_PER_DEG_LAT
    dlon = dlat / math.cos(math.radians(CENTRE[0]))
    return CENTRE[0] + rnd.uniform(-dlat, dlat), CENTRE[1] + rnd.uniform(-dlon, dlon)


def populate(engine: Engine, people: int, units: int, seed: int = 12) -> None:
    """The sample geography, then people, households and units in bulk."""
    with make_session_factory(engine)() as session:
        uow = UnitOfWork(session, build_bus(), Actor.system("bench"))
        geo.load_sample(uow)
        uow.commit()
    rnd = random.Random(seed)
    n_homes = max(1, int(people / 1.6))
    homes = []
    for i in range(1, n_homes + 1):
        lat, lon = _spot(rnd, 3.0)
        homes.append({"id": i, "house_no": str(i), "tambon": "ในเมือง", "amphoe": "เมืองพิจิตร",
                      "changwat": "พิจิตร", "postcode": "66000", "lat": lat, "lon": lon})  # fmt: skip
    persons = [
        {"household_id": (i % n_homes) + 1, "given_name": f"คนที่{i}", "family_name": "ทดสอบ",
         "phones": [f"08{i:08d}"], "phone_index": f"08{i:08d}", "elderly": rnd.random() < 0.2}
        for i in range(people)
    ]  # fmt: skip
    now = utcnow()
    fleet = []
    for i in range(units):
        lat, lon = _spot(rnd, 6.0)
        fleet.append({"code": f"bench-{i:04d}", "name": f"หน่วย {i}", "kind": "rescue_foundation",
                      "capabilities": CAPABILITIES[i % len(CAPABILITIES)], "status": "available",
                      "lat": lat, "lon": lon, "located_at": now, "created_at": now,
                      "updated_at": now})  # fmt: skip
    with engine.begin() as conn:
        for table, rows in ((Household, homes), (Person, persons), (Unit, fleet)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[start : start + 5000])
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


@contextmanager
def server(url: str) -> Iterator[str]:
    """The real application in uvicorn, in a subprocess; yields its base URL."""
    with app_server(__file__, url) as base:
        yield base


def responders(engine: Engine, stop: threading.Event) -> None:
    """Free offered units twice a second, as if every unit answered and finished at once."""
    while not stop.wait(0.5):
        try:
            with engine.begin() as conn:
                conn.execute(text(f"UPDATE incident_offers SET {CANCEL} WHERE status = 'offered'"))
                conn.execute(text(f"UPDATE incident_units SET {FREE} WHERE status = 'offered'"))
        except OperationalError:  # an overloaded SQLite: try again on the next tick
            continue


def one_request(
    client: httpx.Client, due: float, body: dict[str, object]
) -> tuple[float, bool, int]:
    """(milliseconds from the scheduled time to the answer, a unit was offered, HTTP status)."""
    try:
        response = client.post("/api/help", json=body)
    except httpx.HTTPError:
        return (time.perf_counter() - due) * 1000, False, 0
    elapsed = (time.perf_counter() - due) * 1000
    offered = response.status_code == 201 and response.json().get("offered_unit") is not None
    return elapsed, offered, response.status_code


def load(base: str, rate: float, seconds: float, seed: int = 7) -> list[tuple[float, bool, int]]:
    """Open-loop load: request i is due at start + i / rate, whatever earlier answers do."""
    rnd = random.Random(seed)
    total = int(rate * seconds)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    with httpx.Client(base_url=base, timeout=10, limits=limits) as client:
        for i in range(20):  # warm-up (connections, caches), not timed
            client.post("/api/help", json=_body(rnd, f"warm-{i}"))
        futures: list[Future[tuple[float, bool, int]]] = []
        with ThreadPoolExecutor(max_workers=64) as pool:
            start = time.perf_counter()
            for i in range(total):
                due = start + i / rate
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                futures.append(pool.submit(one_request, client, due, _body(rnd, f"r-{i}")))
        return [f.result() for f in futures]


def _body(rnd: random.Random, key: str) -> dict[str, object]:
    lat, lon = _spot(rnd, 3.0)
    return {"client_key": f"bench-{key}-{uuid.uuid4().hex[:8]}", "lat": round(lat, 6),
            "lon": round(lon, 6), "text": "ขอความช่วยเหลือ (bench)"}  # fmt: skip


def bench(backend: str, pg_url: str, args: argparse.Namespace) -> None:
    """One backend: seed, serve, load, report."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        scratch_database(Path(tmp), pg_url if backend == "postgresql" else "") as (
            engine,
            url,
        ),
    ):
        started = time.perf_counter()
        populate(engine, args.people, args.units)
        seeded = time.perf_counter() - started
        stop = threading.Event()
        freeing = threading.Thread(target=responders, args=(engine, stop), daemon=True)
        with server(url) as base:
            freeing.start()
            wall = time.perf_counter()
            results = load(base, args.rate, args.seconds)
            wall = time.perf_counter() - wall
            stop.set()
            freeing.join()
    ms = [r[0] for r in results if r[2] == 201] or [float("nan")]
    offered = sum(1 for r in results if r[1])
    errors = sum(1 for r in results if r[2] != 201)
    p50, p99 = statistics.median(ms), percentile(ms, 0.99)
    print(
        f"{backend:10s} {len(results)} requests in {wall:.1f} s ({len(results) / wall:.1f}/s), "
        f"{offered} offered a unit, {errors} errors (seeded in {seeded:.0f} s)\n"
        f"           accepted -> first unit offered: p50 {p50:.1f} ms | p99 {p99:.1f} ms | "
        f"max {max(ms):.1f} ms | p99 / {TARGET_MS:.0f} ms target = {p99 / TARGET_MS:.2f}"
    )


def main() -> None:
    """Parse arguments and run the benchmark on each backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--postgres", default=os.environ.get("SMARTCITY_TEST_POSTGRES_URL", ""))
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--serve", default="")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.serve:
        serve_app(settings_for(args.serve), args.port)
        return
    print(machine_line())
    if not args.postgres_only:
        bench("sqlite", "", args)
    if args.postgres and not args.sqlite_only:
        bench("postgresql", args.postgres, args)


if __name__ == "__main__":
    main()
