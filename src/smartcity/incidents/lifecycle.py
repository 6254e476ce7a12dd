"""An incident after intake: triage, the unit's status steps, closing and cancelling."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from smartcity.accounts.permissions import Principal
from smartcity.errors import Conflict, Forbidden, InvalidInput, NotFound
from smartcity.events import UnitOfWork
from smartcity.incidents import dispatch
from smartcity.incidents import repository as repo
from smartcity.incidents.models import Incident
from smartcity.incidents.policy import Policy
from smartcity.incidents.record import changed, step
from smartcity.incidents.schemas import ProgressIn, TriageIn
from smartcity.incidents.triage import propose, unknown_keys
from smartcity.kit.clock import utcnow

# Which status may follow which; cancelling is open until the incident is closed.
NEXT: Final[dict[str, frozenset[str]]] = {
    "new": frozenset({"cancelled"}),
    "triaged": frozenset({"cancelled"}),
    "dispatched": frozenset({"on_scene", "closed", "cancelled"}),
    "on_scene": frozenset({"transported", "closed"}),
    "transported": frozenset({"closed"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}


def get_incident(
    session: Session, incident_id: int, zones: frozenset[int] | None = None
) -> Incident:
    """An incident in the caller's zones, or NotFound."""
    incident = repo.get_incident(session, incident_id)
    if incident is None or (zones is not None and incident.zone_id not in zones):
        raise NotFound(
            f"Incident {incident_id} does not exist.", f"ไม่พบเหตุการณ์หมายเลข {incident_id}"
        )
    return incident


def triage(uow: UnitOfWork, policy: Policy, incident_id: int, data: TriageIn) -> Incident:
    """Record the answers and the level (the proposal unless the operator chose another)."""
    bad = unknown_keys(data.answers)
    if bad:
        raise InvalidInput(
            f"Unknown triage questions: {', '.join(bad)}.",
            f"ไม่มีคำถามคัดแยก: {', '.join(bad)}",
            errors=[{"field": "answers", "message": f"unknown: {k}"} for k in bad],
        )
    incident = get_incident(uow.session, incident_id)
    if incident.status in dispatch.FINAL:
        raise Conflict("The incident is already finished.", "เหตุการณ์นี้สิ้นสุดแล้ว")
    proposed = propose(data.answers)
    level = data.level or proposed
    now = utcnow()
    incident.triage_answers, incident.triage_level = dict(data.answers), level
    if incident.status == "new":
        incident.status = "triaged"
    incident.updated_at = now
    step(uow, incident, "triaged", now, level=level, proposed=proposed, answers=data.answers)
    changed(uow, "incidents.incident.triaged", "incident", incident.id, level=level)
    dispatch.offer_next(uow, policy, incident, now)
    return incident


def progress(uow: UnitOfWork, principal: Principal, incident_id: int, data: ProgressIn) -> Incident:
    """A status step by the unit on the job (or a dispatcher); closing frees the unit."""
    incident = get_incident(uow.session, incident_id)
    _check_actor(uow, principal, incident, data.status)
    if data.status not in NEXT[incident.status]:
        raise Conflict(
            f"An incident that is {incident.status} cannot become {data.status}.",
            f"เปลี่ยนสถานะจาก {incident.status} เป็น {data.status} ไม่ได้",
        )
    now = utcnow()
    old, incident.status, incident.updated_at = incident.status, data.status, now
    if data.status in dispatch.FINAL:
        incident.closed_at = now
        dispatch.cancel_open_offer(uow, incident, now)
        _free_unit(uow, incident, now)
    step(uow, incident, data.status, now, note=data.note)
    changed(uow, "incidents.incident.status", "incident", incident.id, old=old, new=data.status)
    return incident


def redispatch(uow: UnitOfWork, policy: Policy, incident_id: int) -> Incident:
    """A supervisor asks again: every free unit may be offered, past the usual cap."""
    incident = get_incident(uow.session, incident_id)
    if incident.status in dispatch.FINAL or incident.unit_id is not None:
        raise Conflict("The incident needs no unit now.", "เหตุการณ์นี้ไม่ต้องการหน่วยเพิ่ม")
    step(uow, incident, "redispatch")
    dispatch.offer_next(uow, policy, incident, manual=True)
    return incident


def _check_actor(uow: UnitOfWork, principal: Principal, incident: Incident, new: str) -> None:
    if principal.can("incidents.dispatch"):
        return
    unit = repo.get_unit(uow.session, incident.unit_id) if incident.unit_id else None
    if new == "cancelled" or unit is None or unit.user_id != principal.user_id:
        raise Forbidden(
            "Only the unit on this incident or a dispatcher may change its status.",
            "เฉพาะหน่วยที่รับเหตุหรือเจ้าหน้าที่สั่งการเท่านั้นที่เปลี่ยนสถานะได้",
        )


def _free_unit(uow: UnitOfWork, incident: Incident, now: datetime) -> None:
    unit = repo.get_unit(uow.session, incident.unit_id) if incident.unit_id else None
    if unit is not None and unit.status == "busy":
        unit.status, unit.updated_at = "available", now
