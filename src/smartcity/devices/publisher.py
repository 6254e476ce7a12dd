"""Hands queued commands to the MQTT broker and records which ones it accepted."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence

import paho.mqtt.client as paho
from sqlalchemy.orm import Session, sessionmaker

from smartcity.config import Settings
from smartcity.devices import commands
from smartcity.integrations.mqtt import BrokerAddress, connect, device_topic, make_client
from smartcity.kit.clock import utcnow

log = logging.getLogger(__name__)
PUBACK_WAIT = 5.0


class CommandPublisher:
    """One outbound MQTT connection per process, shared by every sender."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session], client_id: str) -> None:
        self.settings, self.factory = settings, factory
        self.address = BrokerAddress.from_url(settings.mqtt_url)
        self._client = make_client(self.address, client_id)
        self._lock = threading.Lock()

    def start(self) -> None:
        """Connect (the network loop reconnects by itself)."""
        connect(self._client, self.address, persistent=False)
        self._client.loop_start()

    def stop(self) -> None:
        """Disconnect."""
        self._client.loop_stop()
        self._client.disconnect()

    def publish(self, ids: Sequence[int]) -> int:
        """Publish these queued commands; mark those the broker acknowledged as sent."""
        with self._lock:
            with self.factory() as session:  # read, then let go: no lock held while waiting
                pending = [
                    (cmd.id, code, commands.message(cmd))
                    for cmd, code in commands.for_publishing(session, ids)
                ]
            infos = [(cid, self._send(code, body)) for cid, code, body in pending]
            sent = [cid for cid, info in infos if _accepted(info)]
            with self.factory() as session, session.begin():
                commands.mark_sent(session, sent, utcnow())
        if len(sent) < len(pending):
            log.warning(
                "broker accepted %d of %d commands; the rest retry", len(sent), len(pending)
            )
        return len(sent)

    def _send(self, code: str, body: dict[str, object]) -> paho.MQTTMessageInfo:
        topic = device_topic(self.settings.site_code, code, "commands")
        return self._client.publish(topic, json.dumps(body, ensure_ascii=False), qos=1)


def _accepted(info: paho.MQTTMessageInfo) -> bool:
    try:
        info.wait_for_publish(PUBACK_WAIT)
    except (RuntimeError, ValueError):  # not connected, or the queue is full
        return False
    return info.is_published()
