"""Typed domain events and the bus that carries them.

Handlers run in one of two phases. ``in_transaction`` handlers run at once inside the writer's
transaction (audit uses this so a write and its audit record commit or vanish together).
``after_commit`` handlers run once the unit of work has committed (notifications, live updates);
a failing after-commit handler is logged and never undoes the committed work.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

Phase = Literal["in_transaction", "after_commit"]


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user, a program token, or the system itself."""

    user_id: int | None
    username: str
    ip: str | None = None
    via: str = "web"

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """An actor for scheduled jobs and the command line."""
        return cls(user_id=None, username=name, via="system")


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every domain event."""


@dataclass(frozen=True, kw_only=True)
class AuditedEvent(Event):
    """An event that belongs in the audit log: a write, or a read of a sensitive record."""

    action: str
    entity_type: str
    entity_id: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class RecordChanged(AuditedEvent):
    """A record was created, updated or deleted."""


@dataclass(frozen=True, kw_only=True)
class SensitiveRecordRead(AuditedEvent):
    """Somebody read a sensitive record (health, identity, footage)."""


@dataclass(frozen=True, kw_only=True)
class LoginAttempted(AuditedEvent):
    """A log-in succeeded or failed."""


Handler = Callable[["UnitOfWork", Any], None]


class EventBus:
    """Routes events to handlers by class, honouring inheritance."""

    def __init__(self) -> None:
        self._handlers: dict[Phase, dict[type[Event], list[Handler]]] = {
            "in_transaction": defaultdict(list),
            "after_commit": defaultdict(list),
        }

    def subscribe(self, event_type: type[Event], handler: Handler, phase: Phase) -> None:
        """Call ``handler(uow, event)`` for every event of this type or a subclass."""
        self._handlers[phase][event_type].append(handler)

    def handlers_for(self, event: Event, phase: Phase) -> list[Handler]:
        """Handlers interested in this event, most general first."""
        table = self._handlers[phase]
        return [h for cls in reversed(type(event).__mro__) for h in table.get(cls, [])]


class UnitOfWork:
    """One transaction, the actor behind it and the events it raised."""

    def __init__(self, session: Session, bus: EventBus, actor: Actor) -> None:
        self.session = session
        self.bus = bus
        self.actor = actor
        self._pending: list[Event] = []

    def emit(self, event: Event) -> None:
        """Run in-transaction handlers now; keep the event for after commit."""
        for handler in self.bus.handlers_for(event, "in_transaction"):
            handler(self, event)
        self._pending.append(event)

    def commit(self) -> None:
        """Commit, then deliver after-commit handlers."""
        self.session.commit()
        events, self._pending = self._pending, []
        for event in events:
            for handler in self.bus.handlers_for(event, "after_commit"):
                try:
                    handler(self, event)
                except Exception:  # a side effect must never undo committed work
                    log.exception("after-commit handler %r failed for %r", handler, event)

    def rollback(self) -> None:
        """Discard the transaction and its events."""
        self.session.rollback()
        self._pending = []
