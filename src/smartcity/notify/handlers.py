"""What notify does on other domains' events: offers to units, escalations to supervisors,
abnormal vital signs to care managers. Recipients travel on the events; notify never reads
another domain's tables."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from smartcity.care.visits.events import VisitVitalsAbnormal
from smartcity.config import Settings
from smartcity.events import EventBus, UnitOfWork
from smartcity.incidents.events import DispatchEscalated, UnitOffered
from smartcity.notify.service import Message, send
from smartcity.notify.templates import REASONS


def register(bus: EventBus, settings: Settings | None = None) -> None:
    """Subscribe in the sender's transaction, so a message is queued exactly when its cause is."""
    zone = ZoneInfo(settings.timezone if settings else "Asia/Bangkok")
    line_id = settings.notify_supervisor_line_id if settings else ""
    phone = settings.notify_supervisor_phone if settings else ""

    def _offered(uow: UnitOfWork, event: UnitOffered) -> None:
        params = {
            "incident_id": event.incident_id,
            "unit": event.unit_name,
            "level": event.level or "-",
            "distance_km": f"{event.distance_m / 1000:.1f}",
            "expires": event.expires_at.astimezone(zone).strftime("%H:%M:%S"),
        }
        message = Message(
            "unit_offered",
            params,
            user_ids=[event.user_id] if event.user_id else [],
            line_ids=[event.line_user_id],
            phones=[event.phone],
            link="/responder",
        )
        send(uow, message)

    def _escalated(uow: UnitOfWork, event: DispatchEscalated) -> None:
        reason_th, reason_en = REASONS.get(event.reason, (event.reason, event.reason))
        params = {
            "incident_id": event.incident_id,
            "level": event.level or "-",
            "reason_th": reason_th,
            "reason_en": reason_en,
        }
        message = Message(
            "dispatch_escalated",
            params,
            audience="incidents.dispatch",
            line_ids=[line_id],
            phones=[phone],
            link=f"/hotline#incident-{event.incident_id}",
        )
        send(uow, message)

    def _vitals(uow: UnitOfWork, event: VisitVitalsAbnormal) -> None:
        # Metric names only: the values are health data, read (and audited) on the person page.
        params = {"visit_id": event.visit_id, "metrics": ", ".join(event.metrics)}
        link = f"/care/people/{event.person_id}"
        send(uow, Message("vitals_abnormal", params, audience="care.plan", link=link))

    bus.subscribe(VisitVitalsAbnormal, _vitals, "in_transaction")
    bus.subscribe(UnitOffered, _offered, "in_transaction")
    bus.subscribe(DispatchEscalated, _escalated, "in_transaction")
