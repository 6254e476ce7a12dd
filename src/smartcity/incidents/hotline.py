"""The help line: the telephone system announces a call, the screen shows who is calling.

The caller's number is matched against the care registry through the care service. Name,
flags, address and contacts are shown for any registered caller, because an emergency call
is the case the registry exists for; care notes and conditions are decrypted only for
operators holding care.sensitive, and that read is audited by the care service itself.
"""

from __future__ import annotations

from typing import Final

from smartcity.accounts.permissions import Principal
from smartcity.care import service as care
from smartcity.config import Settings
from smartcity.errors import NotFound
from smartcity.events import SensitiveRecordRead, UnitOfWork
from smartcity.incidents import repository as repo
from smartcity.incidents.models import HotlineCall
from smartcity.incidents.record import changed
from smartcity.incidents.schemas import CallerOut, HotlineCallIn, HotlineCallOut
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams

MAX_MATCHES: Final = 5
FLAGS: Final = (
    "elderly",
    "bed_bound",
    "disabled",
    "oxygen_dependent",
    "dialysis",
    "pregnant",
    "child",
    "lives_alone",
)


def _lookup_access(principal: Principal | None) -> care.Access:
    """Every zone for the basics (an emergency call); health fields only with care.sensitive."""
    sensitive = principal.zone_scope("care.sensitive") if principal else frozenset()
    return care.Access(read_zones=None, sensitive_zones=sensitive, write_zones=frozenset())


def record_call(uow: UnitOfWork, settings: Settings, data: HotlineCallIn) -> HotlineCallOut:
    """Store the ringing call with the people its number belongs to (once per call id)."""
    found = repo.call_by_call_id(uow.session, data.call_id)
    if found is not None:
        return _call_out(found, [])
    people, _ = care.list_people(
        uow.session, _lookup_access(None), PageParams(1, MAX_MATCHES), phone=data.caller_number
    )
    call = HotlineCall(
        call_id=data.call_id,
        caller_number=data.caller_number,
        person_ids=[p.id for p in people],
        received_at=utcnow(),
    )
    repo.add(uow.session, call)
    changed(uow, "incidents.hotline.call", "incident_hotline_call", call.id, matches=len(people))
    return _call_out(call, [])


def get_call(
    uow: UnitOfWork, settings: Settings, principal: Principal, call_pk: int
) -> HotlineCallOut:
    """The call as the operator's screen pops it up (sensitive reads audited)."""
    call = repo.get_call(uow.session, call_pk)
    if call is None:
        raise NotFound(f"Call {call_pk} does not exist.", f"ไม่พบสายหมายเลข {call_pk}")
    callers = [_caller(uow, settings, principal, pid) for pid in call.person_ids]
    uow.emit(
        SensitiveRecordRead(
            action="incidents.hotline.popup",
            entity_type="incident_hotline_call",
            entity_id=str(call.id),
            detail={"people": list(call.person_ids)},
        )
    )
    return _call_out(call, callers)


def recent_calls(uow: UnitOfWork, limit: int = 10) -> list[HotlineCallOut]:
    """The latest calls, without caller details (the list is not a read of anyone's record)."""
    return [_call_out(c, []) for c in repo.recent_calls(uow.session, limit)]


def link_incident(uow: UnitOfWork, call_pk: int, incident_id: int) -> None:
    """Remember which incident the operator made from the call."""
    call = repo.get_call(uow.session, call_pk)
    if call is not None and call.incident_id is None:
        call.incident_id = incident_id


def _caller(uow: UnitOfWork, settings: Settings, principal: Principal, person_id: int) -> CallerOut:
    access = _lookup_access(principal)
    person = care.read_person(uow, settings, access, person_id)
    household = care.get_household(uow.session, access, person.household_id)
    parts = [household.house_no, f"หมู่ {household.moo}" if household.moo else "", household.soi]
    parts += [household.road, f"ต.{household.tambon}", f"อ.{household.amphoe}"]
    parts += [f"จ.{household.changwat}", household.postcode]
    sensitive = person.sensitive
    return CallerOut(
        person_id=person.id,
        display_name=person.display_name,
        flags=[f for f in FLAGS if getattr(person, f)],
        address=" ".join(p for p in parts if p),
        lat=household.lat,
        lon=household.lon,
        phones=person.phones,
        emergency_contacts=[c.model_dump() for c in person.emergency_contacts],
        language_notes=person.language_notes,
        care_notes=sensitive.care_notes if sensitive else None,
        chronic_conditions=sensitive.chronic_conditions if sensitive else None,
    )


def _call_out(call: HotlineCall, callers: list[CallerOut]) -> HotlineCallOut:
    return HotlineCallOut(
        id=call.id,
        call_id=call.call_id,
        caller_number=call.caller_number,
        received_at=call.received_at,
        incident_id=call.incident_id,
        callers=callers,
    )
