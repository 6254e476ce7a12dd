"""The responder's phone page (/responder): my unit, duty, the waiting offer, the current job.

The board refreshes itself (htmx polling) so a new offer shows without a reload; the buttons
post to the page routes below, which call the incidents service and answer with the board. A
refused step (an expired offer, a wrong status) is shown on the board, not as an error page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartcity.errors import DomainError, InvalidInput
from smartcity.incidents import service
from smartcity.incidents.schemas import DutyIn, ProgressIn
from smartcity.web import incidents_pages
from smartcity.web.errors import PageRoute
from smartcity.web.view import View, is_htmx, page

router = APIRouter(route_class=PageRoute)
Responder = Annotated[View, Depends(page("incidents.respond"))]
NEXT_STEPS: Final = {
    "dispatched": ("on_scene",),
    "on_scene": ("transported", "closed"),
    "transported": ("closed",),
}
LOCATION_SECONDS: Final = 30

LABELS: Final[dict[str, tuple[str, str]]] = {
    "title": ("หน่วยปฏิบัติการ", "Responder"),
    "my_unit": ("หน่วยของฉัน", "My unit"),
    "no_unit": (
        "บัญชีนี้ยังไม่ได้ผูกกับหน่วยใด โปรดติดต่อศูนย์สั่งการ",
        "This account answers for no unit yet; ask the dispatch centre.",
    ),
    "on_duty": ("เข้าเวร", "Go on duty"),
    "off_duty": ("ออกเวร", "Go off duty"),
    "unit.available": ("พร้อมรับงาน", "Available"),
    "unit.offered": ("มีงานเสนอ", "Offer waiting"),
    "unit.busy": ("กำลังปฏิบัติงาน", "On a job"),
    "unit.off_duty": ("นอกเวร", "Off duty"),
    "offer": ("งานใหม่", "New job"),
    "no_offer": ("ไม่มีงานรอรับ", "No job waiting"),
    "accept": ("รับงาน", "Accept"),
    "decline": ("ปฏิเสธ", "Decline"),
    "job": ("งานปัจจุบัน", "Current job"),
    "to.on_scene": ("ถึงที่เกิดเหตุ", "On scene"),
    "to.transported": ("นำส่งแล้ว", "Transported"),
    "to.closed": ("ปิดงาน", "Close"),
    "map": ("นำทาง", "Navigate"),
    "position": ("ส่งตำแหน่งล่าสุด", "Last position sent"),
    "never": ("ยังไม่ส่ง", "not yet"),
}


def labels(view: View) -> dict[str, str]:
    """The responder labels (and the incident labels) in the visitor's language."""
    index = 1 if view.lang == "en" else 0
    return incidents_pages.labels(view) | {k: pair[index] for k, pair in LABELS.items()}


def board_context(view: View, error: str = "") -> dict[str, Any]:
    """My units, the offers waiting for them with their incidents, and my current jobs."""
    assert view.principal is not None  # page() guarantees a caller
    session = view.uow.session
    offers = [
        (offer, service.incident_out(session, service.get_incident(session, offer.incident_id)))
        for offer in service.my_offers(session, view.principal)
    ]
    jobs = [service.incident_out(session, j) for j in service.current_jobs(session, view.principal)]
    return {
        "units": service.my_units(session, view.principal),
        "offers": offers,
        "jobs": jobs,
        "next_steps": NEXT_STEPS,
        "error": error,
        "L": labels(view),
    }


@router.get("/responder")
def responder(view: Responder) -> HTMLResponse:
    """The responder's page (it refreshes its board and sends the unit's position)."""
    context = board_context(view) | {"location_seconds": LOCATION_SECONDS}
    return view.render("responder/index.html", context)


@router.get("/responder/board")
def board(view: Responder) -> HTMLResponse:
    """The board fragment the page polls."""
    return view.render("responder/_board.html", board_context(view))


@router.post("/responder/offers/{offer_id}/accept")
def accept(offer_id: int, view: Responder) -> Response:
    """Take the offered incident."""
    return _act(view, lambda p: service.accept(view.uow, p, offer_id))


@router.post("/responder/offers/{offer_id}/decline")
def decline(offer_id: int, view: Responder) -> Response:
    """Turn the offer down; the next nearest unit gets it."""
    policy = service.Policy.of(view.settings)
    return _act(view, lambda p: service.decline(view.uow, policy, p, offer_id))


@router.post("/responder/units/{unit_id}/duty/{status}")
def duty(unit_id: int, status: str, view: Responder) -> Response:
    """Go on duty (available) or off duty."""
    data = DutyIn.model_validate({"status": "available" if status == "on" else "off_duty"})
    return _act(view, lambda p: service.set_duty(view.uow, p, unit_id, data))


@router.post("/responder/incidents/{incident_id}/{step}")
def progress(incident_id: int, step: str, view: Responder) -> Response:
    """A status step of the current job: on scene, transported, closed."""
    allowed = {s for steps in NEXT_STEPS.values() for s in steps}
    if step not in allowed:
        raise InvalidInput(f"Unknown step {step!r}.", f"ไม่มีขั้นตอน {step}")
    data = ProgressIn.model_validate({"status": step})
    return _act(view, lambda p: service.progress(view.uow, p, incident_id, data))


def _act(view: View, action: Callable[[Any], object]) -> Response:
    """Run one step; a refusal rolls it back and is shown on the board."""
    try:
        action(view.principal)
    except DomainError as exc:
        view.uow.rollback()
        return _board_or_back(view, exc.detail if view.lang == "en" else exc.detail_th)
    return _board_or_back(view)


def _board_or_back(view: View, error: str = "") -> Response:
    """The board for htmx; a plain form post goes back to the page."""
    if is_htmx(view.request):
        return view.render("responder/_board.html", board_context(view, error))
    return RedirectResponse("/responder", status_code=303)
