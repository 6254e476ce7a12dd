"""What the incidents domain does on other domains' events: SOS presses become help requests."""

from __future__ import annotations

from smartcity.devices.events import TelemetryReceived
from smartcity.events import EventBus, UnitOfWork
from smartcity.incidents import sos
from smartcity.incidents.policy import Policy


def register(bus: EventBus, policy: Policy | None = None) -> None:
    """Subscribe to telemetry in the ingest transaction: a press and its request commit together."""
    rules = policy or Policy()

    def _on_telemetry(uow: UnitOfWork, event: TelemetryReceived) -> None:
        if sos.PRESSED in event.metrics:
            sos.on_telemetry(uow, rules, event)

    bus.subscribe(TelemetryReceived, _on_telemetry, "in_transaction")
