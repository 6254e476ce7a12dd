"""Care pages: disaster mode (area, ranked list, live counts, statuses, printable list)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from smartcity.care.access import Access
from smartcity.care.disaster import service as disaster
from smartcity.care.disaster.schemas import STATUSES, AreaIn, OperationIn, StatusIn
from smartcity.errors import InvalidInput
from smartcity.geo import service as geo
from smartcity.http import Paging
from smartcity.kit.pagination import PageParams
from smartcity.web.errors import PageRoute
from smartcity.web.view import Pager, View, page

router = APIRouter(route_class=PageRoute)
CareReader = Annotated[View, Depends(page("care.read"))]
CareWriter = Annotated[View, Depends(page("care.write"))]
MARKS = tuple(s for s in STATUSES if s != "pending")
PRINT_ROWS = PageParams(1, 200)


def _access(view: View) -> Access:
    assert view.principal is not None
    return Access.of(view.principal)


def _area_zones(view: View) -> list[Any]:
    """Zones offered as areas: hazard areas first, then communities."""
    session = view.uow.session
    hazards, _ = geo.list_zones(session, PageParams(1, 200), kind="hazard_area")
    communities, _ = geo.list_zones(session, PageParams(1, 200), kind="community")
    return [*hazards, *communities]


def _area_from_form(geometry: str, zone_id: str) -> AreaIn:
    """The area a form names, or InvalidInput in both languages."""
    try:
        if zone_id.strip():
            return AreaIn(zone_id=int(zone_id))
        return AreaIn(geometry=json.loads(geometry) if geometry.strip() else None)
    except (ValueError, ValidationError) as exc:
        raise InvalidInput(
            "Draw an area on the map or pick a zone.", "โปรดวาดพื้นที่บนแผนที่หรือเลือกพื้นที่"
        ) from exc


@router.get("/care/disaster")
def disaster_home(view: CareReader, paging: Paging) -> HTMLResponse:
    """Pick an area (draw or zone), see who is inside, open an operation; recent operations."""
    ops, total = disaster.list_operations(view.uow.session, paging)
    rows = [disaster.operation_out(view.uow.session, _access(view), op) for op in ops]
    context = {
        "zones": _area_zones(view),
        "operations": rows,
        "pager": Pager.of(paging, total),
        "map_config": {"lang": view.lang, "zones_url": "/api/geo/zones.geojson"},
    }
    return view.render("care/disaster.html", context)


@router.post("/care/disaster/area")
def disaster_area(
    view: CareReader,
    geometry: Annotated[str, Form(max_length=200_000)] = "",
    zone_id: Annotated[str, Form(max_length=12)] = "",
) -> HTMLResponse:
    """The ranked list of people inside the area (an audited vital-interest read)."""
    area = _area_from_form(geometry, zone_id)
    people = disaster.people_in_area(view.uow, _access(view), area)
    context = {"people": people, "geometry": geometry, "zone_id": zone_id}
    return view.render("care/_disaster_area.html", context)


@router.post("/care/disaster/operations")
def disaster_create(
    view: CareWriter,
    name: Annotated[str, Form(max_length=200)] = "",
    geometry: Annotated[str, Form(max_length=200_000)] = "",
    zone_id: Annotated[str, Form(max_length=12)] = "",
) -> HTMLResponse:
    """Open an operation and send the browser to it."""
    area = _area_from_form(geometry, zone_id)
    try:
        data = OperationIn(name=name, area=area)
    except ValidationError as exc:
        raise InvalidInput("Give the operation a name.", "โปรดตั้งชื่อปฏิบัติการ") from exc
    op = disaster.create_operation(view.uow, _access(view), data)
    target = f"/care/disaster/{op.id}"
    return HTMLResponse("", status_code=204, headers={"HX-Redirect": target})


@router.get("/care/disaster/{operation_id}")
def disaster_operation(operation_id: int, view: CareReader, paging: Paging) -> HTMLResponse:
    """An operation: live counts, the ranked check-on list and status buttons."""
    session = view.uow.session
    op = disaster.operation_out(
        session, _access(view), disaster.get_operation(session, operation_id)
    )
    items, total = disaster.list_checks(view.uow, _access(view), operation_id, paging)
    context = {"op": op, "checks": items, "marks": MARKS, "pager": Pager.of(paging, total)}
    return view.render("care/disaster_operation.html", context)


@router.get("/care/disaster/{operation_id}/counts")
def disaster_counts(operation_id: int, view: CareReader) -> HTMLResponse:
    """The live count block (polled by the operation page; no names, so not audited)."""
    counts = disaster.counts(view.uow.session, _access(view), operation_id)
    return view.render("care/_disaster_counts.html", {"counts": counts, "op_id": operation_id})


@router.post("/care/disaster/{operation_id}/checks/{person_id}")
def disaster_mark(
    operation_id: int,
    person_id: int,
    view: CareWriter,
    status: Annotated[str, Form(max_length=12)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    """Mark one person's status; answers the updated row and tells the counts to refresh."""
    try:
        data = StatusIn.model_validate({"status": status, "note": note})
    except ValidationError as exc:
        raise InvalidInput("Unknown status.", "สถานะไม่ถูกต้อง") from exc
    disaster.mark(view.uow, _access(view), operation_id, person_id, data)
    row = disaster.check_of(view.uow, _access(view), operation_id, person_id)
    context = {"item": row, "op_id": operation_id, "marks": MARKS, "open": True}
    return view.render("care/_disaster_row.html", context, headers={"HX-Trigger": "counts-changed"})


@router.get("/care/disaster/{operation_id}/print")
def disaster_print(operation_id: int, view: CareReader) -> HTMLResponse:
    """A printable check-on list (highest need first, up to 200 people per page)."""
    session = view.uow.session
    op = disaster.operation_out(
        session, _access(view), disaster.get_operation(session, operation_id)
    )
    items, total = disaster.list_checks(view.uow, _access(view), operation_id, PRINT_ROWS)
    return view.render("care/disaster_print.html", {"op": op, "checks": items, "total": total})
