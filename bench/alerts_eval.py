"""Alert rule evaluation riding on ingest: throughput and per-batch latency, cache on and off.

    python bench/alerts_eval.py [--devices 500] [--rules 50] [--batches 200]
                                [--postgres postgresql+psycopg://user@host/db]

For each backend: a fresh migrated database with N water-level gauges and R rules (threshold
rules with hysteresis on the whole kind and on single gauges, plus rate-of-change rules).
Each batch holds one reading per gauge, stored through the same in-process path the HTTP and
MQTT ingest use (``devices.ingest.store``); the alerts handler runs inside that transaction,
then the batch commits. A batch's latency is from the start of ``store`` to the end of the
commit, i.e. reading received -> alert raised and durable. Levels follow random walks around
the thresholds, so alerts are raised and cleared all the time. The run is repeated with the
rule cache switched off (rules read on every batch) to show what the cache saves.
PostgreSQL runs when --postgres or SMARTCITY_TEST_POSTGRES_URL is given.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn
from smartcity.alerts import evaluate
from smartcity.alerts import service as alerts
from smartcity.alerts.models import Alert
from smartcity.alerts.rules import CACHE
from smartcity.alerts.schemas import RuleIn
from smartcity.app import build_bus
from smartcity.config import Settings
from smartcity.db import make_session_factory
from smartcity.devices import ingest
from smartcity.devices import service as devices
from smartcity.devices.schemas import DeviceIn
from smartcity.events import Actor, UnitOfWork
from smartcity.migrate import scratch_database

BUDGET_MS = 100.0


def setup(engine: Engine, n_devices: int, n_rules: int) -> tuple[ingest.Caller, list[str]]:
    """Gauges, rules, and the gateway-like caller that posts for the gauges' agency."""
    settings = Settings(mode="test", database_url="sqlite://")
    with make_session_factory(engine)() as session:
        uow = UnitOfWork(session, build_bus(), Actor.system("bench"))
        agency = accounts.create_agency(
            uow, AgencyIn(code="bench", name_th="bench", kind="municipality")
        )
        ids, codes = [], []
        for i in range(n_devices):
            code = f"wl-{i:04d}"
            data = DeviceIn(
                code=code, kind="water_level", name_th=code, lat=16.44, lon=100.34,
                agency_id=agency.id,
            )  # fmt: skip
            ids.append(devices.create_device(uow, settings, data)[0].id)
            codes.append(code)
        for rule in rules(n_rules, ids):
            alerts.create_rule(uow, rule)
        uow.commit()
    return ingest.Caller("gateway", 0, agency.id, "bench"), codes


def rules(n: int, device_ids: list[int]) -> Iterator[RuleIn]:
    """One rate rule in ten, the rest thresholds alternating kind-wide and single gauges."""
    for i in range(n):
        common: dict[str, Any] = {
            "name_th": f"rule {i}",
            "metric": "level_m",
            "severity": "warning",
        }
        if i % 10 == 9:
            yield RuleIn(
                **common, kind="rate_of_change", operator=">", threshold=0.5,
                clear_threshold=0.1, window_minutes=20, scope="kind", device_kind="water_level",
            )  # fmt: skip
            continue
        level = 9.0 + (i % 7) * 0.1
        scope: dict[str, Any] = (
            {"scope": "kind", "device_kind": "water_level"}
            if i % 2 == 0
            else {"scope": "device", "device_id": device_ids[i % len(device_ids)]}
        )
        yield RuleIn(
            **common, **scope, kind="threshold", operator=">=", threshold=level,
            clear_threshold=level - 0.1,
        )  # fmt: skip


def run(engine: Engine, caller: ingest.Caller, codes: list[str], batches: int) -> dict[str, Any]:
    """Post the batches; per-batch end-to-end and evaluation-only times in ms."""
    factory = make_session_factory(engine)
    bus = build_bus()
    eval_ms: list[float] = []

    def timed(uow: UnitOfWork, event: Any) -> None:
        t = time.perf_counter()
        evaluate.on_telemetry(uow, event)
        eval_ms.append((time.perf_counter() - t) * 1000)

    # Swap the registered handler for a timed copy of itself.
    table = bus._handlers["in_transaction"]
    for handlers in table.values():
        handlers[:] = [timed if h is evaluate.on_telemetry else h for h in handlers]
    rnd = random.Random(7)
    levels = [rnd.uniform(8.6, 9.4) for _ in codes]
    start = datetime.now(UTC) - timedelta(minutes=batches + 5)
    total_ms: list[float] = []
    for b in range(batches):
        ts = (start + timedelta(minutes=b)).isoformat()
        levels = [min(11.0, max(8.0, v + rnd.gauss(0, 0.03))) for v in levels]
        readings = [
            {"device": c, "ts": ts, "values": {"level_m": round(v, 3)}}
            for c, v in zip(codes, levels, strict=True)
        ]
        with factory() as session:
            uow = UnitOfWork(session, bus, Actor.system("bench"))
            t = time.perf_counter()
            with ingest.gc_paused():
                ingest.store(uow, caller, readings)
            uow.commit()
            total_ms.append((time.perf_counter() - t) * 1000)
    with factory() as session:
        raised = session.scalar(select(func.count()).select_from(Alert)) or 0
        open_ = session.scalar(
            select(func.count()).select_from(Alert).where(Alert.resolved_at.is_(None))
        )
    return {"total": total_ms, "eval": eval_ms, "raised": raised, "open": open_}


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of the values."""
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def report(label: str, r: dict[str, Any], n: int) -> None:
    """Print one run's figures."""
    total, ev = r["total"], r["eval"]
    p50, p99 = statistics.median(total), pct(total, 0.99)
    rate = n * len(total) / (sum(total) / 1000)
    print(
        f"  {label}: {rate:,.0f} readings/s stored and evaluated; batch of {n} readings"
        f" p50 {p50:.1f} ms, p99 {p99:.1f} ms ({p99 / BUDGET_MS:.0%} of the {BUDGET_MS:.0f} ms"
        f" budget); evaluation alone p50 {statistics.median(ev):.1f} ms, p99 {pct(ev, 0.99):.1f}"
        f" ms; {r['raised']} alerts raised, {r['open']} open at the end"
    )


def bench(backend: str, pg_url: str, args: argparse.Namespace) -> None:
    """Both runs (cache on, cache off) on fresh databases of one backend."""
    print(f"{backend}: {args.devices} gauges, {args.rules} rules, {args.batches} batches")
    with tempfile.TemporaryDirectory() as tmp:
        for cached in (True, False):
            CACHE.enabled = cached
            CACHE.clear()
            with scratch_database(Path(tmp), pg_url if backend == "postgresql" else "") as (
                engine,
                _url,
            ):
                caller, codes = setup(engine, args.devices, args.rules)
                result = run(engine, caller, codes, args.batches)
            report("rule cache on " if cached else "rule cache off", result, args.devices)
    CACHE.enabled = True


def main() -> None:
    """Parse arguments and run the benchmark on each backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--postgres", default=os.environ.get("SMARTCITY_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    bench("sqlite", "", args)
    if args.postgres:
        bench("postgresql", args.postgres, args)


if __name__ == "__main__":
    main()
