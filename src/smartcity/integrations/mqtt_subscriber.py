"""MQTT subscriber on gmqtt (asyncio, in a thread of its own) that acknowledges on request.

Ingest needs a faster receive path than paho's pure-Python loop (ADR 0017), and a PUBACK sent
only after the reading is stored. gmqtt's own way to delay a PUBACK (an ``on_message``
coroutine, awaited as one task per message) cost more than storing the message, so QoS 1
messages are taken at gmqtt's per-packet hook instead: each carries its connection generation
and packet id, and ``acknowledge`` (from any thread, once the batch is committed) sends the
PUBACKs from the loop. A message whose connection was lost in between is not acknowledged at
all (no PUBACK for it goes out on a newer connection): the broker delivers it again from the
persistent session.

gmqtt has no type hints; ``_Client`` below names the part of it used here. The hook
(``MqttPackageHandler._handle_qos_1_publish_packet``) and the protocol's ``write_data`` used
for the PUBACKs are internal to gmqtt,
which is why its version is pinned exactly; tests/integrations/test_mqtt_subscriber.py fails if
an upgrade moves it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol

import gmqtt
from gmqtt.mqtt.constants import MQTTv50, MQTTv311

from smartcity.integrations.mqtt import BrokerAddress

log = logging.getLogger(__name__)

KEEPALIVE = 30
_PUBACK = b"\x40\x02"  # fixed header of a PUBACK with a two-byte remaining length
RECONNECT_MIN, RECONNECT_MAX = 1, 5


class Received(NamedTuple):
    """One message as it arrived; pass it to ``Subscriber.acknowledge`` once it is stored."""

    topic: str
    payload: bytes
    qos: int
    ticket: tuple[int, int] | None  # (connection generation, packet id); None for QoS 0


class _Subscription(Protocol):
    topic: str


class _Client(Protocol):
    """What is used of gmqtt.Client (untyped upstream)."""

    on_connect: Callable[..., None]
    on_disconnect: Callable[..., None]
    on_subscribe: Callable[..., None]
    on_message: Callable[..., Any]
    reconnect_delay: int
    _package_handler: Any  # gmqtt.mqtt.handler.MqttPackageHandler: the QoS 1 hook
    _connection: Any  # gmqtt.mqtt.connection.MQTTConnection: its protocol writes the PUBACKs

    @property
    def is_connected(self) -> bool: ...

    def set_auth_credentials(self, username: str, password: str | None = None) -> None: ...

    async def connect(
        self, host: str, port: int, ssl: bool, keepalive: int, version: int
    ) -> None: ...

    async def disconnect(self) -> None: ...

    def resubscribe(self, subscription: _Subscription) -> int: ...


class Subscriber:
    """A persistent-session subscriber that hands messages to ``deliver`` and acks on request."""

    def __init__(
        self,
        address: BrokerAddress,
        client_id: str,
        filters: Sequence[str],
        deliver: Callable[[list[Received]], None],
        *,
        session_expiry: int,
        receive_maximum: int = 2000,
    ) -> None:
        self.address, self.client_id, self.filters = address, client_id, list(filters)
        self.session_expiry, self.receive_maximum = session_expiry, receive_maximum
        self._deliver = deliver
        self._outbox: list[Received] = []  # what arrived in this loop iteration
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mqtt-in", daemon=True)
        self._client: _Client | None = None
        self._subscriptions = [gmqtt.Subscription(f, qos=1) for f in self.filters]
        self._generation = 0  # bumped on every connect and loss: stale tickets are not acked
        self._subscribed = asyncio.Event()
        self._suback_mids: set[int] = set()
        self._watcher: asyncio.Task[None] | None = None
        self._stopping = False

    # --- called from other threads -------------------------------------------------------

    def start(self, timeout: float = 10.0) -> None:
        """Connect and subscribe; raises if the broker cannot be reached or refuses."""
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._connect(timeout), self._loop).result(timeout)
        except BaseException:
            self._end_loop()
            raise

    def acknowledge(self, messages: Sequence[Received]) -> None:
        """Send the PUBACKs of these messages (they are stored); safe from any thread."""
        tickets = [m.ticket for m in messages if m.ticket is not None]
        if tickets and not self._loop.is_closed():  # closed: stopped, the broker redelivers
            self._loop.call_soon_threadsafe(self._send_acks, tickets)

    def stop(self, timeout: float = 10.0) -> None:
        """Send the PUBACKs already granted, then disconnect; unacknowledged ones stay queued."""
        if not self._thread.is_alive():
            return
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout)
        except Exception:  # the process is stopping either way; the broker keeps the session
            log.exception("MQTT subscriber did not disconnect cleanly")
        self._end_loop()

    @property
    def connected(self) -> bool:
        """Whether the connection is up (it reconnects by itself when not)."""
        return self._client is not None and self._client.is_connected

    # --- on the loop thread --------------------------------------------------------------

    async def _connect(self, timeout: float) -> None:
        v5 = self.address.protocol == 5
        properties: dict[str, int] = {}
        if v5:  # 3.1.1 has no properties; its session persists while clean_session is off
            properties = {
                "session_expiry_interval": self.session_expiry,
                "receive_maximum": self.receive_maximum,
            }
        # clean_session=False is MQTT 5's clean_start=False; with the expiry the session
        # (subscriptions and unacknowledged messages) outlives this process.
        client: _Client = gmqtt.Client(
            self.client_id, clean_session=False, optimistic_acknowledgement=False, **properties
        )
        if self.address.username:
            client.set_auth_credentials(self.address.username, self.address.password)
        client.reconnect_delay = RECONNECT_MIN
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        # QoS 1 messages come straight from gmqtt's per-packet hook (see the module docstring).
        client._package_handler._handle_qos_1_publish_packet = self._on_qos1
        self._client = client
        await client.connect(
            self.address.host,
            self.address.port,
            ssl=self.address.tls,
            keepalive=KEEPALIVE,
            version=MQTTv50 if v5 else MQTTv311,
        )
        await asyncio.wait_for(self._subscribed.wait(), timeout)
        self._watcher = asyncio.ensure_future(self._back_off())

    def _on_connect(self, client: _Client, _flags: Any, _rc: Any, _props: Any) -> None:
        # Subscribe again on every connection: Mosquitto 2.0 does not restore shared
        # subscriptions after its own restart, so a resumed session may have none.
        self._generation += 1
        self._subscribed.clear()
        self._suback_mids = {client.resubscribe(s) for s in self._subscriptions}
        client.reconnect_delay = RECONNECT_MIN

    def _on_disconnect(self, _client: _Client, _packet: Any, _exc: Any = None) -> None:
        self._generation += 1
        if not self._stopping:
            log.warning("MQTT connection to %s lost; reconnecting", self.address.host)

    def _on_subscribe(self, _client: _Client, mid: int, granted: Sequence[int], _p: Any) -> None:
        if any(code >= 0x80 for code in granted):
            log.error("MQTT broker refused a subscription of %s: %s", self.filters, granted)
        self._suback_mids.discard(mid)
        if not self._suback_mids:
            self._subscribed.set()

    def _on_message(
        self, _client: _Client, topic: str | bytes, payload: bytes, _qos: int, _props: Any
    ) -> None:
        """QoS 0 (nothing to acknowledge); QoS 1 arrives through ``_on_qos1``."""
        self._hand_over(Received(_text(topic), payload, 0, None))

    def _on_qos1(self, mid: int, payload: bytes, topic: str | bytes, _props: Any) -> None:
        self._hand_over(Received(_text(topic), payload, 1, (self._generation, mid)))

    def _send_acks(self, tickets: list[tuple[int, int]]) -> None:
        client = self._client
        if client is None or not client.is_connected:
            return  # the broker delivers them again on the next connection
        # One write for the whole batch; a PUBACK with success and no properties is the same
        # four bytes in MQTT 3.1.1 and 5 (5 allows leaving out reason code and properties).
        # A packet id means nothing on a newer connection: those are left for redelivery.
        current = self._generation
        data = b"".join(_PUBACK + mid.to_bytes(2, "big") for gen, mid in tickets if gen == current)
        if data:
            client._connection._protocol.write_data(data)

    def _hand_over(self, message: Received) -> None:
        # One hand-over per loop iteration (a socket read holds hundreds of messages), not one
        # per message: waking the writer thread for each would cost more than the message.
        if not self._outbox:
            self._loop.call_soon(self._flush)
        self._outbox.append(message)

    def _flush(self) -> None:
        messages, self._outbox = self._outbox, []
        self._deliver(messages)

    async def _back_off(self) -> None:
        """Retry every second at first, then up to every five while the broker stays away."""
        while True:
            await asyncio.sleep(RECONNECT_MIN)
            if self._client is not None and not self._client.is_connected:
                self._client.reconnect_delay = min(self._client.reconnect_delay + 1, RECONNECT_MAX)

    async def _shutdown(self) -> None:
        self._stopping = True
        if self._watcher is not None:
            self._watcher.cancel()
        # Acknowledgements requested before stop() were queued on this loop ahead of this
        # coroutine, so their PUBACKs are already written; the rest stay with the broker.
        if self._client is not None:
            await self._client.disconnect()

    def _end_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self._loop.close()


def _text(topic: str | bytes) -> str:
    # gmqtt passes a topic that is not UTF-8 as bytes
    return topic.decode("utf-8", "replace") if isinstance(topic, bytes) else topic
