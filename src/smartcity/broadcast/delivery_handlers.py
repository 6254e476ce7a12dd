"""What broadcast does on events: a flood alert becomes an emergency announcement.

The handler runs in the alert's transaction, so the alert and its draft commit together. In
"draft" mode it writes a draft emergency announcement for the PA zones around the device; an
operator adds audio and a second person approves it. In "send" mode it sends a recorded
emergency announcement that two people approved beforehand (``alert_announcement_id``); if
that cannot be sent it falls back to a draft, so an alert never passes without a trace.
"""

from __future__ import annotations

import logging

from smartcity.alerts.events import AlertRaised
from smartcity.broadcast import delivery, service
from smartcity.broadcast.delivery_policy import DeliverySettings, get_delivery_settings
from smartcity.broadcast.models import Announcement
from smartcity.broadcast.schemas import AnnouncementMeta
from smartcity.config import Settings, get_settings
from smartcity.errors import DomainError
from smartcity.events import EventBus, UnitOfWork
from smartcity.geo import service as geo

log = logging.getLogger(__name__)


def register(bus: EventBus, settings: Settings | None = None) -> None:
    """Subscribe the flood-alert handler in the alert's transaction."""

    def on_alert(uow: UnitOfWork, event: AlertRaised) -> None:
        on_alert_raised(uow, settings, get_delivery_settings(), event)

    bus.subscribe(AlertRaised, on_alert, "in_transaction")


def pa_zones_at(uow: UnitOfWork, lat: float, lon: float) -> list[int]:
    """The PA zones whose polygon contains the point (the alert carries its device's place)."""
    return [z.id for z in geo.zones_at(uow.session, lat, lon, "pa_zone")]


def on_alert_raised(
    uow: UnitOfWork, settings: Settings | None, policy: DeliverySettings, event: AlertRaised
) -> Announcement | None:
    """Turn a flood alert into a draft (or a direct send); other alerts are ignored."""
    if policy.alert_mode == "off" or event.metric not in policy.alert_metrics:
        return None
    zones = pa_zones_at(uow, event.lat, event.lon)
    if not zones:
        log.warning(
            "flood alert %s: device %s stands in no PA zone", event.alert_id, event.device_code
        )
        return None
    if policy.alert_mode == "send" and policy.alert_announcement_id is not None:
        savepoint = uow.session.begin_nested()
        try:
            # Settings are read only here: a bus built without them still drafts.
            app_settings = settings or get_settings()
            delivery.send(uow, app_settings, policy, policy.alert_announcement_id, zones)
            savepoint.commit()
            return service.get_announcement(uow.session, policy.alert_announcement_id)
        except DomainError as exc:
            savepoint.rollback()
            log.warning("flood alert %s: direct send failed (%s); drafting", event.alert_id, exc)
    return _draft(uow, event, zones)


def _draft(uow: UnitOfWork, event: AlertRaised, zones: list[int]) -> Announcement:
    """A draft emergency announcement with the alert's text, awaiting audio and approval."""
    meta = AnnouncementMeta(
        title=f"เตือนภัยน้ำท่วม: {event.name_th}"[:200],
        category="emergency",
        languages=["th", "en"],
        priority="emergency",
        zone_ids=zones,
    )
    value = "" if event.value is None else f" ({event.metric} = {event.value:g})"
    text = f"{event.name_th}{value}\n{event.name_en}{value}"
    row = service.create_draft(uow, meta, source="tts", text=text)
    service.changed(uow, "announcement.created", row, alert_id=event.alert_id)
    return row
