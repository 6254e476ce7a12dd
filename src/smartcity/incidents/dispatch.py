"""Dispatch: offer the nearest free suitable unit, then accept, decline or time out, escalate.

A unit is claimed with one conditional UPDATE (available -> offered), so two incidents never
hold the same unit; a lost race moves on to the next nearest unit.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Final

from smartcity.accounts.permissions import Principal
from smartcity.errors import Conflict, Forbidden, NotFound
from smartcity.events import UnitOfWork
from smartcity.incidents import repository as repo
from smartcity.incidents.distance import at_least_straight_line, distance_fn
from smartcity.incidents.events import DispatchEscalated, UnitOffered
from smartcity.incidents.models import Incident, Offer, Unit
from smartcity.incidents.nearest import nearest_free
from smartcity.incidents.policy import NO_DISPATCH_LEVELS, Policy, required
from smartcity.incidents.record import changed, step
from smartcity.kit.clock import utcnow

FINAL: Final = frozenset({"closed", "cancelled"})
ENTITY = "incident"


def offer_next(
    uow: UnitOfWork,
    policy: Policy,
    incident: Incident,
    now: datetime | None = None,
    *,
    manual: bool = False,
    fresh: bool = False,
) -> Offer | None:
    """Offer the incident to the nearest free suitable unit it was not offered to; else escalate.

    ``manual`` (a supervisor asking again) lifts the cap on offers and retries every unit;
    ``fresh`` (created in this transaction) means it has no offers yet, so none are read.
    """
    now = now or utcnow()
    if incident.status in FINAL or incident.unit_id is not None:
        return None
    if incident.triage_level in NO_DISPATCH_LEVELS:
        return None
    offers = [] if fresh else repo.offers_of(uow.session, incident.id)
    if any(o.status == "offered" for o in offers):  # one offer at a time
        return None
    if incident.lat is None or incident.lon is None:
        escalate(uow, incident, "no_location", now)
        return None
    tried = {o.unit_id for o in offers}
    if not manual and len(tried) >= policy.max_offers:
        escalate(uow, incident, "nobody_accepted", now)
        return None
    for distance, unit_id in _nearest(uow, incident, set() if manual else tried):
        unit = repo.claim_unit(uow.session, unit_id, now)
        if unit is not None:
            return _make_offer(uow, policy, incident, unit, distance, now)
    escalate(uow, incident, "nobody_accepted" if tried else "no_unit_free", now)
    return None


def _nearest(uow: UnitOfWork, incident: Incident, exclude: set[int]) -> Iterator[tuple[float, int]]:
    """Free suitable units by distance from the incident, nearest first."""
    assert incident.lat is not None and incident.lon is not None  # checked by the caller
    need = required(incident.kind, incident.triage_level)
    at = (incident.lat, incident.lon)
    return nearest_free(
        uow.session, at, need, exclude, distance_fn(), rings=at_least_straight_line()
    )


def _make_offer(
    uow: UnitOfWork,
    policy: Policy,
    incident: Incident,
    unit: Unit,
    distance: float,
    now: datetime,
) -> Offer:
    offer = Offer(
        incident_id=incident.id,
        unit_id=unit.id,
        status="offered",
        distance_m=round(distance, 1),
        offered_at=now,
        expires_at=now + timedelta(seconds=policy.offer_seconds),
    )
    repo.add(uow.session, offer)
    step(
        uow, incident, "offered", now, unit_id=unit.id, unit=unit.name, distance_m=offer.distance_m
    )
    changed(uow, "incidents.offer.made", "incident_offer", offer.id, incident_id=incident.id)
    uow.emit(
        UnitOffered(
            incident_id=incident.id,
            offer_id=offer.id,
            unit_id=unit.id,
            unit_name=unit.name,
            user_id=unit.user_id,
            phone=unit.phone,
            line_user_id=unit.line_user_id,
            level=incident.triage_level,
            distance_m=offer.distance_m,
            expires_at=offer.expires_at,
        )
    )
    return offer


def escalate(uow: UnitOfWork, incident: Incident, reason: str, now: datetime) -> None:
    """Tell the supervisor that this incident needs a person to act."""
    incident.escalated_at = now
    incident.updated_at = now
    step(uow, incident, "escalated", now, reason=reason)
    changed(uow, "incidents.incident.escalated", ENTITY, incident.id, reason=reason)
    uow.emit(DispatchEscalated(incident_id=incident.id, reason=reason, level=incident.triage_level))


def accept(uow: UnitOfWork, principal: Principal, offer_id: int) -> Offer:
    """The unit takes the incident: it becomes busy and the incident dispatched."""
    offer, unit, incident = _answerable(uow, principal, offer_id)
    now = utcnow()
    if offer.expires_at <= now:
        raise Conflict("The offer has expired.", "ข้อเสนอหมดเวลาแล้ว")
    offer.status, offer.answered_at = "accepted", now
    unit.status, unit.updated_at = "busy", now
    incident.unit_id, incident.status, incident.updated_at = unit.id, "dispatched", now
    step(uow, incident, "accepted", now, unit_id=unit.id, unit=unit.name)
    changed(uow, "incidents.offer.accepted", "incident_offer", offer.id, incident_id=incident.id)
    return offer


def decline(
    uow: UnitOfWork, policy: Policy, principal: Principal, offer_id: int, reason: str = ""
) -> Offer:
    """The unit says no: it is free again and the next unit gets the offer."""
    offer, unit, incident = _answerable(uow, principal, offer_id)
    now = utcnow()
    offer.status, offer.answered_at = "declined", now
    _release(unit, now)
    step(uow, incident, "declined", now, unit_id=unit.id, unit=unit.name, reason=reason)
    changed(uow, "incidents.offer.declined", "incident_offer", offer.id, incident_id=incident.id)
    offer_next(uow, policy, incident, now)
    return offer


def expire_offers(uow: UnitOfWork, policy: Policy, now: datetime | None = None) -> int:
    """Time out unanswered offers and move each incident on to its next unit (a sweep job)."""
    now = now or utcnow()
    expired = repo.expired_offers(uow.session, now)
    for offer in expired:
        offer.status, offer.answered_at = "timed_out", now
        unit = repo.get_unit(uow.session, offer.unit_id)
        incident = repo.get_incident(uow.session, offer.incident_id)
        assert unit is not None and incident is not None  # foreign keys
        _release(unit, now)
        step(uow, incident, "timed_out", now, unit_id=unit.id, unit=unit.name)
        changed(uow, "incidents.offer.timed_out", "incident_offer", offer.id)
        offer_next(uow, policy, incident, now)
    return len(expired)


def cancel_open_offer(uow: UnitOfWork, incident: Incident, now: datetime) -> None:
    """Withdraw a waiting offer (the incident was closed or cancelled meanwhile)."""
    offer = repo.open_offer(uow.session, incident.id)
    if offer is None:
        return
    offer.status, offer.answered_at = "cancelled", now
    unit = repo.get_unit(uow.session, offer.unit_id)
    if unit is not None:
        _release(unit, now)


def _release(unit: Unit, now: datetime) -> None:
    """A unit that was offered or busy is available again."""
    if unit.status in ("offered", "busy"):
        unit.status, unit.updated_at = "available", now


def _answerable(
    uow: UnitOfWork, principal: Principal, offer_id: int
) -> tuple[Offer, Unit, Incident]:
    """The waiting offer, its unit and incident, if this caller may answer for the unit."""
    offer = repo.get_offer(uow.session, offer_id, lock=True)
    if offer is None:
        raise NotFound(f"Offer {offer_id} does not exist.", f"ไม่พบข้อเสนอหมายเลข {offer_id}")
    unit = repo.get_unit(uow.session, offer.unit_id)
    incident = repo.get_incident(uow.session, offer.incident_id, lock=True)
    assert unit is not None and incident is not None  # foreign keys
    if unit.user_id != principal.user_id and not principal.can("incidents.dispatch"):
        raise Forbidden(
            "Only the unit's responder or a dispatcher may answer this offer.",
            "เฉพาะผู้ปฏิบัติงานของหน่วยหรือเจ้าหน้าที่สั่งการเท่านั้นที่ตอบข้อเสนอนี้ได้",
        )
    if offer.status != "offered":
        raise Conflict(
            f"The offer was already {offer.status}.", f"ข้อเสนอนี้ได้รับการตอบแล้ว ({offer.status})"
        )
    return offer, unit, incident
