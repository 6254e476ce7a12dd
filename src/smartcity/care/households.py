"""Households: Thai address, map position and the community zone that scopes who sees them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from smartcity.care import repository as repo
from smartcity.care.access import Access
from smartcity.care.models import Household, Person
from smartcity.care.schemas import HouseholdIn, HouseholdUpdate
from smartcity.errors import Forbidden, InvalidInput, NotFound
from smartcity.events import RecordChanged, UnitOfWork
from smartcity.geo import service as geo
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams

ENTITY = "care_household"


def get_household(session: Session, access: Access, household_id: int) -> Household:
    """A household in the caller's zones, or NotFound (ids outside scope do not leak)."""
    household = repo.get_household(session, household_id)
    if household is None or not access.can_read(household.zone_id):
        raise NotFound(
            f"Household {household_id} does not exist.", f"ไม่พบครัวเรือนหมายเลข {household_id}"
        )
    return household


def list_households(
    session: Session, access: Access, params: PageParams, *, zone_id: int | None = None
) -> tuple[list[Household], int]:
    """One page of the caller's households, newest first."""
    return repo.search_households(session, params, zone_id=zone_id, zone_scope=access.read_zones)


def members(session: Session, household_id: int) -> list[Person]:
    """The people registered in a household."""
    return repo.members(session, household_id)


def create_household(
    uow: UnitOfWork, access: Access, data: HouseholdIn, *, is_sample: bool = False
) -> Household:
    """Register a household; its zone comes from its position (or the zone given without one)."""
    zone_id = _locate(uow.session, data.lat, data.lon, data.zone_id)
    _check_write(access, zone_id)
    household = Household(**data.model_dump(exclude={"zone_id"}), zone_id=zone_id)
    household.is_sample = is_sample
    repo.add(uow.session, household)
    _changed(uow, "care.household.created", household, list(data.model_fields_set))
    return household


def update_household(
    uow: UnitOfWork, access: Access, household_id: int, data: HouseholdUpdate
) -> Household:
    """Change the given fields; moving a household needs write access in both zones."""
    household = get_household(uow.session, access, household_id)
    _check_write(access, household.zone_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    position: dict[str, Any] = {
        k: changes.pop(k) for k in ("lat", "lon", "zone_id") if k in changes
    }
    if position:
        _move(uow.session, household, position)
        _check_write(access, household.zone_id)
    for key, value in changes.items():
        setattr(household, key, value)
    household.updated_at = utcnow()
    uow.session.flush()
    _changed(uow, "care.household.updated", household, sorted(data.model_fields_set))
    return household


def _move(session: Session, household: Household, position: dict[str, Any]) -> None:
    """A new position sets the zone; a zone alone is accepted only for a home without one."""
    if "lat" in position:
        household.lat, household.lon = position["lat"], position["lon"]
        household.zone_id = _locate(session, household.lat, household.lon, None)
        return
    if household.lat is not None:
        raise InvalidInput(
            "This household's zone follows its map position; change lat/lon instead.",
            "พื้นที่ของครัวเรือนนี้กำหนดจากตำแหน่งบนแผนที่ โปรดแก้ไขละติจูด/ลองจิจูดแทน",
            errors=[{"field": "zone_id", "message": "set by position / กำหนดจากตำแหน่ง"}],
        )
    household.zone_id = _locate(session, None, None, int(position["zone_id"]))


def _locate(
    session: Session, lat: float | None, lon: float | None, zone_id: int | None
) -> int | None:
    """The community zone of a position, or the (checked) zone given for a home without one."""
    if lat is not None and lon is not None:
        zone = geo.zone_at(session, lat, lon)
        return zone.id if zone else None
    if zone_id is None:
        return None
    try:
        zone = geo.get_zone(session, zone_id)
    except NotFound:
        zone = None
    if zone is None or zone.kind != "community":
        raise InvalidInput(
            f"Zone {zone_id} is not a community zone.",
            f"พื้นที่หมายเลข {zone_id} ไม่ใช่ชุมชน",
            errors=[{"field": "zone_id", "message": "not a community zone / ไม่ใช่ชุมชน"}],
        )
    return zone.id


def _check_write(access: Access, zone_id: int | None) -> None:
    if not access.can_write(zone_id):
        raise Forbidden(
            "This household lies outside the zones you may change.",
            "ครัวเรือนนี้อยู่นอกพื้นที่ที่คุณมีสิทธิ์แก้ไข",
        )


def _changed(uow: UnitOfWork, action: str, household: Household, fields: list[str]) -> None:
    """Audit a write by field names only: addresses are personal data too."""
    detail = {"fields": sorted(fields), "zone_id": household.zone_id}
    uow.emit(
        RecordChanged(action=action, entity_type=ENTITY, entity_id=str(household.id), detail=detail)
    )
