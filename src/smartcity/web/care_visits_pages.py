"""A health worker's phone pages (my day, record a visit offline) and the overdue-visits block."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, HTMLResponse

from smartcity.care import service as care
from smartcity.care.access import Access
from smartcity.care.visits import service as visits
from smartcity.web.errors import PageRoute
from smartcity.web.view import View, page

router = APIRouter(route_class=PageRoute)
Worker = Annotated[View, Depends(page("care.write"))]
Reader = Annotated[View, Depends(page("care.read"))]
SERVICE_WORKER: Final = Path(__file__).parent / "static" / "sw-visits.js"

# Labels of these pages as (Thai, English) pairs, kept here so the pages stay self-contained.
LABELS: Final[dict[str, tuple[str, str]]] = {
    "my_day": ("งานเยี่ยมบ้านวันนี้", "My visits today"),
    "no_visits": ("วันนี้ไม่มีงานเยี่ยมบ้าน", "No visits due today"),
    "route_km": ("ระยะทางรวม", "Route length"),
    "overdue_days": ("เลยกำหนด (วัน)", "Days overdue"),
    "record": ("บันทึกการเยี่ยม", "Record visit"),
    "no_position": ("ไม่มีพิกัด", "No map position"),
    "sbp": ("ความดันตัวบน (mmHg)", "Systolic BP (mmHg)"),
    "dbp": ("ความดันตัวล่าง (mmHg)", "Diastolic BP (mmHg)"),
    "glucose": ("น้ำตาลในเลือด (mg/dL)", "Blood glucose (mg/dL)"),
    "temperature": ("อุณหภูมิ (°C)", "Temperature (°C)"),
    "spo2": ("ออกซิเจนในเลือด SpO2 (%)", "SpO2 (%)"),
    "pulse": ("ชีพจร (ครั้ง/นาที)", "Pulse (beats/min)"),
    "weight": ("น้ำหนัก (กก.)", "Weight (kg)"),
    "notes": ("บันทึก", "Notes"),
    "save": ("บันทึก", "Save"),
    "queue": ("รอส่ง", "Waiting to send"),
    "queued": ("บันทึกไว้ในเครื่อง จะส่งเมื่อออนไลน์", "Saved on this phone; will send when online"),
    "sent": ("ส่งแล้ว", "Sent"),
    "rejected": ("ระบบไม่รับ", "Refused"),
    "offline": ("ออฟไลน์", "Offline"),
    "online": ("ออนไลน์", "Online"),
    "sync": ("ส่งตอนนี้", "Send now"),
    "overdue": ("การเยี่ยมที่เลยกำหนด", "Overdue visits"),
    "by_zone": ("ตามพื้นที่", "By zone"),
    "by_worker": ("ตามเจ้าหน้าที่", "By worker"),
    "unassigned": ("ยังไม่มีผู้รับผิดชอบ", "Unassigned"),
    "no_zone": ("นอกพื้นที่ชุมชน", "Outside any community"),
    "total": ("รวม", "Total"),
}


def labels(view: View) -> dict[str, str]:
    """This module's labels in the visitor's language."""
    index = 1 if view.lang == "en" else 0
    return {key: pair[index] for key, pair in LABELS.items()}


@router.get("/care/sw-visits.js")
def service_worker() -> FileResponse:
    """The service worker, served under /care/ so that it may control the care pages."""
    return FileResponse(
        SERVICE_WORKER, media_type="text/javascript", headers={"Cache-Control": "no-cache"}
    )


@router.get("/care/my-day")
def my_day(view: Worker) -> HTMLResponse:
    """Today's visits in route order, on a small map and as a list."""
    assert view.principal is not None  # page() guarantees a caller
    day = visits.worker_day(view.uow.session, view.principal.user_id)
    points = [
        {"order": s.order, "lat": s.lat, "lon": s.lon, "name": s.name, "task": s.task_id}
        for s in day.stops
    ]
    context = {"day": day, "L": labels(view), "points": points}
    return view.render("care/visits/my_day.html", context)


@router.get("/care/visits/{task_id}/record")
def record_form(task_id: int, view: Worker) -> HTMLResponse:
    """The visit form; it saves to the phone first and sends when it can."""
    assert view.principal is not None
    access = Access.of(view.principal)
    task = visits.get_task(view.uow.session, access, task_id)
    person, household = care.get_person(view.uow.session, access, task.person_id)
    context = {"task": task, "person": person, "household": household, "L": labels(view)}
    return view.render("care/visits/record.html", context)


@router.get("/care/overdue")
def overdue(view: Reader) -> HTMLResponse:
    """Overdue visits counted by zone and by worker (the dashboard block, on its own page)."""
    assert view.principal is not None
    report = visits.overdue(view.uow.session, Access.of(view.principal))
    return view.render("care/visits/overdue.html", {"report": report, "L": labels(view)})
