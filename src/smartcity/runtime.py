"""Background work that lives beside the web server: MQTT ingest and periodic sweeps."""

from __future__ import annotations

import gc
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from smartcity.alerts.tasks import sweep_no_data
from smartcity.broadcast import delivery_slots
from smartcity.care.visits import service as care_visits
from smartcity.config import Settings
from smartcity.db import WalCheckpointer
from smartcity.devices import commands, retention
from smartcity.devices import health as device_health
from smartcity.devices.mqtt_ingest import MqttIngest
from smartcity.devices.publisher import CommandPublisher
from smartcity.events import Actor, EventBus, UnitOfWork
from smartcity.incidents import service as incidents
from smartcity.kit.clock import utcnow
from smartcity.notify import service as notify

log = logging.getLogger(__name__)
SWEEP_SECONDS = 30.0


def freeze_heap() -> None:
    """Exempt everything loaded so far from the cyclic garbage collector.

    Modules, models and caches loaded at start-up live as long as the process, yet every
    full collection walked all of them: 80-140 ms with ingest waiting (bench/README.md).
    Frozen objects are still freed by reference counting; only the cycle search skips them.
    """
    gc.collect()
    gc.freeze()


def client_id(settings: Settings, suffix: str = "") -> str:
    """This process's stable MQTT client id."""
    base = settings.mqtt_client_id or f"smartcity-{socket.gethostname()}"
    return f"{base}{suffix}"


@dataclass
class Sweeper:
    """Runs idempotent housekeeping (devices going offline) every few seconds."""

    session_factory: sessionmaker[Session]
    bus: EventBus
    every: float = SWEEP_SECONDS
    jobs: list[Callable[[UnitOfWork], object]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        """Start the sweep thread."""
        threading.Thread(target=self._run, name="sweeper", daemon=True).start()

    def stop(self) -> None:
        """Ask the thread to finish."""
        self._stop.set()

    def run_once(self) -> None:
        """Run every job in its own transaction; a failing job never stops the others."""
        for job in self.jobs:
            with self.session_factory() as session:
                uow = UnitOfWork(session, self.bus, Actor.system("sweeper"))
                try:
                    job(uow)
                    uow.commit()
                except Exception:
                    uow.rollback()
                    log.exception("sweep job %r failed", job)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.run_once()


class Background:
    """Everything the app runs in threads; started and stopped with the web server."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session], bus: EventBus) -> None:
        # Offer time-outs and LINE/SMS retries need seconds, not the housekeeping interval.
        self.dispatch = Sweeper(
            factory, bus, every=settings.dispatch_sweep_seconds, jobs=_dispatch_jobs(settings)
        )
        self.ingest: MqttIngest | None = None
        self.publisher: CommandPublisher | None = None
        if settings.mqtt_url and settings.mqtt_ingest:
            self.ingest = MqttIngest(settings, factory, bus, client_id=client_id(settings))
        if settings.mqtt_url:
            self.publisher = CommandPublisher(settings, factory, client_id(settings, "-out"))
        self.bus = bus
        self.started = False
        self.checkpointer = WalCheckpointer(factory.kw["bind"].engine)  # tests bind a Connection
        self.sweeper = Sweeper(
            factory,
            bus,
            jobs=[_offline_job, sweep_no_data, _expire_commands_job, care_visits.sweep_job],
        )
        # After command expiry, so a silent speaker's final status is known when settling.
        self.sweeper.jobs += delivery_slots.sweep_jobs(settings)
        if self.publisher is not None:
            self.sweeper.jobs.append(self._retry_unsent)
        self.sweeper.jobs.append(_retention_job(settings))

    def start(self) -> None:
        """Start the WAL checkpointer, the sweepers, and ingest and publisher (with a broker)."""
        self.started = True
        self.checkpointer.start()
        if self.ingest is not None:
            self.ingest.start()
        if self.publisher is not None:
            self.publisher.start()
            self.bus.subscribe(commands.CommandsQueued, self._publish, "after_commit")
        self.sweeper.start()
        self.dispatch.start()

    def stop(self) -> None:
        """Stop everything that was started."""
        if not self.started:
            return
        self.sweeper.stop()
        self.dispatch.stop()
        self.checkpointer.stop()
        if self.ingest is not None:
            self.ingest.stop()
        if self.publisher is not None:
            self.publisher.stop()

    def _publish(self, _uow: UnitOfWork, event: commands.CommandsQueued) -> None:
        if self.publisher is not None:
            self.publisher.publish(event.ids)

    def _retry_unsent(self, uow: UnitOfWork) -> None:
        ids = commands.unsent_ids(uow.session, utcnow() - timedelta(seconds=10))
        if ids and self.publisher is not None:
            self.publisher.publish(ids)


def _expire_commands_job(uow: UnitOfWork) -> None:
    commands.expire(uow, utcnow())


def _retention_job(settings: Settings) -> Callable[[UnitOfWork], object]:
    """Delete old readings and dead letters, at most once an hour per process."""
    last: list[float] = []

    def job(uow: UnitOfWork) -> None:
        if last and time.monotonic() - last[0] < 3600:
            return
        last[:] = [time.monotonic()]
        retention.purge(
            uow, utcnow(), settings.readings_retention_days, settings.dead_letter_retention_days
        )

    return job


def _offline_job(uow: UnitOfWork) -> None:
    device_health.mark_offline(uow, utcnow())


def _dispatch_jobs(settings: Settings) -> list[Callable[[UnitOfWork], object]]:
    """Time out unanswered offers (moving on to the next unit) and send due LINE/SMS messages."""
    policy = incidents.Policy.of(settings)
    return [
        lambda uow: incidents.expire_offers(uow, policy),
        lambda uow: notify.deliver_due(uow, settings),
    ]
