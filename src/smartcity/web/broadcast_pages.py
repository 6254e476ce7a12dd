"""Broadcast console: announcements, compose (recording or Thai text), approve, send, schedule.

The labels of the broadcast pages live here as (Thai, English) pairs, as on the alert pages.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from smartcity.broadcast import delivery, scheduling, service
from smartcity.broadcast.delivery_policy import DeliverySettings, get_delivery_settings
from smartcity.broadcast.policy import BroadcastSettings, get_broadcast_settings
from smartcity.broadcast.schemas import AnnouncementMeta, ScheduleIn, TtsAnnouncementIn
from smartcity.errors import DomainError, InvalidInput
from smartcity.geo import service as geo
from smartcity.http import Paging
from smartcity.integrations import audio
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams
from smartcity.web.errors import PageRoute
from smartcity.web.view import Pager, View, page

router = APIRouter(route_class=PageRoute)
Reader = Annotated[View, Depends(page("broadcast.read"))]
Sender = Annotated[View, Depends(page("broadcast.send"))]
Policy = Annotated[BroadcastSettings, Depends(get_broadcast_settings)]
SendPolicy = Annotated[DeliverySettings, Depends(get_delivery_settings)]
ZoneIds = Annotated[list[int], Form()]
CATEGORIES: Final = ("news", "health", "emergency", "event", "other")
STATUSES: Final = ("draft", "approved", "scheduled", "sent", "cancelled")

LABELS: Final[dict[str, tuple[str, str]]] = {
    "broadcast": ("เสียงตามสาย", "Broadcast"),
    "announcements": ("ประกาศ", "Announcements"),
    "compose": ("สร้างประกาศ", "New announcement"),
    "search": ("ค้นหาชื่อเรื่องหรือข้อความ", "Search title or text"),
    "title": ("ชื่อเรื่อง", "Title"),
    "category": ("หมวด", "Category"),
    "all_categories": ("ทุกหมวด", "All categories"),
    "status": ("สถานะ", "Status"),
    "all_statuses": ("ทุกสถานะ", "All statuses"),
    "priority": ("ความสำคัญ", "Priority"),
    "listen": ("ฟัง", "Listen"),
    "no_audio": ("ยังไม่มีเสียง", "No audio yet"),
    "none": ("ยังไม่มีประกาศ", "No announcements"),
    "source": ("ที่มาของเสียง", "Audio from"),
    "mode.tts": ("ข้อความภาษาไทย (สังเคราะห์เสียง)", "Thai text (speech synthesis)"),
    "mode.upload": ("อัปโหลดไฟล์เสียง", "Upload a recording"),
    "text": ("ข้อความที่จะอ่าน", "Text to speak"),
    "engine": ("เครื่องสังเคราะห์เสียง", "Speech engine"),
    "low_quality": ("คุณภาพต่ำสำหรับภาษาไทย", "low quality for Thai"),
    "file": ("ไฟล์เสียง (wav, mp3, ogg, m4a)", "Recording (wav, mp3, ogg, m4a)"),
    "chime": ("เสียงสัญญาณก่อนและหลัง", "Chime before and after"),
    "zones": ("เขตเสียงตามสาย", "PA zones"),
    "zones_hint": ("คลิกเขตบนแผนที่เพื่อเลือกหรือยกเลิก", "Click zones on the map to choose them"),
    "create": ("บันทึกฉบับร่าง", "Save draft"),
    "approve": ("อนุมัติ", "Approve"),
    "waiting": (
        "รอการอนุมัติจากบุคคลที่สอง (ประกาศฉุกเฉิน)",
        "Waiting for approval by a second person (emergency)",
    ),
    "approved_by": ("อนุมัติโดย", "Approved by"),
    "created_by": ("สร้างโดย", "Created by"),
    "send_now": ("ส่งทันที", "Send now"),
    "schedule": ("ตั้งเวลา", "Schedule"),
    "kind": ("รูปแบบ", "Repeat"),
    "kind.once": ("ครั้งเดียว", "Once"),
    "kind.daily": ("ทุกวัน", "Daily"),
    "kind.weekly": ("ทุกสัปดาห์", "Weekly"),
    "start_date": ("วันเริ่ม", "From"),
    "end_date": ("วันสิ้นสุด (ไม่บังคับ)", "Until (optional)"),
    "time_of_day": ("เวลา (เวลาประเทศไทย)", "Time (Bangkok)"),
    "weekdays": ("วันในสัปดาห์", "Weekdays"),
    "check": ("ตรวจสอบเวลาชนกัน", "Check for conflicts"),
    "save_schedule": ("บันทึกกำหนดการ", "Save schedule"),
    "no_conflicts": ("ไม่มีเวลาชนกัน", "No conflicts"),
    "conflicts": ("เวลาชนกับประกาศอื่น", "Conflicts with other announcements"),
    "save_anyway": ("บันทึกแม้เวลาชนกัน", "Save anyway"),
    "scheduled": ("บันทึกกำหนดการแล้ว", "Schedule saved"),
    "calendar": ("ปฏิทิน", "Calendar"),
    "deliveries": ("ประวัติการส่ง", "Deliveries"),
    "duration": ("ความยาว (วินาที)", "Length (s)"),
    "created_at": ("สร้างเมื่อ", "Created"),
    "cat.news": ("ข่าว", "News"),
    "cat.health": ("สุขภาพ", "Health"),
    "cat.emergency": ("ฉุกเฉิน", "Emergency"),
    "cat.event": ("กิจกรรม", "Event"),
    "cat.other": ("อื่น ๆ", "Other"),
    "st.draft": ("ฉบับร่าง", "Draft"),
    "st.approved": ("อนุมัติแล้ว", "Approved"),
    "st.scheduled": ("ตั้งเวลาแล้ว", "Scheduled"),
    "st.sent": ("ส่งแล้ว", "Sent"),
    "st.cancelled": ("ยกเลิก", "Cancelled"),
    "pr.routine": ("ปกติ", "Routine"),
    "pr.emergency": ("ฉุกเฉิน", "Emergency"),
    "day.1": ("จ.", "Mon"),
    "day.2": ("อ.", "Tue"),
    "day.3": ("พ.", "Wed"),
    "day.4": ("พฤ.", "Thu"),
    "day.5": ("ศ.", "Fri"),
    "day.6": ("ส.", "Sat"),
    "day.7": ("อา.", "Sun"),
    "error": ("ข้อมูลไม่ถูกต้อง", "Please correct the form"),
    "week_prev": ("สัปดาห์ก่อน", "Previous week"),
    "week_next": ("สัปดาห์ถัดไป", "Next week"),
    "no_slots": ("ไม่มีรายการ", "Nothing scheduled"),
    "delivery": ("การส่ง", "Delivery"),
    "started": ("เริ่มเล่น", "Start"),
    "outcome": ("ผล", "Outcome"),
    "attempts": ("จำนวนครั้งที่ส่ง", "Attempts"),
    "speakers": ("ลำโพง", "Speakers"),
    "speaker": ("ลำโพง", "Speaker"),
    "health": ("สถานะลำโพง", "Speaker health"),
    "last_seen": ("ติดต่อล่าสุด", "Last seen"),
    "reason": ("เหตุผล", "Reason"),
    "zone": ("เขต", "Zone"),
    "played_of": ("เล่นแล้ว / ทั้งหมด", "Played / targeted"),
    "flagged": ("เขตที่เล่นไม่ครบ", "Zones that did not fully play"),
    "res.played": ("เล่นแล้ว", "Played"),
    "res.failed": ("ล้มเหลว", "Failed"),
    "res.no_answer": ("ไม่ตอบกลับ", "Never answered"),
    "res.pending": ("รอผล", "Pending"),
    "res.partial": ("เล่นบางส่วน", "Partly played"),
    "res.playing": ("กำลังเล่น", "Playing"),
    "res.stopped": ("หยุดแล้ว", "Stopped"),
    "res.missed": ("พลาดเวลา", "Missed"),
    "res.cancelled": ("ยกเลิก", "Cancelled"),
    "res.": ("–", "–"),
    "dst.sending": ("กำลังส่ง", "Sending"),
    "dst.done": ("เสร็จสิ้น", "Finished"),
    "stop": ("หยุดการกระจายเสียง", "Stop broadcast"),
    "stop_confirm": (
        "หยุดการกระจายเสียงนี้ที่ลำโพงทุกตัวทันทีหรือไม่",
        "Stop this broadcast on every speaker now?",
    ),
    "stopped_by": ("หยุดโดย", "Stopped by"),
    "stopping": ("กำลังรอลำโพงตอบรับคำสั่งหยุด", "Waiting for the speakers to confirm the stop"),
    "live": ("ผลอัปเดตเองทุก 2 วินาทีจนกว่าการส่งจะเสร็จสิ้น", "Updates by itself every 2 s until finished"),
    "slots_not_played": (
        "ช่วงเวลาตามกำหนดการที่ไม่ได้เล่นครบ",
        "Scheduled slots that did not fully play",
    ),
    "slot": ("ช่วงเวลา", "Slot"),
}


def labels(view: View) -> dict[str, str]:
    """The broadcast labels in the visitor's language."""
    index = 1 if view.lang == "en" else 0
    return {key: pair[index] for key, pair in LABELS.items()}


def message(view: View, exc: DomainError) -> str:
    """A domain error's text in the visitor's language."""
    return exc.detail if view.lang == "en" else exc.detail_th


def registry(view: View) -> audio.SpeechRegistry:
    """The speech engines of this installation (the app may hold its own registry)."""
    found = getattr(view.request.app.state, "speech_registry", None)
    return found if isinstance(found, audio.SpeechRegistry) else audio.default_registry()


def pa_zones(view: View, action: str) -> tuple[list[Any], dict[str, Any]]:
    """The caller's PA zones as rows (for the list) and GeoJSON (for the map)."""
    assert view.principal is not None
    scope = view.principal.zone_scope(action)
    session = view.uow.session
    rows, _total = geo.list_zones(session, PageParams(1, 200), kind="pa_zone", zone_scope=scope)
    return rows, geo.zones_geojson(session, kind="pa_zone", zone_scope=scope)


def speaker_counts(view: View, zones: list[Any]) -> dict[int, int]:
    """How many enabled speakers stand in each PA zone: what a send there would reach."""
    ids = [z.id for z in zones]
    _targets, zones_of = delivery.speakers_in(view.uow.session, ids)
    counts = dict.fromkeys(ids, 0)
    for inside in zones_of.values():
        for zone_id in inside:
            counts[zone_id] += 1
    return counts


def _base(view: View) -> dict[str, Any]:
    zones, geojson = pa_zones(view, "broadcast.read")
    return {
        "L": labels(view),
        "zones": zones,
        "zones_geojson": geojson,
        "speaker_counts": speaker_counts(view, zones),
    }


# --- list and compose --------------------------------------------------------------------------


def compose_context(view: View, form: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the compose form needs: engines with their quality, zones, categories."""
    engines = registry(view).installed()
    return {
        **_base(view),
        "engines": engines,
        "categories": CATEGORIES,
        "form": form or {"mode": "tts", "category": "news", "priority": "routine", "zone_ids": []},
        "errors": [],
        "error": "",
    }


@router.get("/broadcast")
def console(
    view: Reader,
    paging: Paging,
    q: Annotated[str, Query(max_length=200)] = "",
    category: Annotated[str, Query(pattern="^(news|health|emergency|event|other)?$")] = "",
    status: Annotated[str, Query(pattern="^(draft|approved|scheduled|sent|cancelled)?$")] = "",
) -> HTMLResponse:
    """The console: announcements (search, category, status, pages) and the compose form."""
    rows, total = service.list_announcements(
        view.uow.session, paging, q=q, category=category, status=status
    )
    context = {
        **compose_context(view),
        "rows": rows,
        "q": q,
        "category": category,
        "status": status,
        "statuses": STATUSES,
        "pager": Pager.of(paging, total),
    }
    return view.render_list("broadcast/console.html", "broadcast/_list.html", context)


@router.post("/broadcast/compose")
def compose(
    view: Sender,
    policy: Policy,
    title: Annotated[str, Form(max_length=200)] = "",
    mode: Annotated[str, Form(pattern="^(tts|upload)$")] = "tts",
    category: Annotated[str, Form(pattern="^(news|health|emergency|event|other)$")] = "other",
    priority: Annotated[str, Form(pattern="^(routine|emergency)$")] = "routine",
    text: Annotated[str, Form(max_length=5000)] = "",
    engine: Annotated[str, Form(max_length=100)] = "",
    chime: Annotated[bool, Form()] = False,
    zone_ids: ZoneIds = [],  # noqa: B006 - FastAPI copies defaults
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Make a draft from Thai text or a recording; errors come back on the form (th/en)."""
    form = {
        "title": title,
        "mode": mode,
        "category": category,
        "priority": priority,
        "text": text,
        "engine": engine,
        "chime": chime,
        "zone_ids": zone_ids,
    }
    try:
        row = _create(view, policy, form, file)
    except (DomainError, ValidationError) as exc:
        return _form_error(view, form, exc)
    return RedirectResponse(f"/broadcast/announcements/{row.id}", status_code=303)


def _create(
    view: View, policy: BroadcastSettings, form: dict[str, Any], file: UploadFile | None
) -> Any:
    """Call the service for the chosen source of audio."""
    meta = {k: form[k] for k in ("title", "category", "priority", "chime", "zone_ids")}
    data_dir = view.settings.data_dir
    if form["mode"] == "tts":
        body = TtsAnnouncementIn(**meta, text=form["text"], engine=form["engine"])
        return service.create_from_text(view.uow, data_dir, policy, registry(view), body)
    if file is None or not file.filename:
        raise InvalidInput(
            "Choose a recording to upload.",
            "โปรดเลือกไฟล์เสียงที่จะอัปโหลด",
            errors=[{"field": "file", "message": "missing"}],
        )
    return service.create_from_upload(
        view.uow, data_dir, policy, AnnouncementMeta(**meta), file.file
    )


def _form_error(view: View, form: dict[str, Any], exc: Exception) -> HTMLResponse:
    """The console again with the form as sent and the error on it (422)."""
    context = compose_context(view, form)
    if isinstance(exc, DomainError):
        context["error"] = message(view, exc)
        context["errors"] = [str(e.get("field", "")) for e in exc.errors]
    else:
        assert isinstance(exc, ValidationError)
        fields = [str(e["loc"][0]) for e in exc.errors() if e["loc"]]
        context["error"] = labels(view)["error"] + ": " + ", ".join(fields)
        context["errors"] = fields
    view.uow.session.rollback()  # a half-made draft must not stay in this request's transaction
    rows, total = service.list_announcements(view.uow.session, PageParams(1, 25))
    context |= {"rows": rows, "q": "", "category": "", "status": "", "statuses": STATUSES}
    context["pager"] = Pager(1, 25, total)
    return view.render("broadcast/console.html", context, status_code=422)


# --- one announcement: approve, send, schedule -------------------------------------------------


def detail_context(view: View, policy: BroadcastSettings, announcement_id: int) -> dict[str, Any]:
    """An announcement with what the caller may do next."""
    assert view.principal is not None
    row = service.get_announcement(view.uow.session, announcement_id)
    second = row.priority == "emergency" and policy.emergency_second_approver
    own = row.created_by == view.principal.user_id
    zones, geojson = pa_zones(view, "broadcast.send")
    return {
        "L": labels(view),
        "a": row,
        "zones": zones,
        "zones_geojson": geojson,
        "speaker_counts": speaker_counts(view, zones),
        "waiting": row.status == "draft" and second,
        "may_approve": row.status == "draft"
        and view.can("broadcast.send")
        and not (second and own),
        "may_send": row.status in ("approved", "scheduled", "sent") and view.can("broadcast.send"),
        "quality_low": row.tts_engine == "espeak-ng",
        "sched": {"kind": "once", "start_date": "", "time_of_day": "", "weekdays": []},
        "report": None,
        "error": "",
        "notice": "",
    }


@router.get("/broadcast/announcements/{announcement_id}")
def announcement_page(announcement_id: int, view: Reader, policy: Policy) -> HTMLResponse:
    """One announcement: listen, approve, send now or schedule."""
    context = detail_context(view, policy, announcement_id)
    if view.request.query_params.get("scheduled"):
        context["notice"] = labels(view)["scheduled"]
    return view.render("broadcast/announcement.html", context)


@router.post("/broadcast/announcements/{announcement_id}/approve")
def approve(announcement_id: int, view: Sender, policy: Policy) -> Response:
    """Approve a draft (emergencies by a second person)."""
    service.approve(view.uow, policy, announcement_id)
    return RedirectResponse(f"/broadcast/announcements/{announcement_id}", status_code=303)


@router.post("/broadcast/announcements/{announcement_id}/send")
def send(
    announcement_id: int,
    view: Sender,
    policy: Policy,
    send_policy: SendPolicy,
    zone_ids: ZoneIds = [],  # noqa: B006 - FastAPI copies defaults
) -> Response:
    """Send to the speakers of the chosen zones now; then show the delivery's report."""
    try:
        row = delivery.send(view.uow, view.settings, send_policy, announcement_id, zone_ids)
    except DomainError as exc:
        view.uow.session.rollback()
        context = detail_context(view, policy, announcement_id) | {"error": message(view, exc)}
        return view.render("broadcast/announcement.html", context, status_code=exc.status)
    return RedirectResponse(f"/broadcast/deliveries/{row.id}", status_code=303)


@router.post("/broadcast/announcements/{announcement_id}/schedule")
def schedule(
    announcement_id: int,
    view: Sender,
    policy: Policy,
    kind: Annotated[str, Form(pattern="^(once|daily|weekly)$")],
    start_date: Annotated[str, Form(max_length=10)] = "",
    time_of_day: Annotated[str, Form(max_length=8)] = "",
    end_date: Annotated[str, Form(max_length=10)] = "",
    weekdays: Annotated[list[int], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    zone_ids: ZoneIds = [],  # noqa: B006 - FastAPI copies defaults
    step: Annotated[str, Form(pattern="^(check|save|force)$")] = "check",
) -> Response:
    """Dry-run the conflicts first; save only after they were shown (or there are none)."""
    sched = {
        "kind": kind,
        "start_date": start_date,
        "end_date": end_date,
        "time_of_day": time_of_day,
        "weekdays": weekdays,
        "zone_ids": zone_ids,
    }
    context = detail_context(view, policy, announcement_id) | {"sched": sched}
    try:
        body = _schedule_in(announcement_id, sched)
        if step == "check":
            context["report"] = scheduling.check_conflicts(view.uow.session, policy, body, utcnow())
            return view.render("broadcast/announcement.html", context)
        scheduling.save_schedule(view.uow, policy, body, force=step == "force")
    except (DomainError, ValidationError) as exc:
        view.uow.session.rollback()
        context["error"] = (
            message(view, exc) if isinstance(exc, DomainError) else _validation_text(view, exc)
        )
        return view.render("broadcast/announcement.html", context, status_code=422)
    return RedirectResponse(
        f"/broadcast/announcements/{announcement_id}?scheduled=1", status_code=303
    )


def _schedule_in(announcement_id: int, sched: dict[str, Any]) -> ScheduleIn:
    """The schedule body from form text; malformed dates and times are a 422."""
    try:
        start = date.fromisoformat(sched["start_date"])
        end = date.fromisoformat(sched["end_date"]) if sched["end_date"] else None
        at = time.fromisoformat(sched["time_of_day"])
    except ValueError as exc:
        raise InvalidInput(
            "Give a start date and a time (HH:MM).", "โปรดระบุวันเริ่มและเวลา (ชช:นน)"
        ) from exc
    return ScheduleIn(
        announcement_id=announcement_id,
        kind=sched["kind"],
        start_date=start,
        end_date=end,
        time_of_day=at,
        weekdays=sched["weekdays"],
        zone_ids=sched["zone_ids"],
    )


def _validation_text(view: View, exc: ValidationError) -> str:
    """Pydantic's messages (English only; they name the field) after a bilingual lead."""
    details = "; ".join(str(e["msg"]) for e in exc.errors())
    return f"{labels(view)['error']}: {details}"
