"""Next-due computation over many schedules, against the 10 ms target of issue 5.

    python bench/broadcast_schedule.py [--schedules 10000] [--runs 300] [--limit 100]
                                       [--horizon-minutes 60] [--postgres URL]

For each backend: a fresh migrated database holding N approved announcements' schedules (a mix
of daily, weekly and one-off, times spread over the day, one or two of 40 PA zone ids each). The
rows are written in bulk with their next slot computed by the same recurrence code the service
uses (saving them one by one through the service would run N conflict checks, which is not
what is measured). Then ``scheduling.next_due(session, now, horizon, limit)`` runs repeatedly
in a fresh session each time, as a request would; the median and p99 are printed with their
ratio to the target. PostgreSQL runs when --postgres or SMARTCITY_TEST_POSTGRES_URL is given.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from sqlalchemy import Engine

from smartcity.broadcast import scheduling
from smartcity.broadcast.models import Announcement, Schedule
from smartcity.broadcast.recurrence import Rule, next_slot, weekday_mask
from smartcity.db import make_session_factory
from smartcity.migrate import scratch_database

TARGET_MS = 10.0
NOW = datetime(2030, 1, 7, 3, 0, tzinfo=UTC)  # Monday 10:00 in Bangkok


def populate(engine: Engine, count: int, seed: int = 5) -> None:
    """N schedules over 200 announcements, each with its next slot stored."""
    rnd = random.Random(seed)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        anns = [
            Announcement(
                title=f"bench {i}",
                category="news",
                languages=["th"],
                source="upload",
                audio_file=f"{i:064x}.mp3",
                checksum=f"{i:064x}",
                duration_s=rnd.uniform(20, 300),
                priority="routine",
                status="scheduled",
            )
            for i in range(200)
        ]
        session.add_all(anns)
        session.flush()
        rows = []
        for _ in range(count):
            ann = rnd.choice(anns)
            kind = rnd.choices(["daily", "weekly", "once"], [5, 4, 1])[0]
            start = date(2030, 1, 1) + timedelta(days=rnd.randrange(0, 30))
            at = clock(rnd.randrange(5, 21), rnd.randrange(0, 60))
            days = rnd.sample(range(1, 8), rnd.randrange(1, 4))
            rule = Rule(kind, start, at, None, weekday_mask(days) if kind == "weekly" else 127)
            rows.append(
                Schedule(
                    announcement_id=ann.id,
                    kind=kind,
                    start_date=start,
                    time_of_day=at,
                    weekday_mask=rule.weekday_mask,
                    zone_ids=rnd.sample(range(1, 41), rnd.randrange(1, 3)),
                    duration_s=ann.duration_s,
                    next_due_at=next_slot(rule, NOW),
                )
            )
        session.add_all(rows)


def measure(engine: Engine, runs: int, limit: int, horizon: timedelta) -> tuple[list[float], int]:
    """Milliseconds per next_due call (fresh session each), and the slots of the last call."""
    factory = make_session_factory(engine)
    times, found = [], 0
    for i in range(runs + 10):
        with factory() as session:
            t0 = time.perf_counter()
            slots = scheduling.next_due(session, NOW, horizon, limit)
            elapsed = (time.perf_counter() - t0) * 1000
        if i >= 10:  # warm-up: connection pool, statement caches
            times.append(elapsed)
        found = len(slots)
    return times, found


def main() -> None:
    """Run the benchmark on SQLite (and PostgreSQL when given) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--horizon-minutes", type=int, default=60)
    parser.add_argument("--postgres", default=os.environ.get("SMARTCITY_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    horizon = timedelta(minutes=args.horizon_minutes)
    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    print(
        f"{args.schedules} schedules, next_due(limit={args.limit}, horizon={horizon}), "
        f"{args.runs} runs, target {TARGET_MS} ms"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            with scratch_database(Path(tmp), args.postgres if backend == "postgresql" else "") as (
                engine,
                _url,
            ):
                populate(engine, args.schedules)
                times, found = measure(engine, args.runs, args.limit, horizon)
            median = statistics.median(times)
            p99 = statistics.quantiles(times, n=100)[98]
            print(
                f"{backend:10s} slots={found:4d} median={median:6.2f} ms "
                f"({median / TARGET_MS:.0%} of target)  p99={p99:6.2f} ms "
                f"({p99 / TARGET_MS:.0%} of target)"
            )


if __name__ == "__main__":
    main()
