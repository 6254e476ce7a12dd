"""Operations pages for incidents: the list with a map of open incidents, and one incident.

The labels of the incident pages, the hotline screen and the responder page live here as
(Thai, English) pairs, so the three stay consistent.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, get_args

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, JSONResponse

from smartcity.http import Paging
from smartcity.incidents import service
from smartcity.incidents.schemas import Status
from smartcity.incidents.triage import LEVEL_LABELS, LEVELS
from smartcity.kit.pagination import PageParams
from smartcity.web.errors import PageRoute
from smartcity.web.view import Pager, View, page

router = APIRouter(route_class=PageRoute)
Reader = Annotated[View, Depends(page("incidents.read"))]
STATUSES: Final[tuple[str, ...]] = get_args(Status)
OPEN: Final = ["new", "triaged", "dispatched", "on_scene", "transported"]
MAP_LIMIT: Final = 500
LEVEL_COLOURS: Final = {
    "red": "#c62828",
    "yellow": "#f9a825",
    "green": "#2e7d32",
    "white": "#9e9e9e",
    "black": "#212121",
}

LABELS: Final[dict[str, tuple[str, str]]] = {
    "incidents": ("แจ้งเหตุ", "Incidents"),
    "incident": ("เหตุการณ์", "Incident"),
    "open_map": ("เหตุที่ยังไม่ปิด", "Open incidents"),
    "status": ("สถานะ", "Status"),
    "all_statuses": ("ทุกสถานะ", "All statuses"),
    "level": ("ระดับความรุนแรง", "Triage level"),
    "all_levels": ("ทุกระดับ", "All levels"),
    "untriaged": ("ยังไม่คัดแยก", "Not triaged"),
    "kind": ("ประเภท", "Kind"),
    "source": ("ช่องทาง", "Source"),
    "reported": ("แจ้งเมื่อ", "Reported"),
    "unit": ("หน่วย", "Unit"),
    "description": ("รายละเอียด", "Description"),
    "location": ("ตำแหน่ง", "Location"),
    "timeline": ("ลำดับเหตุการณ์", "Timeline"),
    "photo": ("รูปที่แนบมา", "Photo sent"),
    "escalated": ("แจ้งหัวหน้าเวรแล้ว", "Escalated to the supervisor"),
    "offer": ("เสนองานให้", "Offered to"),
    "distance": ("ระยะทาง", "Distance"),
    "expires": ("หมดเวลา", "Expires"),
    "hotline": ("สายด่วน", "Hotline"),
    "responder": ("หน้าจอหน่วยปฏิบัติการ", "Responder page"),
    "redispatch": ("ส่งต่อหน่วยอีกครั้ง", "Dispatch again"),
    "kind.help_request": ("ขอความช่วยเหลือ", "Help request"),
    "kind.crime": ("อาชญากรรม", "Crime"),
    "kind.hazard": ("สาธารณภัย", "Hazard"),
    "kind.fault": ("อุปกรณ์ขัดข้อง", "Fault"),
    "source.app": ("แอป", "App"),
    "source.hotline": ("สายด่วน", "Hotline"),
    "source.sos": ("ปุ่ม SOS", "SOS button"),
    "source.operator": ("เจ้าหน้าที่", "Operator"),
    "status.new": ("ใหม่", "New"),
    "status.triaged": ("คัดแยกแล้ว", "Triaged"),
    "status.dispatched": ("รับงานแล้ว", "Dispatched"),
    "status.on_scene": ("ถึงที่เกิดเหตุ", "On scene"),
    "status.transported": ("นำส่งแล้ว", "Transported"),
    "status.closed": ("ปิดงาน", "Closed"),
    "status.cancelled": ("ยกเลิก", "Cancelled"),
    "step.reported": ("รับแจ้ง", "Reported"),
    "step.triaged": ("คัดแยก", "Triaged"),
    "step.offered": ("เสนองาน", "Offered"),
    "step.accepted": ("หน่วยรับงาน", "Accepted"),
    "step.declined": ("หน่วยปฏิเสธ", "Declined"),
    "step.timed_out": ("ไม่ตอบรับภายในเวลา", "Timed out"),
    "step.escalated": ("แจ้งหัวหน้าเวร", "Escalated"),
    "step.redispatch": ("สั่งการอีกครั้ง", "Dispatched again"),
    "step.on_scene": ("ถึงที่เกิดเหตุ", "On scene"),
    "step.transported": ("นำส่ง", "Transported"),
    "step.closed": ("ปิดงาน", "Closed"),
    "step.cancelled": ("ยกเลิก", "Cancelled"),
}


def labels(view: View) -> dict[str, str]:
    """The incident labels in the visitor's language (levels included as ``level.<code>``)."""
    index = 1 if view.lang == "en" else 0
    out = {key: pair[index] for key, pair in LABELS.items()}
    out |= {f"level.{code}": pair[index] for code, pair in LEVEL_LABELS.items()}
    return out


@router.get("/incidents")
def incident_list(
    view: Reader,
    paging: Paging,
    status: Annotated[Status | None, Query()] = None,
    level: Annotated[str, Query(max_length=10, pattern="^(red|yellow|green|white|black)?$")] = "",
) -> HTMLResponse:
    """Incidents in the caller's zones, filtered by status and level, with a map of open ones."""
    assert view.principal is not None  # page() guarantees a caller
    rows, total = service.list_incidents(
        view.uow.session,
        paging,
        status=[status] if status else None,
        level=level,
        zones=view.principal.zone_scope("incidents.read"),
    )
    context = {
        "rows": rows,
        "status": status or "",
        "level": level,
        "statuses": STATUSES,
        "levels": LEVELS,
        "colours": LEVEL_COLOURS,
        "pager": Pager.of(paging, total),
        "L": labels(view),
    }
    return view.render_list("incidents/list.html", "incidents/_list.html", context)


@router.get("/incidents.geojson")
def open_incidents_map(view: Reader) -> JSONResponse:
    """Open incidents the caller may see, as GeoJSON points (newest first, at most 500)."""
    assert view.principal is not None
    rows, _total = service.list_incidents(
        view.uow.session,
        PageParams(1, MAP_LIMIT),
        status=OPEN,
        zones=view.principal.zone_scope("incidents.read"),
    )
    names = labels(view)
    features = [_feature(r, names) for r in rows if r.lat is not None and r.lon is not None]
    body = {"type": "FeatureCollection", "features": features}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _feature(incident: Any, names: dict[str, str]) -> dict[str, Any]:
    level = incident.triage_level or ""
    props = {
        "id": incident.id,
        "status": names.get(f"status.{incident.status}", incident.status),
        "kind": names.get(f"kind.{incident.kind}", incident.kind),
        "level": level,
        "colour": LEVEL_COLOURS.get(level, "#1565c0"),
    }
    geometry = {"type": "Point", "coordinates": [incident.lon, incident.lat]}
    return {"type": "Feature", "geometry": geometry, "properties": props}


@router.get("/incidents/{incident_id}")
def incident_detail(incident_id: int, view: Reader) -> HTMLResponse:
    """One incident: what was reported, its current offer and the timeline (refreshing)."""
    return view.render("incidents/detail.html", incident_context(view, incident_id))


@router.get("/incidents/{incident_id}/timeline")
def incident_timeline(incident_id: int, view: Reader) -> HTMLResponse:
    """The incident's status and timeline (the fragment the page polls)."""
    return view.render("incidents/_timeline.html", incident_context(view, incident_id))


def incident_context(view: View, incident_id: int) -> dict[str, Any]:
    """What the incident templates need: the incident with offer and timeline, its unit, labels."""
    assert view.principal is not None
    session = view.uow.session
    scope = view.principal.zone_scope("incidents.read")
    incident = service.incident_out(session, service.get_incident(session, incident_id, scope))
    unit_ids = {incident.unit_id, incident.offer.unit_id if incident.offer else None}
    units = {uid: service.get_unit(session, uid) for uid in unit_ids if uid is not None}
    return {"incident": incident, "units": units, "colours": LEVEL_COLOURS, "L": labels(view)}
