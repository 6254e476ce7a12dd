"""MQTT: the topic scheme, client set-up for MQTT 5 (shared subscriptions) or 3.1.1, and an
embedded broker for the one-command demo.

Topic scheme (documented in docs/devices.md):
    city/{site}/devices/{device}/telemetry   device -> platform, JSON readings
    city/{site}/devices/{device}/status      device -> platform, heartbeat / online state
    city/{site}/devices/{device}/commands    platform -> device
    city/{site}/devices/{device}/acks        device -> platform, command acknowledgements
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import unquote, urlparse

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

log = logging.getLogger(__name__)

Channel = Literal["telemetry", "status", "commands", "acks"]
CHANNELS: Final = ("telemetry", "status", "commands", "acks")
ROOT: Final = "city"


@dataclass(frozen=True)
class DeviceTopic:
    """A parsed device topic."""

    site: str
    device: str
    channel: str


def device_topic(site: str, device: str, channel: Channel) -> str:
    """The topic a device publishes or listens on."""
    return f"{ROOT}/{site}/devices/{device}/{channel}"


def parse_topic(topic: str) -> DeviceTopic | None:
    """Split a device topic; None if it does not follow the scheme."""
    parts = topic.split("/")
    if len(parts) != 5 or parts[0] != ROOT or parts[2] != "devices" or parts[4] not in CHANNELS:
        return None
    if not parts[1] or not parts[3]:
        return None
    return DeviceTopic(parts[1], parts[3], parts[4])


def subscription(channel: Channel, share_group: str = "", site: str = "+") -> str:
    """The filter for one channel of every device, shared across processes when a group is set."""
    topic = f"{ROOT}/{site}/devices/+/{channel}"
    return f"$share/{share_group}/{topic}" if share_group else topic


@dataclass(frozen=True)
class BrokerAddress:
    """Where the broker is and how to talk to it."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False
    protocol: Literal[5, 4] = 5  # 4 is MQTT 3.1.1 (no shared subscriptions)

    @classmethod
    def from_url(cls, url: str) -> BrokerAddress:
        """Parse mqtt://user:pass@host:port (mqtts:// for TLS; ?v=3.1.1 for old brokers)."""
        parsed = urlparse(url)
        if parsed.scheme not in ("mqtt", "mqtts"):
            raise ValueError(f"MQTT URL must start with mqtt:// or mqtts://, got {url!r}")
        tls = parsed.scheme == "mqtts"
        return cls(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or (8883 if tls else 1883),
            username=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            tls=tls,
            protocol=4 if "v=3.1.1" in parsed.query else 5,
        )


def make_client(address: BrokerAddress, client_id: str, *, manual_ack: bool = False) -> paho.Client:
    """A paho client for the address; call ``connect`` next."""
    protocol = paho.MQTTv5 if address.protocol == 5 else paho.MQTTv311
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=protocol,
        manual_ack=manual_ack,
        # 3.1.1 keeps the session (and unacknowledged messages) only when clean_session is off.
        clean_session=None if protocol == paho.MQTTv5 else False,
    )
    if address.username:
        client.username_pw_set(address.username, address.password)
    if address.tls:
        client.tls_set()
    # Come back fast after a broker restart: a shared subscription that is not restored by the
    # broker has no member until we re-subscribe, and messages published meanwhile are lost.
    client.reconnect_delay_set(min_delay=1, max_delay=5)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    return client


def connect(
    client: paho.Client, address: BrokerAddress, *, persistent: bool, expiry: int = 86400
) -> None:
    """Connect; a persistent session keeps unacknowledged messages across restarts."""
    if address.protocol == 5:
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        if persistent:
            props.SessionExpiryInterval = expiry
        client.connect(
            address.host, address.port, keepalive=30, clean_start=not persistent, properties=props
        )
    else:
        client.connect(address.host, address.port, keepalive=30)


class EmbeddedBroker:
    """An MQTT 3.1.1 broker inside the process (amqtt), for the demo when none is installed."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1884) -> None:
        self.host, self.port = host, port
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="embedded-mqtt", daemon=True)
        self._error: BaseException | None = None
        self._broker: Any = None

    @property
    def url(self) -> str:
        """The URL clients use (MQTT 3.1.1)."""
        return f"mqtt://{self.host}:{self.port}?v=3.1.1"

    def start(self, timeout: float = 10.0) -> None:
        """Start the broker thread and wait until it listens."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("embedded MQTT broker did not start")
        if self._error is not None:
            raise RuntimeError(f"embedded MQTT broker failed: {self._error}") from self._error

    def _run(self) -> None:
        from amqtt.broker import Broker  # imported here: only the demo needs it

        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True},
            },
        }
        asyncio.set_event_loop(self._loop)
        broker = self._broker = Broker(config, loop=self._loop)
        try:
            self._loop.run_until_complete(broker.start())
        except BaseException as exc:  # reported to start(); the thread then ends
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        """Shut the broker down (its tasks end cleanly), then stop the loop."""
        if self._broker is not None and self._ready.is_set() and self._error is None:
            try:
                asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop).result(5)
            except Exception:  # stopping anyway; the demo is ending
                log.exception("embedded MQTT broker did not shut down cleanly")
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
