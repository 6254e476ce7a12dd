"""Responder units: registration, duty, live position from the responder's phone."""

from __future__ import annotations

from sqlalchemy.orm import Session

from smartcity.accounts.permissions import Principal
from smartcity.errors import Conflict, Forbidden, NotFound
from smartcity.events import UnitOfWork
from smartcity.incidents import repository as repo
from smartcity.incidents.models import Offer, Unit
from smartcity.incidents.record import changed
from smartcity.incidents.schemas import DutyIn, LocationIn, UnitIn, UnitUpdate
from smartcity.kit.clock import utcnow


def get_unit(session: Session, unit_id: int) -> Unit:
    """A unit, or NotFound."""
    unit = repo.get_unit(session, unit_id)
    if unit is None:
        raise NotFound(f"Unit {unit_id} does not exist.", f"ไม่พบหน่วยหมายเลข {unit_id}")
    return unit


def create_unit(uow: UnitOfWork, data: UnitIn, *, is_sample: bool = False) -> Unit:
    """Register a unit; codes are unique."""
    if repo.unit_by_code(uow.session, data.code) is not None:
        raise Conflict(f"Unit code {data.code} is taken.", f"รหัสหน่วย {data.code} มีอยู่แล้ว")
    now = utcnow()
    unit = Unit(
        **data.model_dump(),
        located_at=now if data.lat is not None else None,
        is_sample=is_sample,
        created_at=now,
        updated_at=now,
    )
    repo.add(uow.session, unit)
    changed(uow, "incidents.unit.created", "incident_unit", unit.id, code=unit.code)
    return unit


def update_unit(uow: UnitOfWork, unit_id: int, data: UnitUpdate) -> Unit:
    """Change a unit's details."""
    unit = get_unit(uow.session, unit_id)
    changes = data.model_dump(exclude_unset=True)
    for key, value in changes.items():
        setattr(unit, key, value)
    unit.updated_at = utcnow()
    changed(uow, "incidents.unit.updated", "incident_unit", unit.id, fields=sorted(changes))
    return unit


def set_duty(uow: UnitOfWork, principal: Principal, unit_id: int, data: DutyIn) -> Unit:
    """Go on duty (available) or off duty; not while an offer or a job is open."""
    unit = _own_unit(uow, principal, unit_id)
    if unit.status in ("offered", "busy"):
        raise Conflict("Answer the offer or finish the job first.", "โปรดตอบรับข้อเสนอหรือปิดงานก่อน")
    unit.status, unit.updated_at = data.status, utcnow()
    changed(uow, "incidents.unit.duty", "incident_unit", unit.id, status=data.status)
    return unit


def set_location(uow: UnitOfWork, principal: Principal, unit_id: int, data: LocationIn) -> Unit:
    """The unit's position now (sent by the responder page). Not audited: it is telemetry."""
    unit = _own_unit(uow, principal, unit_id)
    now = utcnow()
    unit.lat, unit.lon, unit.located_at, unit.updated_at = data.lat, data.lon, now, now
    return unit


def my_units(session: Session, principal: Principal) -> list[Unit]:
    """The units this responder answers for."""
    return repo.units_of_user(session, principal.user_id)


def my_offers(session: Session, principal: Principal) -> list[Offer]:
    """Offers waiting for this responder's units."""
    ids = [u.id for u in repo.units_of_user(session, principal.user_id)]
    return repo.open_offers_for_units(session, ids)


def _own_unit(uow: UnitOfWork, principal: Principal, unit_id: int) -> Unit:
    unit = get_unit(uow.session, unit_id)
    if unit.user_id != principal.user_id and not principal.can("incidents.dispatch"):
        raise Forbidden(
            "Only the unit's responder or a dispatcher may change this unit.",
            "เฉพาะผู้ปฏิบัติงานของหน่วยหรือเจ้าหน้าที่สั่งการเท่านั้นที่แก้ไขหน่วยนี้ได้",
        )
    return unit
