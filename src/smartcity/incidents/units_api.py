"""REST routes for responder units, SOS assignments and the hotline webhook."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.http import AppSettings, Paging, UoW
from smartcity.incidents import service
from smartcity.incidents.schemas import (
    AssignmentIn,
    AssignmentOut,
    DutyIn,
    HotlineCallIn,
    HotlineCallOut,
    LocationIn,
    UnitIn,
    UnitOut,
    UnitStatus,
    UnitUpdate,
)
from smartcity.kit.pagination import Page

router = APIRouter(tags=["incidents"])
Reader = Annotated[Principal, Depends(require("incidents.read"))]
Responder = Annotated[Principal, Depends(require("incidents.respond"))]
Dispatcher = Annotated[Principal, Depends(require("incidents.dispatch"))]


@router.post("/api/units", response_model=UnitOut, status_code=201)
def create_unit(data: UnitIn, uow: UoW, principal: Dispatcher) -> UnitOut:
    """Register a responder unit."""
    return UnitOut.model_validate(service.create_unit(uow, data))


@router.get("/api/units", response_model=Page[UnitOut])
def list_units(
    uow: UoW, principal: Reader, paging: Paging, status: UnitStatus | None = None, kind: str = ""
) -> Page[UnitOut]:
    """Units by code."""
    rows, total = service.list_units(uow.session, paging, status=status or "", kind=kind)
    items = [UnitOut.model_validate(u) for u in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/api/units/mine", response_model=list[UnitOut])
def my_units(uow: UoW, principal: Responder) -> list[UnitOut]:
    """The units the caller answers for."""
    return [UnitOut.model_validate(u) for u in service.my_units(uow.session, principal)]


@router.get("/api/units/{unit_id}", response_model=UnitOut)
def get_unit(unit_id: int, uow: UoW, principal: Reader) -> UnitOut:
    """One unit."""
    return UnitOut.model_validate(service.get_unit(uow.session, unit_id))


@router.patch("/api/units/{unit_id}", response_model=UnitOut)
def update_unit(unit_id: int, data: UnitUpdate, uow: UoW, principal: Dispatcher) -> UnitOut:
    """Change a unit's details."""
    return UnitOut.model_validate(service.update_unit(uow, unit_id, data))


@router.post("/api/units/{unit_id}/duty", response_model=UnitOut)
def set_duty(unit_id: int, data: DutyIn, uow: UoW, principal: Responder) -> UnitOut:
    """Go on or off duty."""
    return UnitOut.model_validate(service.set_duty(uow, principal, unit_id, data))


@router.post("/api/units/{unit_id}/location", response_model=UnitOut)
def set_location(unit_id: int, data: LocationIn, uow: UoW, principal: Responder) -> UnitOut:
    """The unit's position from the responder's phone."""
    return UnitOut.model_validate(service.set_location(uow, principal, unit_id, data))


@router.put("/api/sos-assignments", response_model=AssignmentOut)
def assign_sos(data: AssignmentIn, uow: UoW, principal: Dispatcher) -> AssignmentOut:
    """Give an SOS button or pendant to a registered person."""
    return AssignmentOut.model_validate(service.assign_sos(uow, data))


@router.delete("/api/sos-assignments/{device_id}", status_code=204)
def unassign_sos(device_id: int, uow: UoW, principal: Dispatcher) -> None:
    """Take an SOS device back."""
    service.unassign_sos(uow, device_id)


@router.post("/api/hotline/calls", response_model=HotlineCallOut, status_code=201)
def hotline_call(
    data: HotlineCallIn, uow: UoW, settings: AppSettings, principal: Dispatcher
) -> HotlineCallOut:
    """Webhook for the telephone system: a call is ringing (matched to registered callers)."""
    return service.record_call(uow, settings, data)


@router.get("/api/hotline/calls", response_model=list[HotlineCallOut])
def recent_calls(uow: UoW, principal: Dispatcher) -> list[HotlineCallOut]:
    """The latest calls (numbers only)."""
    return service.recent_calls(uow)


@router.get("/api/hotline/calls/{call_pk}", response_model=HotlineCallOut)
def hotline_popup(
    call_pk: int, uow: UoW, settings: AppSettings, principal: Dispatcher
) -> HotlineCallOut:
    """The pop-up: who is calling (care notes only with care.sensitive; reads audited)."""
    return service.get_call(uow, settings, principal, call_pk)
