"""MQTT QoS 1 ingest end to end: throughput, publish-to-stored latency, reading-to-alert latency.

    python bench/ingest_mqtt.py [--devices 2000] [--messages 60000] [--rate 12000] [--workers 1]
                                [--postgres postgresql+psycopg://user@host/db] [--postgres-only]

A private Mosquitto runs with the project's recommended settings (deploy/mosquitto). One
ingest worker (the real MqttIngest: shared subscription, batched commit, PUBACK after commit)
runs in this process; a publisher process (bench/mqtt_load.py: pre-built packets on a raw
socket, so the load generator is not the bottleneck) sends single-reading QoS 1 messages at a
fixed rate, each stamped with its publish time. Latency is measured from that stamp to the
commit that stored it (an after-commit subscriber sees each batch's newest reading per device;
with many devices in round robin that is nearly every reading). One gauge in fifty crosses
a threshold rule now and then, and the AlertRaised events give the reading-to-alert latency.
Before the timed run every device sends two readings at a gentle rate (warm-up: a new
process's first batches are several times slower); the figures are the timed run's alone.
In the ingest process a WalCheckpointer runs beside MqttIngest, as in the app's runtime.
Targets (issue 3): >= 10,000 msg/s, p99 <= 100 ms; reading -> alert p99 <= 100 ms.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import free_port, machine_line, percentile
from mqtt_load import LoadPublisher
from sqlalchemy import text

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn
from smartcity.alerts import service as alerts
from smartcity.alerts.events import AlertRaised
from smartcity.alerts.schemas import RuleIn
from smartcity.app import build_bus
from smartcity.config import Settings
from smartcity.db import WalCheckpointer, make_engine, make_session_factory
from smartcity.devices import service as devices
from smartcity.devices.events import TelemetryReceived
from smartcity.devices.mqtt_ingest import MqttIngest
from smartcity.devices.schemas import DeviceIn
from smartcity.events import Actor, UnitOfWork
from smartcity.integrations.mqtt import BrokerAddress, device_topic
from smartcity.migrate import upgrade
from smartcity.runtime import freeze_heap

ROOT = Path(__file__).resolve().parents[1]
THRESHOLD = 9.83


def start_broker(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    conf = tmp / "mosquitto.conf"
    conf.write_text(
        (ROOT / "deploy" / "mosquitto" / "smartcity.conf").read_text()
        + f"\nlistener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
    )
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    proc = subprocess.Popen([binary, "-c", str(conf)])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, f"mqtt://127.0.0.1:{port}"


def seed(url: str, settings: Settings, n: int) -> list[tuple[str, str]]:
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        uow = UnitOfWork(session, build_bus(settings), Actor.system("bench"))
        agency = accounts.create_agency(uow, AgencyIn(code="bench", name_th="ทดสอบ", kind="other"))
        out = []
        for i in range(n):
            data = DeviceIn(
                code=f"g{i:05d}",
                kind="water_level",
                name_th=f"g{i}",
                lat=16.44,
                lon=100.35,
                agency_id=agency.id,
            )
            out.append((data.code, devices.create_device(uow, settings, data)[1].token))
        rule = RuleIn.model_validate(
            {
                "kind": "threshold",
                "name_th": "เกณฑ์",
                "name_en": "bench",
                "severity": "critical",
                "scope": "kind",
                "device_kind": "water_level",
                "metric": "level_m",
                "operator": ">=",
                "threshold": THRESHOLD,
                "clear_threshold": 9.0,
            }
        )
        alerts.create_rule(uow, rule)
        uow.commit()
    engine.dispose()
    return out


def publisher(url: str, site: str, fleet: list[tuple[str, str]], total: int, rate: float) -> None:
    """Publish ``total`` single-reading QoS 1 messages at ``rate``, each stamped when built."""
    address = BrokerAddress.from_url(url)
    load = LoadPublisher(address.host, address.port, "bench-publisher")
    n = len(fleet)
    topics = [device_topic(site, code, "telemetry").encode() for code, _ in fleet]

    def message(i: int) -> tuple[bytes, bytes]:
        token = fleet[i % n][1]
        # One gauge in fifty flips across the threshold every round: raises and clears alerts.
        level = 10.0 if (i % n) % 50 == 0 and (i // n) % 2 == 0 else 5.0
        ts = datetime.now(UTC).isoformat(timespec="microseconds")
        body = f'{{"token":"{token}","ts":"{ts}","values":{{"level_m":{level}}}}}'
        return topics[i % n], body.encode()

    time.sleep(0.5)
    load.run(total, rate, message)
    load.close()


def ingest_worker(
    options: dict[str, Any],
    index: int,
    tuning: tuple[int, float],
    received: Any,
    ready: Any,
    stop: Any,
    out: Any,
) -> None:
    """One ingest process: the real MqttIngest plus after-commit probes for the latencies."""
    settings = Settings(**options)
    engine = make_engine(settings.database_url)
    bus = build_bus(settings)
    latencies: list[tuple[float, float]] = []  # (publish stamp, seconds to stored)
    alert_lat: list[tuple[float, float]] = []
    raised: dict[int, float] = {}

    def on_alert(_uow: Any, event: AlertRaised) -> None:
        # Runs before on_batch for the same commit; on_batch matches it to the reading's stamp.
        raised[event.device_id] = time.time()

    def on_batch(_uow: Any, event: TelemetryReceived) -> None:
        now = time.time()
        for device_id, _metric, ts, _value in event.latest:
            stamp = ts.timestamp()
            latencies.append((stamp, now - stamp))
            if device_id in raised:
                alert_lat.append((stamp, raised.pop(device_id) - stamp))
        with received.get_lock():
            received.value += event.readings

    bus.subscribe(TelemetryReceived, on_batch, "after_commit")
    bus.subscribe(AlertRaised, on_alert, "after_commit")
    worker = MqttIngest(
        settings,
        make_session_factory(engine),
        bus,
        client_id=f"bench-{index}",
        batch_max=tuning[0],
        linger=tuning[1],
    )
    checkpointer = WalCheckpointer(engine)  # as the app's runtime runs beside its ingest
    checkpointer.start()
    freeze_heap()  # as the app and the ingest command do when they start
    worker.start()
    ready.release()
    stop.wait()
    worker.stop()
    checkpointer.stop()
    out.put((latencies, alert_lat, worker.stats.batches, worker.stats.dead))
    engine.dispose()


def warm_up(broker: str, site: str, fleet: list[tuple[str, str]], received: Any) -> None:
    """Two readings per device at a gentle rate, stored before the timed run starts.

    The first batches of a new process are several times slower than later ones (every
    device's first latest-state row, compiled statement caches, alert rules read): that is
    start-up, not the sustained rate the target is about, so it is left out of the figures.
    """
    total = 2 * len(fleet)
    proc = mp.Process(target=publisher, args=(broker, site, fleet, total, 2000.0))
    proc.start()
    deadline = time.monotonic() + 120
    while received.value < total and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.join()
    with received.get_lock():
        received.value = 0


def run(url: str, label: str, args: argparse.Namespace, broker: str) -> None:
    options = {
        "mode": "test",
        "database_url": url,
        "mqtt_url": broker,
        "mqtt_share_group": f"b{os.getpid()}",
        "mqtt_session_expiry": 60,
    }
    settings = Settings(**options)
    fleet = seed(url, settings, args.devices)
    received, ready, stop, out = mp.Value("q", 0), mp.Semaphore(0), mp.Event(), mp.Queue()
    tuning = (args.batch_max, args.linger)
    workers = [
        mp.Process(target=ingest_worker, args=(options, i, tuning, received, ready, stop, out))
        for i in range(args.workers)
    ]
    for w in workers:
        w.start()
    for _ in workers:
        ready.acquire()
    time.sleep(0.5)
    warm_up(broker, settings.site_code, fleet, received)
    measured_from = time.time()
    proc = mp.Process(
        target=publisher, args=(broker, settings.site_code, fleet, args.messages, args.rate)
    )
    t0 = time.monotonic()
    proc.start()
    while received.value < args.messages and time.monotonic() - t0 < 300:
        time.sleep(0.01)
    elapsed = time.monotonic() - t0 - 0.5  # the publisher's connect pause
    proc.join()
    stop.set()
    results = [out.get() for _ in workers]
    for w in workers:
        w.join()
    latencies = [lat for r in results for stamp, lat in r[0] if stamp >= measured_from]
    alert_lat = [lat for r in results for stamp, lat in r[1] if stamp >= measured_from]
    batches, dead = sum(r[2] for r in results), sum(r[3] for r in results)
    engine = make_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(text("select count(*) from device_readings")).scalar_one()
    engine.dispose()
    rate = received.value / elapsed
    print(
        f"[{label}, {args.workers} worker(s)] {received.value} messages in {elapsed:.2f} s = "
        f"{rate:,.0f} msg/s (target 10,000: ratio {rate / 10000:.2f}); stored readings {stored} "
        f"({2 * args.devices} of them warm-up); "
        f"batches {batches}; dead {dead}"
    )
    print(
        f"[{label}] publish -> stored latency ms: p50 {1000 * percentile(latencies, 0.5):.1f}  "
        f"p99 {1000 * percentile(latencies, 0.99):.1f}  (target p99 100: ratio "
        f"{percentile(latencies, 0.99) * 10:.2f}); samples {len(latencies)}"
    )
    if alert_lat:
        alert_p99 = percentile(alert_lat, 0.99)
        print(
            f"[{label}] reading -> alert raised latency ms: p50 "
            f"{1000 * statistics.median(alert_lat):.1f}  p99 {1000 * alert_p99:.1f} "
            f"(target p99 100: ratio {alert_p99 * 10:.2f}); alerts {len(alert_lat)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=60000)
    parser.add_argument("--rate", type=float, default=12000.0)
    parser.add_argument("--workers", type=int, default=1, help="ingest processes sharing the load")
    parser.add_argument("--batch-max", type=int, default=2000, help="messages per transaction")
    parser.add_argument("--linger", type=float, default=0.0, help="seconds a batch waits to fill")
    parser.add_argument("--postgres", default=os.environ.get("SMARTCITY_TEST_POSTGRES_URL", ""))
    parser.add_argument("--postgres-only", action="store_true", help="skip the SQLite run")
    args = parser.parse_args()
    print(machine_line())
    tmp = Path(tempfile.mkdtemp(prefix="bench-mqtt-"))
    broker_proc, broker = start_broker(tmp)
    try:
        if not args.postgres_only:
            run(f"sqlite:///{tmp / 'bench.db'}", "sqlite", args, broker)
        if args.postgres:
            schema = f"bench_{os.getpid()}"
            admin = make_engine(args.postgres)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            sep = "&" if "?" in args.postgres else "?"
            try:
                run(
                    f"{args.postgres}{sep}options=-csearch_path%3D{schema}",
                    "postgresql",
                    args,
                    broker,
                )
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        broker_proc.terminate()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
