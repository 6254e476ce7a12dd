"""The due-slot runner: sends each schedule slot to its speakers shortly before it starts.

A slot is sent once (a delivery per schedule and slot time). A slot that cannot be sent (the
announcement lost its audio, no speaker stands in a zone) is recorded at once as a failed
outcome with the reason; a slot already past the grace time is left to the schedule sweep,
which reports it as missed. Either way, the schedule moves on to its next slot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from smartcity.broadcast import delivery, scheduling
from smartcity.broadcast import delivery_repository as delivery_repo
from smartcity.broadcast import repository as repo
from smartcity.broadcast.delivery_policy import DeliverySettings
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.config import Settings
from smartcity.errors import DomainError
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow

log = logging.getLogger(__name__)


def run_due(
    uow: UnitOfWork,
    settings: Settings,
    policy: BroadcastSettings,
    delivery_policy: DeliverySettings,
    now: datetime | None = None,
) -> int:
    """Send every slot starting within the lead time; returns how many slots were handled."""
    now = now or utcnow()
    oldest = now - timedelta(seconds=policy.missed_grace_s)
    handled = 0
    for row in repo.stale(uow.session, now + timedelta(seconds=delivery_policy.slot_lead_s)):
        slot = row.next_due_at
        if slot is None or slot < oldest:
            continue  # too late to play: the schedule sweep reports it as missed
        if delivery_repo.for_slot(uow.session, row.id, slot) is None:
            _send_slot(uow, settings, delivery_policy, row.id, row.announcement_id, slot)
        scheduling.record_outcome(uow, row.id, slot, {})  # move on to the next slot
        handled += 1
    return handled


def _send_slot(
    uow: UnitOfWork,
    settings: Settings,
    policy: DeliverySettings,
    schedule_id: int,
    announcement_id: int,
    slot: datetime,
) -> None:
    """Send one slot, or record why it could not be sent in each of its zones."""
    schedule = scheduling.get_schedule(uow.session, schedule_id)
    savepoint = uow.session.begin_nested()
    try:
        delivery.send(
            uow,
            settings,
            policy,
            announcement_id,
            list(schedule.zone_ids),
            schedule_id=schedule_id,
            slot_at=slot,
        )
        savepoint.commit()
    except DomainError as exc:
        savepoint.rollback()
        log.warning("slot %s of schedule %s not sent: %s", slot, schedule_id, exc)
        outcome = ("failed", exc.detail[:300], exc.detail_th[:300])
        scheduling.record_outcome(uow, schedule_id, slot, {z: outcome for z in schedule.zone_ids})


def sweep_jobs(settings: Settings) -> list[Callable[[UnitOfWork], object]]:
    """The runtime's broadcast jobs: report missed slots, send due ones, settle deliveries.

    Missed slots go first: a schedule whose stored slot is already past the grace time (the
    server was down, say) is reported and moved on, or it would never be sent again.

    Settings are read on each run (cached per process) so operators' changes apply on restart
    and tests can override them.
    """
    from smartcity.broadcast.delivery_policy import get_delivery_settings
    from smartcity.broadcast.policy import get_broadcast_settings

    return [
        lambda uow: scheduling.sweep(uow, get_broadcast_settings()),
        lambda uow: run_due(uow, settings, get_broadcast_settings(), get_delivery_settings()),
        lambda uow: delivery.settle(uow, settings, get_delivery_settings()),
    ]
