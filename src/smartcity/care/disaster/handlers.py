"""Keep the area index in step with households: every household write re-files its cell."""

from __future__ import annotations

from smartcity.care import service as care
from smartcity.care.disaster import service
from smartcity.care.households import ENTITY as HOUSEHOLD
from smartcity.events import EventBus, RecordChanged, UnitOfWork


def on_household_changed(uow: UnitOfWork, event: RecordChanged) -> None:
    """A household was created or moved: put it in its (new) cell."""
    if event.entity_type != HOUSEHOLD:
        return
    household = care.get_household(uow.session, care.Access.everything(), int(event.entity_id))
    service.index_household(uow.session, household.id, household.lat, household.lon)


def register(bus: EventBus) -> None:
    """Subscribe disaster mode's handlers (in the writer's transaction, so the index never lags)."""
    bus.subscribe(RecordChanged, on_household_changed, "in_transaction")
