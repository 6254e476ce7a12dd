"""Small JSON messages for the live stream, built from domain events.

Messages carry ids, codes, statuses and values only: what the map needs to recolour a marker
or a chart to add a point. Names and other details come from the pages and APIs.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, Final

from smartcity.alerts.events import AlertEvent
from smartcity.devices.events import DeviceStatusChanged, TelemetryReceived
from smartcity.live.hub import Message

MAX_DEVICES_PER_MESSAGE: Final = 500  # a huge gateway batch becomes several messages


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def telemetry(event: TelemetryReceived) -> list[Message]:
    """The newest values of each device in a batch, split into messages of bounded size."""
    per_device: dict[int, dict[str, Any]] = defaultdict(lambda: {"values": {}, "ts": None})
    for device_id, metric, ts, value in event.latest:
        entry = per_device[device_id]
        entry["values"][metric] = value
        if entry["ts"] is None or ts > entry["ts"]:
            entry["ts"] = ts
    devices = [
        {"id": device_id, "ts": _iso(entry["ts"]), "values": entry["values"]}
        for device_id, entry in sorted(per_device.items())
    ]
    at = _iso(event.received_at)
    return [
        {"type": "telemetry", "at": at, "devices": devices[i : i + MAX_DEVICES_PER_MESSAGE]}
        for i in range(0, len(devices), MAX_DEVICES_PER_MESSAGE)
    ]


def status(event: DeviceStatusChanged) -> Message:
    """A device moved between unknown, online, degraded and offline."""
    return {
        "type": "status",
        "id": event.device_id,
        "code": event.code,
        "kind": event.kind,
        "old": event.old,
        "new": event.new,
        "at": _iso(event.at),
    }


def alert(event: AlertEvent) -> Message:
    """An alert was raised, acknowledged or resolved."""
    change = type(event).__name__.removeprefix("Alert").lower()  # raised / acknowledged / ...
    return {
        "type": "alert",
        "change": change,
        "alert_id": event.alert_id,
        "id": event.device_id,
        "code": event.device_code,
        "severity": event.severity,
        "name_th": event.name_th,
        "name_en": event.name_en,
        "at": _iso(event.at),
    }


def visible(message: Message, device_ids: frozenset[int] | None) -> Message | None:
    """The part of a message a zone-scoped client may see (None: nothing of it)."""
    if device_ids is None:
        return message
    if message["type"] == "telemetry":
        devices = [d for d in message["devices"] if d["id"] in device_ids]
        return {**message, "devices": devices} if devices else None
    device_id = message.get("id", message.get("device_id"))
    return message if device_id in device_ids else None
