"""The gmqtt subscriber against a real Mosquitto: PUBACK only on request, on its own connection.

Whether the broker got a PUBACK is read back from the broker itself: a message it did not get
one for is delivered again to the next connection of the same persistent session.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from smartcity.integrations.mqtt import BrokerAddress, connect, make_client
from smartcity.integrations.mqtt_subscriber import Received, Subscriber
from tests.support import Broker, wait_until


def _wait(cond: Callable[[], bool], seconds: float = 15.0) -> bool:
    return wait_until(cond, seconds)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """A private broker (persistent sessions), restartable on its port."""
    found = Broker(tmp_path)
    found.start()
    yield found
    found.stop()


class Session:
    """One persistent MQTT session of a subscriber that comes and goes."""

    def __init__(self, url: str) -> None:
        self.address = BrokerAddress.from_url(url)
        self.client_id = f"sub-{uuid.uuid4().hex[:8]}"
        self.topic = f"t{uuid.uuid4().hex[:6]}/x"
        self.filter = (
            f"$share/g{uuid.uuid4().hex[:6]}/{self.topic}"
            if self.address.protocol == 5
            else self.topic
        )

    def open(self, got: list[Received]) -> Subscriber:
        subscriber = Subscriber(
            self.address, self.client_id, [self.filter], got.extend, session_expiry=120
        )
        subscriber.start()
        return subscriber

    def publish(self, n: int) -> None:
        client = make_client(self.address, f"pub-{uuid.uuid4().hex[:8]}")
        connect(client, self.address, persistent=False)
        client.loop_start()
        for i in range(n):
            client.publish(self.topic, str(i), qos=1).wait_for_publish(5)
        client.loop_stop()
        client.disconnect()

    def redelivered(self) -> list[int]:
        """What the broker still holds unacknowledged for this session (then acknowledged)."""
        got: list[Received] = []
        subscriber = self.open(got)
        _wait(lambda: False, 1.0)  # whatever the session holds comes right after CONNACK
        subscriber.acknowledge(got)
        subscriber.stop()
        return sorted(int(m.payload) for m in got)


@pytest.mark.parametrize("version", ["", "?v=3.1.1"], ids=["mqtt5", "mqtt311"])
def test_only_acknowledged_messages_get_their_puback(broker: Broker, version: str) -> None:
    session = Session(broker.url + version)
    got: list[Received] = []
    subscriber = session.open(got)
    session.publish(30)
    assert _wait(lambda: len(got) == 30)
    subscriber.acknowledge([m for m in got if int(m.payload) % 3 == 0])
    subscriber.stop()  # right after: the granted PUBACKs still go out before the DISCONNECT
    assert session.redelivered() == [i for i in range(30) if i % 3]
    assert session.redelivered() == []  # and those are now acknowledged


def test_no_puback_on_a_newer_connection(broker: Broker) -> None:
    session = Session(broker.url)
    first: list[Received] = []
    subscriber = session.open(first)
    session.publish(10)
    assert _wait(lambda: len(first) == 10)
    broker.stop()
    broker.start()
    # The session comes back with the same ten unacknowledged messages and packet ids.
    assert _wait(lambda: len(first) == 20 and subscriber.connected)
    subscriber.acknowledge(first[:10])  # stored late: their connection is gone
    subscriber.stop()
    assert session.redelivered() == list(range(10))  # no PUBACK reached the broker for them


def test_shared_subscription_is_back_after_a_broker_restart(broker: Broker) -> None:
    session = Session(broker.url)
    got: list[Received] = []
    subscriber = session.open(got)
    broker.stop()
    broker.start()  # Mosquitto 2.0 does not restore shared subscriptions from its store
    assert _wait(lambda: subscriber.connected)

    def probe_arrived() -> bool:  # published until one arrives: the subscription is back
        session.publish(1)
        return bool(got)

    assert _wait(probe_arrived, 30)
    subscriber.acknowledge(got)
    subscriber.stop()
