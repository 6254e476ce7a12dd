"""REST routes of disaster mode (thin: parse, check permission, call the service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.care.access import Access
from smartcity.care.disaster import service
from smartcity.care.disaster.schemas import (
    AreaIn,
    AreaPerson,
    CheckOut,
    CheckStatus,
    Counts,
    OperationIn,
    OperationOut,
    StatusIn,
)
from smartcity.http import Paging, UoW
from smartcity.kit.pagination import Page

router = APIRouter(prefix="/api/care/disaster", tags=["care: disaster"])
Reader = Annotated[Principal, Depends(require("care.read"))]
Writer = Annotated[Principal, Depends(require("care.write"))]


@router.post("/area/people", summary="Vulnerable people inside an area, ranked by need")
def people_in_area(data: AreaIn, uow: UoW, principal: Reader) -> list[AreaPerson]:
    """People inside a drawn polygon or a zone (an audited vital-interest read)."""
    return service.people_in_area(uow, Access.of(principal), data)


@router.post("/operations", status_code=201, summary="Open a disaster operation")
def create_operation(data: OperationIn, uow: UoW, principal: Writer) -> OperationOut:
    """An operation with a check-on task for each person inside the area."""
    access = Access.of(principal)
    op = service.create_operation(uow, access, data)
    return service.operation_out(uow.session, access, op)


@router.get("/operations", summary="List operations")
def list_operations(
    uow: UoW,
    paging: Paging,
    principal: Reader,
    status: Annotated[str, Query(pattern="^(open|closed)?$")] = "",
) -> Page[OperationOut]:
    """Operations, newest first, with their counts in the caller's zones."""
    access = Access.of(principal)
    rows, total = service.list_operations(uow.session, paging, status)
    items = [service.operation_out(uow.session, access, op) for op in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/operations/{operation_id}", summary="One operation and its counts")
def get_operation(operation_id: int, uow: UoW, principal: Reader) -> OperationOut:
    """An operation with its live counts."""
    op = service.get_operation(uow.session, operation_id)
    return service.operation_out(uow.session, Access.of(principal), op)


@router.get("/operations/{operation_id}/counts", summary="Live counts by status")
def counts(operation_id: int, uow: UoW, principal: Reader) -> Counts:
    """How many people are safe, need help, evacuated, not reached or not yet checked."""
    return service.counts(uow.session, Access.of(principal), operation_id)


@router.get("/operations/{operation_id}/checks", summary="The check-on list, ranked")
def list_checks(
    operation_id: int,
    uow: UoW,
    paging: Paging,
    principal: Reader,
    status: CheckStatus | None = None,
) -> Page[CheckOut]:
    """One page of the people to check on, highest need first (an audited read)."""
    items, total = service.list_checks(
        uow, Access.of(principal), operation_id, paging, status or ""
    )
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.put("/operations/{operation_id}/checks/{person_id}", summary="Mark a person's status")
def mark(operation_id: int, person_id: int, data: StatusIn, uow: UoW, principal: Writer) -> Counts:
    """Record safe / needs_help / evacuated / not_reached; answers the new counts."""
    access = Access.of(principal)
    service.mark(uow, access, operation_id, person_id, data)
    return service.counts(uow.session, access, operation_id)


@router.post("/operations/{operation_id}/close", summary="Close an operation")
def close(operation_id: int, uow: UoW, principal: Writer) -> OperationOut:
    """Close an operation; its statuses stay as history."""
    op = service.close_operation(uow, operation_id)
    return service.operation_out(uow.session, Access.of(principal), op)
