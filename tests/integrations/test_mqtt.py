"""MQTT adapter against real brokers: Mosquitto (MQTT 5) and the embedded demo broker."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import paho.mqtt.client as paho
import pytest

from smartcity.integrations.mqtt import (
    BrokerAddress,
    EmbeddedBroker,
    connect,
    device_topic,
    make_client,
    parse_topic,
    subscription,
)
from tests.support import free_port, wait_until

MOSQUITTO = BrokerAddress.from_url("mqtt://127.0.0.1:1883")


def _wait(cond: Callable[[], bool], seconds: float = 10.0) -> bool:
    return wait_until(cond, seconds)


def test_topic_scheme_round_trips() -> None:
    topic = device_topic("phichit", "wl-nan-01", "telemetry")
    assert topic == "city/phichit/devices/wl-nan-01/telemetry"
    parsed = parse_topic(topic)
    assert parsed is not None and parsed.device == "wl-nan-01" and parsed.channel == "telemetry"
    for bad in (
        "city/phichit/devices/x",
        "town/a/devices/b/telemetry",
        "city//devices/b/status",
        "city/a/devices/b/other",
        "city/a/things/b/telemetry",
    ):
        assert parse_topic(bad) is None
    assert subscription("telemetry", "ingest") == "$share/ingest/city/+/devices/+/telemetry"


def test_url_parsing() -> None:
    a = BrokerAddress.from_url("mqtts://dev%40city:p%3Ass@broker.example:8884")
    assert (a.host, a.port, a.username, a.password, a.tls, a.protocol) == (
        "broker.example",
        8884,
        "dev@city",
        "p:ss",
        True,
        5,
    )
    assert BrokerAddress.from_url("mqtt://h?v=3.1.1").protocol == 4
    with pytest.raises(ValueError, match="mqtt://"):
        BrokerAddress.from_url("http://h")


def _subscriber(address: BrokerAddress, topic: str, got: list[bytes]) -> paho.Client:
    client = make_client(address, f"sub-{uuid.uuid4().hex[:8]}")
    client.on_message = lambda _c, _u, m: got.append(m.payload)
    subscribed = threading.Event()
    client.on_subscribe = lambda *_a: subscribed.set()
    client.on_connect = lambda c, *_a: c.subscribe(topic, qos=1)
    connect(client, address, persistent=False)
    client.loop_start()
    assert subscribed.wait(5)
    return client


def test_shared_subscription_splits_messages_between_processes() -> None:
    site = f"t{uuid.uuid4().hex[:6]}"
    group = f"g{uuid.uuid4().hex[:6]}"
    a: list[bytes] = []
    b: list[bytes] = []
    subs = [_subscriber(MOSQUITTO, subscription("telemetry", group, site), got) for got in (a, b)]
    pub = make_client(MOSQUITTO, "pub")
    connect(pub, MOSQUITTO, persistent=False)
    pub.loop_start()
    for i in range(200):
        pub.publish(device_topic(site, f"d{i % 7}", "telemetry"), str(i), qos=1).wait_for_publish(5)
    assert _wait(lambda: len(a) + len(b) == 200)
    assert a and b  # both members got a share
    assert sorted(int(x) for x in a + b) == list(range(200))  # and nothing twice
    for c in (*subs, pub):
        c.loop_stop()
        c.disconnect()


def test_embedded_broker_carries_qos1_messages() -> None:
    broker = EmbeddedBroker(port=free_port())
    broker.start()
    address = BrokerAddress.from_url(broker.url)
    got: list[bytes] = []
    sub = _subscriber(address, subscription("status"), got)
    pub = make_client(address, "pub-embedded")
    connect(pub, address, persistent=False)
    pub.loop_start()
    for i in range(50):
        pub.publish(device_topic("phichit", "spk-1", "status"), str(i), qos=1)
    assert _wait(lambda: len(got) == 50)
    for c in (sub, pub):
        c.loop_stop()
        c.disconnect()
    broker.stop()
