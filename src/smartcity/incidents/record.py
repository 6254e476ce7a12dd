"""The two things every write of this domain does: a timeline step and an audited change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smartcity.events import RecordChanged, UnitOfWork
from smartcity.incidents import repository as repo
from smartcity.incidents.models import Incident, TimelineEntry
from smartcity.kit.clock import utcnow


def step(
    uow: UnitOfWork, incident: Incident, action: str, at: datetime | None = None, **detail: Any
) -> None:
    """Append one step to the incident's timeline, signed by the acting user or job."""
    repo.stage(
        uow.session,
        TimelineEntry(
            incident_id=incident.id,
            at=at or utcnow(),
            action=action,
            actor=uow.actor.username,
            detail=detail,
        ),
    )


def changed(uow: UnitOfWork, action: str, entity: str, entity_id: int, **detail: Any) -> None:
    """Emit the audited record of a write."""
    uow.emit(
        RecordChanged(action=action, entity_type=entity, entity_id=str(entity_id), detail=detail)
    )
