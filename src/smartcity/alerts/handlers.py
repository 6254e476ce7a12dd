"""What the alerts domain does on events: evaluate rules as readings and health arrive."""

from __future__ import annotations

from smartcity.alerts import evaluate
from smartcity.devices.events import DeviceStatusChanged, TelemetryReceived
from smartcity.events import EventBus


def register(bus: EventBus) -> None:
    """Evaluate in the writer's transaction, so readings and their alerts commit together."""
    bus.subscribe(TelemetryReceived, evaluate.on_telemetry, "in_transaction")
    bus.subscribe(DeviceStatusChanged, evaluate.on_status, "in_transaction")
