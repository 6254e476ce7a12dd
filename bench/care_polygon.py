"""People inside a 5 km² polygon among 100,000 registered people, indexed vs brute force.

    python bench/care_polygon.py [--people 100000] [--runs 50] [--spread-km 60] [--postgres URL]

For each backend: a fresh migrated database holding N people in N/1.6 households, written in
bulk with Core inserts (the registry's per-person rules, duplicate checks and encryption are not
what is measured), with each household's grid cell filed as the disaster handler files it.
Households are spread uniformly over a square of --spread-km around Phichit town (60 km: about
the province; pass 3.5 for everyone packed into the town's 12 km², the worst case).

Then, in a fresh session per run, as a request would:
- indexed: ``area.people_inside`` (cell ranges + bounding box in SQL, prepared Shapely test,
  people fetched and ranked) - the service call behind the disaster list, without the audit;
- brute force: every household position read, tested with Shapely, then the same people fetch
  and ranking, so both give the same list (checked).
Median and p95 are printed with the ratio to the 50 ms target of issue 4.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import Polygon
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from smartcity.care.access import Access
from smartcity.care.disaster import area, grid
from smartcity.care.disaster.models import HouseholdCell
from smartcity.care.disaster.repository import people_in_households
from smartcity.care.models import Household, Person
from smartcity.db import make_session_factory
from smartcity.migrate import scratch_database

TARGET_MS = 50.0
CENTRE = (16.443, 100.347)  # Phichit town centre
KM_PER_DEG_LAT = 110.6
EVERYONE = Access.everything()


def _km_to_deg(km: float) -> tuple[float, float]:
    """Degrees of latitude and longitude for a distance at the town's latitude."""
    lat = km / KM_PER_DEG_LAT
    return lat, lat / math.cos(math.radians(CENTRE[0]))


def populate(engine: Engine, people: int, spread_km: float, seed: int = 4) -> None:
    """N people in bulk-inserted households spread over a square around the town."""
    rnd = random.Random(seed)
    dlat, dlon = _km_to_deg(spread_km / 2)
    n_homes = max(1, int(people / 1.6))
    homes = []
    for i in range(1, n_homes + 1):
        lat = CENTRE[0] + rnd.uniform(-dlat, dlat)
        lon = CENTRE[1] + rnd.uniform(-dlon, dlon)
        homes.append({"id": i, "house_no": str(i), "tambon": "ในเมือง", "amphoe": "เมืองพิจิตร",
                      "changwat": "พิจิตร", "postcode": "66000", "lat": lat, "lon": lon})  # fmt: skip
    cells = [
        {"household_id": h["id"], "cell": grid.cell_of(h["lat"], h["lon"]), "lat": h["lat"],
         "lon": h["lon"]}
        for h in homes
    ]  # fmt: skip
    flags = ("bed_bound", "oxygen_dependent", "dialysis", "lives_alone", "elderly", "disabled")
    persons = [
        {"household_id": (i % n_homes) + 1, "given_name": f"คนที่{i}", "family_name": "ทดสอบ",
         **{f: rnd.random() < 0.08 for f in flags}}
        for i in range(people)
    ]  # fmt: skip
    with engine.begin() as conn:
        for table, rows in ((Household, homes), (HouseholdCell, cells), (Person, persons)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[start : start + 5000])
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def five_km2() -> Polygon:
    """An irregular 14-gon of 5 km² just east of the town centre."""
    rnd = random.Random(7)
    pts = []
    for k in range(14):
        angle = 2 * math.pi * k / 14
        radius = rnd.uniform(0.8, 1.2)
        pts.append((math.cos(angle) * radius, math.sin(angle) * radius))
    unit = Polygon(pts)
    scale = math.sqrt(5.0 / unit.area)  # km
    dlat, dlon = _km_to_deg(1.0)
    return Polygon(
        [(CENTRE[1] + 0.004 + x * scale * dlon, CENTRE[0] + y * scale * dlat) for x, y in pts]
    )


def brute_force(session: Session, geom: Polygon) -> list[Any]:
    """Every household read and tested with Shapely, then the same fetch and ranking."""
    rows = session.execute(
        select(Household.id, Household.lat, Household.lon).where(Household.lat.is_not(None))
    ).all()
    inside = shapely.intersects_xy(geom, [r[2] for r in rows], [r[1] for r in rows])
    ids = [r[0] for r, hit in zip(rows, inside, strict=True) if hit]
    return area.rank(people_in_households(session, ids, None))


def timed(factory: Callable[[], Session], fn: Callable[[Session], Any], runs: int) -> list[float]:
    """Milliseconds per call, each in a fresh session, after 5 warm-up calls."""
    out = []
    for n in range(runs + 5):
        with factory() as session:
            start = time.perf_counter()
            fn(session)
            elapsed = (time.perf_counter() - start) * 1000
        if n >= 5:
            out.append(elapsed)
    return out


def _line(label: str, ms: list[float]) -> str:
    med = statistics.median(ms)
    p95 = sorted(ms)[int(len(ms) * 0.95) - 1]
    return f"  {label:<12} median {med:8.2f} ms ({med / TARGET_MS:6.0%})   p95 {p95:8.2f} ms"


def run(backend: str, pg_url: str, args: argparse.Namespace, folder: Path) -> None:
    """Populate one backend and print indexed and brute-force timings side by side."""
    with scratch_database(folder, pg_url if backend == "postgresql" else "") as (engine, _url):
        start = time.perf_counter()
        populate(engine, args.people, args.spread_km)
        load_s = time.perf_counter() - start
        factory = make_session_factory(engine)
        geom = five_km2()
        with factory() as session:
            fast = [p.person_id for p in area.people_inside(session, EVERYONE, geom)]
            slow = [p.person_id for p in brute_force(session, geom)]
        assert fast == slow, "the indexed and brute-force lists differ"
        print(
            f"{backend}: {args.people:,} people over a {args.spread_km} km square "
            f"(loaded in {load_s:.1f} s); polygon 5 km², {len(fast):,} people inside"
        )
        print(
            _line(
                "indexed",
                timed(factory, lambda s: area.people_inside(s, EVERYONE, geom), args.runs),
            )
        )
        print(_line("brute force", timed(factory, lambda s: brute_force(s, geom), args.runs)))
        ids = timed(factory, lambda s: area.households_inside(s, geom), args.runs)
        print(_line("index only", ids) + "   (household ids, no people fetched)")


def main() -> None:
    """Parse arguments and run on SQLite (and PostgreSQL when a URL is given)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--spread-km", type=float, default=60.0)
    parser.add_argument("--postgres", default=os.environ.get("SMARTCITY_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run("sqlite", "", args, Path(folder))
        if args.postgres:
            run("postgresql", args.postgres, args, Path(folder))


if __name__ == "__main__":
    main()
