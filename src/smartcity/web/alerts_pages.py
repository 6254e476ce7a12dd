"""Alert pages: the dashboard's live panel, the alerts list, one alert and people's actions.

The labels of the alert pages (panel, list, detail and rules editor) live here as (Thai,
English) pairs, so they stay together and consistent.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Final, get_args
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartcity.alerts import service as alerts
from smartcity.alerts.schemas import AlertOut, Severity
from smartcity.devices import service as devices
from smartcity.errors import Forbidden, InvalidInput, NotFound
from smartcity.geo import service as geo
from smartcity.http import Paging
from smartcity.kit.pagination import PageParams
from smartcity.web.errors import PageRoute
from smartcity.web.view import Pager, View, is_htmx, page, safe_next

router = APIRouter(route_class=PageRoute)
Reader = Annotated[View, Depends(page("alerts.read"))]
Manager = Annotated[View, Depends(page("alerts.manage"))]
Note = Annotated[str, Form(max_length=2000)]
SEVERITIES: Final[tuple[str, ...]] = ("critical", "warning", "info")  # most urgent first
STATUSES: Final = ("open", "raised", "acknowledged", "resolved")
PANEL_LIMIT: Final = 20
PANEL_ID: Final = "alerts-panel"
SEVERITY_COLOURS: Final = {"critical": "#b91c1c", "warning": "#b45309", "info": "#1d4ed8"}
assert set(SEVERITIES) == set(get_args(Severity))

LABELS: Final[dict[str, tuple[str, str]]] = {
    "alerts": ("การแจ้งเตือน", "Alerts"),
    "alert": ("การแจ้งเตือน", "Alert"),
    "panel": ("การแจ้งเตือนที่ยังไม่ปิด", "Open alerts"),
    "panel_none": ("ไม่มีการแจ้งเตือนที่ยังไม่ปิด", "No open alerts"),
    "panel_all": ("ดูการแจ้งเตือนทั้งหมด", "All alerts"),
    "zoom": ("ดูบนแผนที่", "Show on the map"),
    "severity": ("ความรุนแรง", "Severity"),
    "all_severities": ("ทุกระดับ", "All severities"),
    "status": ("สถานะ", "Status"),
    "all_statuses": ("ทุกสถานะ", "All statuses"),
    "zone": ("พื้นที่", "Zone"),
    "all_zones": ("ทุกพื้นที่", "All zones"),
    "since": ("ตั้งแต่วันที่", "Since"),
    "bad_date": ("รูปแบบวันที่ไม่ถูกต้อง", "The date is not valid"),
    "device": ("อุปกรณ์", "Device"),
    "rule": ("กฎ", "Rule"),
    "metric": ("ค่าที่วัด", "Metric"),
    "value": ("ค่า", "Value"),
    "raised_at": ("แจ้งเตือนเมื่อ", "Raised"),
    "note": ("บันทึก", "Note"),
    "note_optional": ("บันทึก (ไม่บังคับ)", "Note (optional)"),
    "note_required": ("โปรดระบุเหตุผลที่ปิดการแจ้งเตือน", "Say why you resolve this alert"),
    "acknowledge": ("รับทราบ", "Acknowledge"),
    "resolve": ("ปิดการแจ้งเตือน", "Resolve"),
    "lifecycle": ("ลำดับเหตุการณ์", "Lifecycle"),
    "step.raised": ("แจ้งเตือน", "Raised"),
    "step.acknowledged": ("รับทราบ", "Acknowledged"),
    "step.resolved": ("ปิด", "Resolved"),
    "by": ("โดย", "by"),
    "auto": ("ปิดอัตโนมัติเมื่อค่ากลับสู่ปกติ", "Resolved automatically when the value recovered"),
    "cleared_value": ("ค่าเมื่อปิด", "Value when cleared"),
    "system": ("ระบบ", "system"),
    "live": ("อัปเดตสด", "Live"),
    "rules": ("กฎการแจ้งเตือน", "Alert rules"),
    "severity.critical": ("วิกฤต", "Critical"),
    "severity.warning": ("เฝ้าระวัง", "Warning"),
    "severity.info": ("ข้อมูล", "Info"),
    "status.open": ("ยังไม่ปิด", "Open"),
    "status.raised": ("แจ้งเตือนใหม่", "Raised"),
    "status.acknowledged": ("รับทราบแล้ว", "Acknowledged"),
    "status.resolved": ("ปิดแล้ว", "Resolved"),
}


def labels(view: View) -> dict[str, str]:
    """The alert labels in the visitor's language."""
    index = 1 if view.lang == "en" else 0
    return {key: pair[index] for key, pair in LABELS.items()}


def parse_day(text: str) -> date | None:
    """A yyyy-mm-dd date from a date input; None when empty, InvalidInput when malformed."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput("The date is not valid.", "รูปแบบวันที่ไม่ถูกต้อง") from exc


def day_start(day: date, tz: str) -> datetime:
    """The instant a local calendar day begins (people pick days in Thai time, not UTC)."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz))


def _zone_names(view: View, zone_ids: set[int | None]) -> dict[int, Any]:
    """Zones by id for the few zones a page of alerts touches."""
    found: dict[int, Any] = {}
    for zone_id in zone_ids:
        if zone_id is not None:
            try:
                found[zone_id] = geo.get_zone(view.uow.session, zone_id)
            except NotFound:
                continue  # a zone removed since: the row shows no zone rather than failing
    return found


def zone_choices(view: View) -> list[Any]:
    """Community zones for the zone filter (a town has tens, not thousands)."""
    scope = view.principal.zone_scope("alerts.read") if view.principal else None
    rows, _total = geo.list_zones(
        view.uow.session, PageParams(1, 200), kind="community", zone_scope=scope
    )
    return rows


# --- the dashboard panel ---------------------------------------------------------------------


def panel_context(view: View) -> dict[str, Any]:
    """Open alerts, critical first then newest, with where their devices are (for zooming)."""
    assert view.principal is not None
    session, scope = view.uow.session, view.principal.zone_scope("alerts.read")
    rows: list[Any] = []
    for severity in SEVERITIES:
        if len(rows) < PANEL_LIMIT:
            found, _total = alerts.list_alerts(
                session,
                PageParams(1, PANEL_LIMIT - len(rows)),
                status="open",
                severity=severity,
                zone_scope=scope,
            )
            rows.extend(found)
    items = alerts.describe(session, rows)
    places = {i.device_id: devices.get_device(session, i.device_id) for i in items}
    return {
        "items": items,
        "places": places,
        "zones": _zone_names(view, {i.zone_id for i in items}),
        "summary": alerts.summary(session, scope),
        "colours": SEVERITY_COLOURS,
        "L": labels(view),
        "live": view.can("devices.read"),  # the live stream needs devices.read; else poll
    }


@router.get("/alerts/panel")
def alerts_panel(view: Reader) -> HTMLResponse:
    """The dashboard's open-alerts panel (htmx fragment, refreshed on live alert events)."""
    return view.render("alerts/_panel.html", panel_context(view))


# --- list and detail ---------------------------------------------------------------------------


@router.get("/alerts")
def alert_list(
    view: Reader,
    paging: Paging,
    status: Annotated[str, Query(pattern="^(open|raised|acknowledged|resolved)?$")] = "open",
    severity: Annotated[Severity | None, Query()] = None,
    zone_id: Annotated[int | None, Query(ge=1)] = None,
    since: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    """Alerts in the caller's zones, newest first, filtered by status, severity, zone, day."""
    assert view.principal is not None
    since_day = parse_day(since)
    rows, total = alerts.list_alerts(
        view.uow.session,
        paging,
        status=status,
        severity=severity or "",
        zone_id=zone_id,
        since=day_start(since_day, view.settings.timezone) if since_day else None,
        zone_scope=view.principal.zone_scope("alerts.read"),
    )
    items = alerts.describe(view.uow.session, rows)
    context = {
        "rows": items,
        "zones_by_id": _zone_names(view, {i.zone_id for i in items}),
        "status": status,
        "severity": severity or "",
        "zone_id": zone_id,
        "since": since_day.isoformat() if since_day else "",
        "statuses": STATUSES,
        "severities": SEVERITIES,
        "zones": zone_choices(view),
        "colours": SEVERITY_COLOURS,
        "pager": Pager.of(paging, total),
        "L": labels(view),
    }
    return view.render_list("alerts/list.html", "alerts/_list.html", context)


def _visible_alert(view: View, alert_id: int) -> AlertOut:
    """The alert if the caller's zones include it; otherwise it looks absent."""
    assert view.principal is not None
    alert = alerts.get_alert(view.uow.session, alert_id)
    if not view.principal.can("alerts.read", alert.zone_id):
        raise NotFound(f"Alert {alert_id} does not exist.", f"ไม่พบการแจ้งเตือนหมายเลข {alert_id}")
    return alerts.describe(view.uow.session, [alert])[0]


def detail_context(view: View, alert_id: int, error: str = "") -> dict[str, Any]:
    """What the alert page needs: the alert, its device, zone and rule, and labels."""
    item = _visible_alert(view, alert_id)
    session = view.uow.session
    return {
        "a": item,
        "device": devices.get_device(session, item.device_id),
        "zone": _zone_names(view, {item.zone_id}).get(item.zone_id or 0),
        "rule": alerts.get_rule(session, item.rule_id),
        "colours": SEVERITY_COLOURS,
        "error": error,
        "L": labels(view),
    }


@router.get("/alerts/{alert_id}")
def alert_detail(alert_id: int, view: Reader) -> HTMLResponse:
    """One alert with its lifecycle: raised, acknowledged, resolved (who, when, notes)."""
    return view.render("alerts/detail.html", detail_context(view, alert_id))


def _may_manage(view: View, alert_id: int) -> None:
    """Managers act only on alerts in the zones they manage."""
    assert view.principal is not None
    item = _visible_alert(view, alert_id)
    if not view.principal.can("alerts.manage", item.zone_id):
        raise Forbidden("This alert is outside the zones you manage.", "การแจ้งเตือนนี้อยู่นอกพื้นที่ที่คุณดูแล")


def _after_action(view: View, alert_id: int, next_url: str) -> Response:
    """The refreshed panel for the dashboard's htmx call; otherwise back where the form was."""
    if is_htmx(view.request) and view.request.headers.get("hx-target") == PANEL_ID:
        return view.render("alerts/_panel.html", panel_context(view))
    return RedirectResponse(safe_next(next_url, f"/alerts/{alert_id}"), status_code=303)


@router.post("/alerts/{alert_id}/acknowledge")
def alert_acknowledge(
    alert_id: int, view: Manager, note: Note = "", next: Annotated[str, Form()] = ""
) -> Response:
    """Acknowledge a raised alert with an optional note."""
    _may_manage(view, alert_id)
    alerts.acknowledge(view.uow, alert_id, note.strip())
    return _after_action(view, alert_id, next)


@router.post("/alerts/{alert_id}/resolve")
def alert_resolve(
    alert_id: int, view: Manager, note: Note = "", next: Annotated[str, Form()] = ""
) -> Response:
    """Resolve an open alert by hand; a note saying why is required."""
    _may_manage(view, alert_id)
    if not note.strip():
        context = detail_context(view, alert_id, error=labels(view)["note_required"])
        return view.render("alerts/detail.html", context, status_code=422)
    alerts.resolve(view.uow, alert_id, note.strip())
    return _after_action(view, alert_id, next)
