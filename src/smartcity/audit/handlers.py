"""Audit listens to events: every AuditedEvent becomes an entry in the same transaction."""

from __future__ import annotations

from smartcity.audit import service
from smartcity.events import AuditedEvent, EventBus, UnitOfWork


def _record(uow: UnitOfWork, event: AuditedEvent) -> None:
    service.append(uow.session, uow.actor, event)


def register(bus: EventBus) -> None:
    """Subscribe the audit log to every audited event."""
    bus.subscribe(AuditedEvent, _record, "in_transaction")
