"""REST routes of the care domain (thin: parse, check permission, call the service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.care import service
from smartcity.care.access import Access
from smartcity.care.schemas import (
    AdlGroup,
    AdlIn,
    AdlOut,
    ConsentIn,
    ConsentOut,
    ConsentWithdraw,
    Flag,
    HouseholdIn,
    HouseholdOut,
    HouseholdUpdate,
    PersonIn,
    PersonOut,
    PersonUpdate,
    ShareOut,
    SharePurpose,
)
from smartcity.care.views import adl_out, consent_out, household_out, person_out
from smartcity.http import AppSettings, Paging, UoW
from smartcity.kit.pagination import Page

router = APIRouter(prefix="/api/care", tags=["care"])
Reader = Annotated[Principal, Depends(require("care.read"))]
Writer = Annotated[Principal, Depends(require("care.write"))]
Sensitive = Annotated[Principal, Depends(require("care.sensitive"))]


# --- households -------------------------------------------------------------------------------


@router.post("/households", status_code=201, summary="Register a household")
def create_household(data: HouseholdIn, uow: UoW, principal: Writer) -> HouseholdOut:
    """A new household; its community zone is found from lat/lon."""
    household = service.create_household(uow, Access.of(principal), data)
    return household_out(household)


@router.get("/households", summary="List households")
def list_households(
    uow: UoW, paging: Paging, principal: Reader, zone_id: int | None = None
) -> Page[HouseholdOut]:
    """The caller's households, newest first."""
    rows, total = service.list_households(
        uow.session, Access.of(principal), paging, zone_id=zone_id
    )
    items = [household_out(h) for h in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/households/{household_id}", summary="One household and its members")
def get_household(household_id: int, uow: UoW, principal: Reader) -> HouseholdOut:
    """A household with the people registered in it."""
    household = service.get_household(uow.session, Access.of(principal), household_id)
    return household_out(household, service.household_members(uow.session, household.id))


@router.patch("/households/{household_id}", summary="Change a household")
def update_household(
    household_id: int, data: HouseholdUpdate, uow: UoW, principal: Writer
) -> HouseholdOut:
    """Change the fields given; a new position moves the household to its new zone."""
    household = service.update_household(uow, Access.of(principal), household_id, data)
    return household_out(household, service.household_members(uow.session, household.id))


# --- people -----------------------------------------------------------------------------------


@router.post("/people", status_code=201, summary="Register a person")
def create_person(
    data: PersonIn,
    uow: UoW,
    settings: AppSettings,
    principal: Writer,
    force: Annotated[bool, Query(description="Register even if a similar person exists")] = False,
) -> PersonOut:
    """A new person; 409 with candidates when they may already be registered."""
    person, household = service.create_person(
        uow, settings, Access.of(principal), data, force=force
    )
    return person_out(person, household, None)


@router.get("/people", summary="Search people")
def list_people(
    uow: UoW,
    paging: Paging,
    principal: Reader,
    q: Annotated[str, Query(max_length=200, description="Name, Thai or English")] = "",
    phone: Annotated[str, Query(max_length=30, description="Phone or its last digits")] = "",
    zone_id: int | None = None,
    household_id: int | None = None,
    group: AdlGroup | None = None,
    flag: Annotated[list[Flag] | None, Query(description="Flags that must all be set")] = None,
) -> Page[PersonOut]:
    """The caller's people matching the search and filters (never their sensitive fields)."""
    items, total = service.list_people(
        uow.session,
        Access.of(principal),
        paging,
        q=q,
        phone=phone,
        zone_id=zone_id,
        household_id=household_id,
        group=group or "",
        flags=list(flag or []),
    )
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/people/{person_id}", summary="One person")
def get_person(
    person_id: int,
    uow: UoW,
    settings: AppSettings,
    principal: Reader,
    sensitive: Annotated[bool, Query(description="Include health fields (audited)")] = True,
    reveal_national_id: Annotated[bool, Query(description="Show the full ID (audited)")] = False,
) -> PersonOut:
    """A person; health fields only with care.sensitive, the full ID only when asked for."""
    return service.read_person(
        uow,
        settings,
        Access.of(principal),
        person_id,
        include_sensitive=sensitive,
        reveal_national_id=reveal_national_id,
    )


@router.patch("/people/{person_id}", summary="Change a person")
def update_person(
    person_id: int, data: PersonUpdate, uow: UoW, settings: AppSettings, principal: Writer
) -> PersonOut:
    """Change the fields given; null clears birth date, national ID and caregiver phone/user."""
    person, household = service.update_person(uow, settings, Access.of(principal), person_id, data)
    return person_out(person, household, None)


@router.get("/people/{person_id}/share", summary="Share a record (health unit, emergency)")
def share_person(
    person_id: int,
    purpose: SharePurpose,
    uow: UoW,
    settings: AppSettings,
    principal: Sensitive,
    reason: Annotated[str, Query(max_length=500, description="Emergency reason")] = "",
) -> ShareOut:
    """The record for the purpose; refused (403) without consent or a lawful exception."""
    return service.share_person(uow, settings, Access.of(principal), person_id, purpose, reason)


# --- consent ----------------------------------------------------------------------------------


@router.get("/people/{person_id}/consents", summary="A person's consent records")
def list_consents(person_id: int, uow: UoW, principal: Reader) -> list[ConsentOut]:
    """Every consent, withdrawn ones included, newest first."""
    rows = service.list_consents(uow.session, Access.of(principal), person_id)
    return [consent_out(c) for c in rows]


@router.post("/people/{person_id}/consents", status_code=201, summary="Record a consent")
def give_consent(person_id: int, data: ConsentIn, uow: UoW, principal: Writer) -> ConsentOut:
    """A consent for one purpose (PDPA s.26)."""
    return consent_out(service.give_consent(uow, Access.of(principal), person_id, data))


@router.post("/people/{person_id}/consents/{consent_id}/withdraw", summary="Withdraw a consent")
def withdraw_consent(
    person_id: int, consent_id: int, data: ConsentWithdraw, uow: UoW, principal: Writer
) -> ConsentOut:
    """Withdraw a consent; the record stays as history."""
    consent = service.withdraw_consent(uow, Access.of(principal), person_id, consent_id, data)
    return consent_out(consent)


# --- ADL --------------------------------------------------------------------------------------


@router.post("/people/{person_id}/adl", status_code=201, summary="Record an ADL assessment")
def assess_adl(person_id: int, data: AdlIn, uow: UoW, principal: Writer) -> AdlOut:
    """A Barthel assessment; the person's group follows the newest one."""
    return adl_out(service.assess_adl(uow, Access.of(principal), person_id, data))


@router.get("/people/{person_id}/adl", summary="A person's ADL history")
def adl_history(person_id: int, uow: UoW, principal: Sensitive) -> list[AdlOut]:
    """Assessments, newest first (an audited sensitive read)."""
    return [adl_out(a) for a in service.adl_history(uow, Access.of(principal), person_id)]
