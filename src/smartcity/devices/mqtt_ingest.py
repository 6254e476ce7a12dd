"""MQTT ingest: many devices' messages in one transaction, PUBACK only after the commit.

The broker holds every QoS 1 message it acknowledged to a device until this process
acknowledges it. Acknowledging only after the batch is committed means a reading the broker
accepted is stored even if this process is killed: on restart the persistent session gets the
unacknowledged messages again, and the readings table's key (device, metric, time) turns a
redelivered reading into a no-op.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from smartcity.config import Settings
from smartcity.devices import commands, ingest
from smartcity.devices import repository as repo
from smartcity.devices.reasons import REASONS
from smartcity.devices.schemas import IngestResult
from smartcity.events import Actor, EventBus, UnitOfWork
from smartcity.integrations.mqtt import BrokerAddress, Channel, parse_topic
from smartcity.integrations.mqtt import subscription as topic_filter
from smartcity.integrations.mqtt_subscriber import Received, Subscriber
from smartcity.kit.clock import utcnow
from smartcity.kit.crypto import keyed_hash

log = logging.getLogger(__name__)
# Devices send their token with every message: hash each distinct one once per process, not
# once per message (device tokens only; never wrap keyed_hash for national IDs like this).
_token_digest = functools.lru_cache(maxsize=65_536)(keyed_hash)
BROKER_CALLER = ingest.Caller("broker", 0, 0, "mqtt")


@dataclass(frozen=True)
class Message:
    """What ingest needs of one MQTT message."""

    topic: str
    payload: bytes
    mid: int = 0
    qos: int = 0


def store_messages(
    uow: UnitOfWork, settings: Settings, messages: Sequence[Message]
) -> IngestResult:
    """Check each message; store readings and command answers, dead-letter the rest."""
    now = utcnow()
    secret = settings.secret_key.get_secret_value()
    parsed = [_parse(m) for m in messages]
    codes = [p[0] for p in parsed if isinstance(p, tuple)]
    devices = ingest.lookup(uow.session, codes, now)
    readings: list[dict[str, Any]] = []
    acks: list[commands.Ack] = []
    dead: list[dict[str, Any]] = []
    for message, item in zip(messages, parsed, strict=True):
        if isinstance(item, str):
            dead.append(_dead(now, item, message, ""))
            continue
        code, token, body = item
        device = devices.get(code)
        if device is None or not token or _token_digest(secret, token) != device.token_hash:
            dead.append(_dead(now, "unauthorised", message, code))
        elif "command_id" in body:
            acks.append(commands.Ack(device.id, body["command_id"], body["status"], body["reason"]))
        else:
            readings.append(body)
    repo.add_dead_letters(uow.session, dead)
    commands.record_acks(uow.session, acks, now)
    result = ingest.store(uow, BROKER_CALLER, readings, now=now, source="mqtt", devices=devices)
    return result.model_copy(update={"accepted": result.accepted + len(acks)})


def _parse(message: Message) -> tuple[str, str, dict[str, Any]] | str:
    """(device code, token, reading or answer) or the reason code the message is refused."""
    topic = parse_topic(message.topic)
    if topic is None or topic.channel == "commands":
        return "invalid_batch"
    try:
        doc = ingest.parse_json(message.payload)
    except (ValueError, RecursionError):
        return "malformed_json"
    if not isinstance(doc, dict):
        return "invalid_reading"
    token = doc.get("token")
    if not isinstance(token, str):
        return "unauthorised"
    if topic.channel == "acks":
        return _answer(topic.device, token, doc)
    values = doc.get("values", {})
    if not isinstance(values, dict):
        return "invalid_reading"
    reading = {"device": topic.device, "ts": doc.get("ts"), "values": values}
    if topic.channel == "status":
        reading["heartbeat"] = True  # battery and signal only; it proves the device is alive
    return topic.device, token, reading


def _answer(device: str, token: str, doc: dict[str, Any]) -> tuple[str, str, dict[str, Any]] | str:
    """A command acknowledgement: {"id": uid, "status": ..., "reason": ...}."""
    uid, status, reason = doc.get("id"), doc.get("status"), doc.get("reason", "")
    if (
        not isinstance(uid, str)
        or status not in commands.ACK_STATUSES
        or not isinstance(reason, str)
    ):
        return "invalid_ack"
    return device, token, {"command_id": uid[:36], "status": status, "reason": reason}


def _dead(now: Any, code: str, message: Message, device_code: str) -> dict[str, Any]:
    text, text_th = REASONS[code]
    raw = f"{message.topic} {message.payload[: ingest.RAW_LIMIT].decode('utf-8', 'replace')}"
    return {
        "received_at": now,
        "source": "mqtt",
        "device_code": ingest.clean_text(device_code, 80),
        "credential": "",
        "reason_code": code,
        "reason": text,
        "reason_th": text_th,
        "raw": ingest.clean_text(raw, ingest.RAW_LIMIT),
    }


@dataclass
class IngestStats:
    """Counters for logs and benchmarks."""

    received: int = 0
    batches: int = 0
    stored: int = 0
    dead: int = 0
    failures: int = 0
    last_error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class MqttIngest:
    """Subscribes (shared across processes) and writes batches; never stops on bad input."""

    def __init__(
        self,
        settings: Settings,
        session_factory: sessionmaker[Session],
        bus: EventBus,
        *,
        client_id: str,
        batch_max: int = 2000,
        linger: float = 0.0,
    ) -> None:
        self.settings, self.session_factory, self.bus = settings, session_factory, bus
        self.address = BrokerAddress.from_url(settings.mqtt_url)
        self.batch_max, self.linger, self.client_id = batch_max, linger, client_id
        self.stats = IngestStats()
        self._queue: queue.Queue[list[Received]] = queue.Queue()  # what arrived together
        self._stop = threading.Event()
        # MQTT 3.1.1 brokers (the demo's) have no shared subscriptions: one worker, plain filters.
        group = settings.mqtt_share_group if self.address.protocol == 5 else ""
        channels: tuple[Channel, ...] = ("telemetry", "status", "acks")
        self._subscriber = Subscriber(
            self.address,
            client_id,
            [topic_filter(c, group) for c in channels],
            self._queue.put,
            session_expiry=settings.mqtt_session_expiry,
        )
        self._writer = threading.Thread(target=self._run, name="mqtt-ingest", daemon=True)

    def start(self) -> None:
        """Connect with a persistent session, subscribe, and start the writer."""
        self._subscriber.start()
        self._writer.start()

    def stop(self) -> None:
        """Finish the batch in hand, then disconnect."""
        self._stop.set()
        self._writer.join(timeout=10)
        self._subscriber.stop()

    def _run(self) -> None:
        while not self._stop.is_set():
            batch = self._take()
            if batch:
                self._write_until_stored(batch)

    def _take(self) -> list[Received]:
        """Up to about batch_max messages: wait for the first, then take what has arrived.

        By default a batch does not wait to fill (linger 0): under load, messages pile up while
        the previous batch is written, so batches grow by themselves, and a quiet stream is not
        delayed. Messages come in the groups that arrived together; a group is never split, so
        a batch may pass batch_max by one group's size.
        """
        try:
            first = self._queue.get(timeout=0.2)
        except queue.Empty:
            return []
        batch, deadline = list(first), time.monotonic() + self.linger
        while len(batch) < self.batch_max:
            remaining = deadline - time.monotonic()
            try:
                item = (
                    self._queue.get(timeout=remaining)
                    if remaining > 0
                    else self._queue.get_nowait()
                )
            except queue.Empty:
                break
            batch.extend(item)
        return batch

    def _write_until_stored(self, batch: list[Received]) -> None:
        """Store the batch, retrying while the database is unavailable; then acknowledge."""
        messages = [Message(m.topic, m.payload, 0, m.qos) for m in batch]
        delay = 0.5
        while True:
            try:
                result = self._store(messages)
            except Exception as exc:  # the loop must outlive any failure; nothing is acked
                with self.stats.lock:
                    self.stats.failures += 1
                    self.stats.last_error = f"{type(exc).__name__}: {exc}"[:300]
                log.exception("MQTT ingest batch failed; retrying in %.1fs", delay)
                if self._stop.wait(delay):
                    return  # unacknowledged: the broker delivers these again on restart
                delay = min(delay * 2, 30.0)
                continue
            self._subscriber.acknowledge(batch)  # the PUBACKs, only now that it is committed
            with self.stats.lock:
                self.stats.received += len(messages)
                self.stats.batches += 1
                self.stats.stored += result.accepted
                self.stats.dead += len(messages) - result.accepted
            return

    def _store(self, messages: list[Message]) -> IngestResult:
        with ingest.gc_paused(), self.session_factory() as session:
            uow = UnitOfWork(session, self.bus, Actor.system("mqtt-ingest"))
            try:
                result = store_messages(uow, self.settings, messages)
                uow.commit()
            except BaseException:
                uow.rollback()
                raise
            return result
