"""Publishes simulated readings over MQTT at a steady rate, in accelerated time."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import paho.mqtt.client as paho

from smartcity.integrations.mqtt import (
    BrokerAddress,
    Channel,
    connect,
    device_topic,
    make_client,
)
from smartcity.sim.models import SimDevice, is_silent, values


@dataclass
class SimStats:
    """What the simulator has sent."""

    published: int = 0
    skipped_silent: int = 0
    commands: int = 0


@dataclass
class Simulator:
    """Round-robin over the devices at ``rate`` messages per second; time runs ``speed`` x."""

    mqtt_url: str
    site: str
    devices: Sequence[SimDevice]
    rate: float = 10.0
    speed: float = 60.0
    start_offset: float = 4 * 3600.0  # begin a few hours before the flood peak
    stats: SimStats = field(default_factory=SimStats)
    _stop: threading.Event = field(default_factory=threading.Event)
    # Plays under way: command id -> (device code, announcement id, timer of its "succeeded").
    _plays: dict[str, tuple[str, object, threading.Timer]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def sim_time(self, started: float) -> float:
        """Simulated seconds since the start of the scenario."""
        return self.start_offset + (time.monotonic() - started) * self.speed

    def run(self, seconds: float | None = None) -> None:
        """Publish until stopped (or for ``seconds``)."""
        address = BrokerAddress.from_url(self.mqtt_url)
        client = make_client(address, f"smartcity-sim-{int(time.time())}")
        client.on_connect = lambda c, *_: c.subscribe(device_topic(self.site, "+", "commands"), 1)
        client.on_message = self._on_command
        connect(client, address, persistent=False)
        client.loop_start()
        started, interval, i = time.monotonic(), 1.0 / self.rate, 0
        try:
            while not self._stop.is_set():
                if seconds is not None and time.monotonic() - started >= seconds:
                    break
                self._one(client, self.devices[i % len(self.devices)], self.sim_time(started))
                i += 1
                self._stop.wait(max(0.0, started + i * interval - time.monotonic()))
        finally:
            client.loop_stop()
            client.disconnect()

    def _one(self, client: paho.Client, device: SimDevice, t: float) -> None:
        if is_silent(device, t):
            self.stats.skipped_silent += 1
            return
        channel: Channel = "status" if device.kind in ("camera", "speaker") else "telemetry"
        body = {"token": device.token, "values": values(device, t)}
        client.publish(device_topic(self.site, device.code, channel), json.dumps(body), qos=1)
        self.stats.published += 1

    def _on_command(self, client: paho.Client, _userdata: object, msg: paho.MQTTMessage) -> None:
        """Simulated devices obey: a play is received and started at once and succeeds after its
        duration, unless a ``stop`` for its announcement arrives first (as the speaker agent)."""
        code = msg.topic.split("/")[3]
        device = next((d for d in self.devices if d.code == code), None)
        try:
            command = json.loads(msg.payload)
        except ValueError:
            return
        if device is None or not isinstance(command, dict) or "id" not in command:
            return
        self.stats.commands += 1
        cmd_id = str(command["id"])
        params = command.get("params")
        params = params if isinstance(params, dict) else {}
        self._ack(client, device, cmd_id, "received")
        if command.get("command") == "stop":
            self._stop_plays(client, device, params.get("announcement_id"))
            self._ack(client, device, cmd_id, "succeeded")
            return
        self._ack(client, device, cmd_id, "started")
        seconds = float(params.get("duration", 5.0))
        delay = min(max(seconds / self.speed, 1.0), 30.0)
        timer = threading.Timer(delay, self._played, (client, device, cmd_id))
        with self._lock:
            self._plays[cmd_id] = (device.code, params.get("announcement_id"), timer)
        timer.start()

    def _ack(
        self, client: paho.Client, device: SimDevice, cmd_id: str, status: str, reason: str = ""
    ) -> None:
        body = {"token": device.token, "id": cmd_id, "status": status, "reason": reason}
        client.publish(device_topic(self.site, device.code, "acks"), json.dumps(body), qos=1)

    def _played(self, client: paho.Client, device: SimDevice, cmd_id: str) -> None:
        with self._lock:
            if self._plays.pop(cmd_id, None) is None:
                return  # stopped meanwhile
        self._ack(client, device, cmd_id, "succeeded")

    def _stop_plays(self, client: paho.Client, device: SimDevice, announcement_id: object) -> None:
        """End this device's plays of the announcement (all, if none is named)."""
        with self._lock:
            hit = [
                cmd_id
                for cmd_id, (code, ann, _timer) in self._plays.items()
                if code == device.code and announcement_id in (None, ann)
            ]
            stopped = [(cmd_id, self._plays.pop(cmd_id)[2]) for cmd_id in hit]
        for cmd_id, timer in stopped:
            timer.cancel()
            self._ack(client, device, cmd_id, "failed", "stopped by operator")

    def start(self) -> threading.Thread:
        """Run in a background thread."""
        thread = threading.Thread(target=self.run, name="simulator", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """Ask the loop to finish."""
        self._stop.set()
