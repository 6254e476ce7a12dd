"""After-commit handlers that feed the live hub; one hub per event bus (so per application)."""

from __future__ import annotations

import weakref

from smartcity.alerts.events import AlertEvent
from smartcity.devices.events import DeviceStatusChanged, TelemetryReceived
from smartcity.events import EventBus, UnitOfWork
from smartcity.live import messages
from smartcity.live.hub import Hub

_HUBS: weakref.WeakKeyDictionary[EventBus, Hub] = weakref.WeakKeyDictionary()


def register(bus: EventBus) -> Hub:
    """Create the hub for this bus and subscribe it to device and alert events (after commit)."""
    hub = _HUBS.setdefault(bus, Hub())

    def on_telemetry(_uow: UnitOfWork, event: TelemetryReceived) -> None:
        if not hub.client_count:
            return  # nobody watching: not worth formatting thousands of values per batch
        for message in messages.telemetry(event):
            hub.publish(message)

    def on_status(_uow: UnitOfWork, event: DeviceStatusChanged) -> None:
        hub.publish(messages.status(event))

    def on_alert(_uow: UnitOfWork, event: AlertEvent) -> None:
        hub.publish(messages.alert(event))

    bus.subscribe(TelemetryReceived, on_telemetry, "after_commit")
    bus.subscribe(DeviceStatusChanged, on_status, "after_commit")
    bus.subscribe(AlertEvent, on_alert, "after_commit")  # raised, acknowledged, resolved
    return hub


def hub_for(bus: EventBus) -> Hub:
    """The hub fed by this bus (a silent one if the bus was built without live handlers)."""
    return _HUBS.setdefault(bus, Hub())
