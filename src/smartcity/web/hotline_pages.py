"""The help-line operator's screen (/hotline): ringing calls, who is calling, triage, dispatch.

The telephone system posts each call to POST /api/hotline/calls; this page polls the recent
calls. Opening a call pops up the registered people its number belongs to (the incidents
service audits the pop-up, and the care service audits any care notes it decrypts).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from smartcity.errors import InvalidInput
from smartcity.incidents import service
from smartcity.incidents.schemas import IncidentIn
from smartcity.incidents.triage import LEVELS, QUESTIONS, propose
from smartcity.web import incidents_pages
from smartcity.web.errors import PageRoute
from smartcity.web.view import View, page

router = APIRouter(route_class=PageRoute)
Dispatcher = Annotated[View, Depends(page("incidents.dispatch"))]
ANSWERS: Final = {"yes": True, "no": False}

LABELS: Final[dict[str, tuple[str, str]]] = {
    "title": ("สายด่วนขอความช่วยเหลือ", "Help line"),
    "calls": ("สายเรียกเข้าล่าสุด", "Recent calls"),
    "no_calls": ("ยังไม่มีสายเรียกเข้า", "No calls yet"),
    "open": ("เปิด", "Open"),
    "caller": ("ผู้โทร", "Caller"),
    "unknown_caller": ("ไม่พบเบอร์นี้ในทะเบียน", "This number is not in the registry"),
    "flags": ("กลุ่มเปราะบาง", "Needs"),
    "address": ("ที่อยู่", "Address"),
    "phones": ("โทรศัพท์", "Phones"),
    "contacts": ("ผู้ติดต่อฉุกเฉิน", "Emergency contacts"),
    "language": ("การสื่อสาร", "Language and hearing"),
    "care_notes": ("บันทึกการดูแล", "Care notes"),
    "conditions": ("โรคประจำตัว", "Chronic conditions"),
    "audited": ("การเปิดดูข้อมูลนี้ถูกบันทึกไว้", "Opening this record is audited"),
    "create": ("บันทึกเหตุและสั่งการ", "Record and dispatch"),
    "person": ("ผู้ต้องการความช่วยเหลือ", "Person in need"),
    "nobody": ("— ไม่ระบุ —", "— not a registered person —"),
    "description": ("รายละเอียดเหตุ", "What happened"),
    "lat": ("ละติจูด", "Latitude"),
    "lon": ("ลองจิจูด", "Longitude"),
    "triage": ("คำถามคัดแยก", "Triage questions"),
    "yes": ("ใช่", "Yes"),
    "no": ("ไม่ใช่", "No"),
    "unasked": ("ไม่ทราบ", "Unknown"),
    "proposed": ("ระดับที่ระบบเสนอ", "Proposed level"),
    "chosen": ("ระดับที่เลือก", "Level chosen"),
    "linked": ("เหตุที่บันทึก", "Recorded incident"),
    "flag.elderly": ("ผู้สูงอายุ", "Elderly"),
    "flag.bed_bound": ("ติดเตียง", "Bed-bound"),
    "flag.disabled": ("ผู้พิการ", "Disabled"),
    "flag.oxygen_dependent": ("ใช้ออกซิเจน", "On oxygen"),
    "flag.dialysis": ("ฟอกไต", "Dialysis"),
    "flag.pregnant": ("ตั้งครรภ์", "Pregnant"),
    "flag.child": ("เด็ก", "Child"),
    "flag.lives_alone": ("อยู่ลำพัง", "Lives alone"),
}


def labels(view: View) -> dict[str, str]:
    """The hotline labels (and the incident labels) in the visitor's language."""
    index = 1 if view.lang == "en" else 0
    return incidents_pages.labels(view) | {k: pair[index] for k, pair in LABELS.items()}


def _questions(view: View) -> list[dict[str, str]]:
    return [{"key": q.key, "text": q.en if view.lang == "en" else q.th} for q in QUESTIONS]


@router.get("/hotline")
def hotline(view: Dispatcher) -> HTMLResponse:
    """The operator's screen: the calls list refreshes itself every two seconds."""
    context = {"calls": service.recent_calls(view.uow), "L": labels(view)}
    return view.render("hotline/index.html", context)


@router.get("/hotline/calls")
def calls(view: Dispatcher) -> HTMLResponse:
    """The recent calls (the fragment the screen polls)."""
    context = {"calls": service.recent_calls(view.uow), "L": labels(view)}
    return view.render("hotline/_calls.html", context)


@router.get("/hotline/calls/{call_pk}")
def popup(call_pk: int, view: Dispatcher) -> HTMLResponse:
    """Who is calling, and the form that records the incident (the read is audited)."""
    assert view.principal is not None
    call = service.get_call(view.uow, view.settings, view.principal, call_pk)
    context: dict[str, Any] = {
        "call": call,
        "questions": _questions(view),
        "levels": LEVELS,
        "proposed": "",
        "L": labels(view),
    }
    return view.render("hotline/_popup.html", context)


@router.post("/hotline/propose")
async def propose_level(view: Dispatcher) -> HTMLResponse:
    """The level the triage answers point to, as the level picker (the operator may change it)."""
    form = await view.request.form()
    proposed = propose(_answers(form))
    context = {"levels": LEVELS, "proposed": proposed, "L": labels(view)}
    return view.render("hotline/_level.html", context)


@router.post("/hotline/calls/{call_pk}/incident")
async def create_incident(call_pk: int, view: Dispatcher) -> HTMLResponse:
    """Record the call's incident (once per call, even when pressed twice) and dispatch it."""
    form = await view.request.form()
    data = _incident_in(
        {
            "client_key": f"hotline-call-{call_pk}",
            "source": "hotline",
            "person_id": form.get("person_id") or None,
            "lat": form.get("lat") or None,
            "lon": form.get("lon") or None,
            "caller_phone": form.get("caller_phone", ""),
            "description": form.get("description", ""),
            "triage_answers": _answers(form),
            "triage_level": _level(form.get("level")),
        }
    )
    report = service.Report(**data.model_dump(exclude={"hotline_call_id"}))
    incident, _created = service.report(view.uow, service.Policy.of(view.settings), report)
    service.link_incident(view.uow, call_pk, incident.id)
    context = incidents_pages.incident_context(view, incident.id) | {"L": labels(view)}
    return view.render("hotline/_incident.html", context)


@router.post("/hotline/incidents/{incident_id}/dispatch")
def redispatch(incident_id: int, view: Dispatcher) -> HTMLResponse:
    """Ask again: offer the incident to any free unit (a supervisor's step)."""
    service.redispatch(view.uow, service.Policy.of(view.settings), incident_id)
    context = incidents_pages.incident_context(view, incident_id)
    return view.render("incidents/_timeline.html", context)


def _answers(form: Any) -> dict[str, bool]:
    """Answered questions only ("unknown" answers are left out, so they decide nothing)."""
    out = {}
    for q in QUESTIONS:
        value = form.get(f"q_{q.key}")
        if value in ANSWERS:
            out[q.key] = ANSWERS[value]
    return out


def _level(value: Any) -> str | None:
    return value if value in LEVELS else None


def _incident_in(raw: dict[str, Any]) -> IncidentIn:
    """The form as the API's incident shape; its rules apply, and a bad field is a 422."""
    try:
        return IncidentIn.model_validate(raw)
    except ValidationError as exc:
        fields = [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()
        ]
        raise InvalidInput(
            "Some fields are not valid.", "ข้อมูลบางช่องไม่ถูกต้อง", errors=fields
        ) from exc
