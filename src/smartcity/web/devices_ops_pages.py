"""Device operations pages: refused messages (dead letters), sending commands, batch reports."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartcity.devices import commands
from smartcity.devices import service as devices
from smartcity.devices.reasons import REASONS
from smartcity.errors import NotFound
from smartcity.http import Paging
from smartcity.kit.pagination import PageParams
from smartcity.web.alerts_pages import day_start, parse_day
from smartcity.web.errors import PageRoute
from smartcity.web.view import Pager, View, is_htmx, page

router = APIRouter(route_class=PageRoute)
Reader = Annotated[View, Depends(page("devices.read"))]
Writer = Annotated[View, Depends(page("devices.write"))]
BatchId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
SOURCES: Final = ("http", "mqtt")
RAW_PREVIEW: Final = 160
RAW_MAX: Final = 4000
REPORT_ROWS: Final = 500
COMMAND_PATTERN: Final = r"^[a-z][a-z0-9_]{1,39}$"
TTL_DEFAULT: Final = 300
# The command statuses of devices.models, repeated here so pages never import tables (a test
# checks that the two agree).
COMMAND_STATUSES: Final = (
    "queued",
    "sent",
    "received",
    "started",
    "succeeded",
    "failed",
    "expired",
)
FINAL_COMMAND_STATUSES: Final = frozenset({"succeeded", "failed", "expired"})
STATUS_COLOURS: Final = {
    "queued": "#64748b",
    "sent": "#1d4ed8",
    "received": "#0e7490",
    "started": "#7c3aed",
    "succeeded": "#15803d",
    "failed": "#b91c1c",
    "expired": "#b45309",
}

LABELS: Final[dict[str, tuple[str, str]]] = {
    "dead_letters": ("ข้อมูลที่ถูกปฏิเสธ", "Refused messages"),
    "dead_intro": (
        "ข้อความจากอุปกรณ์ที่ระบบไม่รับ พร้อมเหตุผล ใช้ตรวจหาอุปกรณ์ที่ตั้งค่าผิดหรือข้อมูลรับรองหมดอายุ",
        "Messages the platform refused, with the reason: look here for misconfigured devices "
        "or expired credentials.",
    ),
    "received": ("รับเมื่อ", "Received"),
    "source": ("ช่องทาง", "Source"),
    "all_sources": ("ทุกช่องทาง", "All sources"),
    "device": ("อุปกรณ์", "Device"),
    "device_code": ("รหัสอุปกรณ์", "Device code"),
    "reason": ("เหตุผล", "Reason"),
    "all_reasons": ("ทุกเหตุผล", "All reasons"),
    "since": ("ตั้งแต่วันที่", "Since"),
    "until": ("ถึงวันที่", "Until"),
    "raw": ("ข้อมูลที่ส่งมา", "Payload"),
    "raw_more": ("แสดงทั้งหมด", "Show all"),
    "truncated": ("(ตัดเหลือ {n} ตัวอักษร)", "(cut to {n} characters)"),
    "commands": ("คำสั่งถึงอุปกรณ์", "Device commands"),
    "send_command": ("ส่งคำสั่ง", "Send a command"),
    "command": ("คำสั่ง", "Command"),
    "reboot": ("รีบูต (reboot)", "Reboot"),
    "custom": ("คำสั่งอื่น", "Other command"),
    "custom_name": ("ชื่อคำสั่ง", "Command name"),
    "params": ("พารามิเตอร์ (JSON)", "Parameters (JSON)"),
    "ttl": ("รอคำตอบไม่เกิน (วินาที)", "Wait for an answer (seconds)"),
    "send": ("ส่งคำสั่ง", "Send"),
    "recent": ("คำสั่งล่าสุด", "Recent commands"),
    "batch": ("รายงานการส่งคำสั่ง", "Command delivery report"),
    "batch_open": (
        "กำลังรอคำตอบจากอุปกรณ์ หน้านี้จะอัปเดตเอง",
        "Waiting for devices to answer; this page updates by itself",
    ),
    "batch_done": ("ทุกคำสั่งได้รับคำตอบสุดท้ายแล้ว", "Every command has its final answer"),
    "created_by": ("ส่งโดย", "Sent by"),
    "created_at": ("ส่งเมื่อ", "Sent at"),
    "finished_at": ("เสร็จเมื่อ", "Finished"),
    "status": ("สถานะ", "Status"),
    "total": ("ทั้งหมด", "Total"),
    "err.command": (
        "ชื่อคำสั่งใช้อักษรภาษาอังกฤษตัวเล็ก ตัวเลข และ _ (2–40 ตัว)",
        "A command name is 2–40 lower-case letters, digits or _",
    ),
    "err.params": ("พารามิเตอร์ต้องเป็นออบเจ็กต์ JSON", "Parameters must be a JSON object"),
    "err.params_size": ("พารามิเตอร์ยาวเกิน 4000 ตัวอักษร", "Parameters are over 4000 characters"),
    "err.ttl": ("ระบุ 5 ถึง 86400 วินาที", "Give 5 to 86400 seconds"),
    "err.disabled": ("อุปกรณ์ที่ปิดใช้งานรับคำสั่งไม่ได้", "A disabled device cannot take commands"),
    "cmd.queued": ("รอส่ง", "Queued"),
    "cmd.sent": ("ส่งแล้ว", "Sent"),
    "cmd.received": ("อุปกรณ์ได้รับแล้ว", "Received"),
    "cmd.started": ("กำลังทำงาน", "Started"),
    "cmd.succeeded": ("สำเร็จ", "Succeeded"),
    "cmd.failed": ("ล้มเหลว", "Failed"),
    "cmd.expired": ("ไม่ตอบภายในเวลา", "Expired"),
}
assert all(f"cmd.{s}" in LABELS for s in COMMAND_STATUSES)


def labels(view: View) -> dict[str, str]:
    """The device-operations labels in the visitor's language."""
    index = 1 if view.lang == "en" else 0
    return {key: pair[index] for key, pair in LABELS.items()}


def reason_text(view: View, code: str) -> str:
    """A refusal reason code in the visitor's language."""
    pair = REASONS.get(code)
    return code if pair is None else pair[0 if view.lang == "en" else 1]


# --- dead letters ------------------------------------------------------------------------------


@router.get("/devices/dead-letters")
def dead_letters(
    view: Reader,
    paging: Paging,
    source: Annotated[str, Query(pattern="^(http|mqtt)?$")] = "",
    device: Annotated[str, Query(max_length=80)] = "",
    reason: Annotated[str, Query(max_length=40)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    """Refused messages newest first, filtered by source, device, reason and local days."""
    tz = view.settings.timezone
    since_day, until_day = parse_day(since), parse_day(until)
    rows, total = devices.list_dead_letters(
        view.uow.session,
        paging,
        source=source,
        device_code=device,
        reason_code=reason if reason in REASONS else "",
        since=day_start(since_day, tz) if since_day else None,
        until=day_start(until_day + timedelta(days=1), tz) if until_day else None,
    )
    context = {
        "rows": rows,
        "source": source,
        "device": device,
        "reason": reason,
        "since": since_day.isoformat() if since_day else "",
        "until": until_day.isoformat() if until_day else "",
        "sources": SOURCES,
        "reasons": {code: reason_text(view, code) for code in REASONS},
        "preview": RAW_PREVIEW,
        "raw_max": RAW_MAX,
        "pager": Pager.of(paging, total),
        "L": labels(view),
    }
    return view.render_list(
        "devices/ops/dead_letters.html", "devices/ops/_dead_letters.html", context
    )


# --- commands ----------------------------------------------------------------------------------


def command_form_context(
    view: View,
    device: Any,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the send-command form needs (the device page includes it with this context)."""
    recent, _total = commands.search(view.uow.session, PageParams(1, 5), device_id=device.id)
    return {
        "device": device,
        "v": values or {"command": "reboot", "params": "{}", "ttl": str(TTL_DEFAULT)},
        "errors": errors or {},
        "recent": recent,
        "cmd_colours": STATUS_COLOURS,
        "OL": labels(view),
    }


def _parse_command(
    names: dict[str, str], command: str, custom: str, params: str, ttl: str
) -> tuple[str, dict[str, Any], int, dict[str, str]]:
    """The command name, its params and TTL from the form, with an error per bad field."""
    errors: dict[str, str] = {}
    name = custom.strip() if command == "custom" else command
    if not re.fullmatch(COMMAND_PATTERN, name):
        errors["custom" if command == "custom" else "command"] = names["err.command"]
    parsed: Any = None
    try:
        parsed = json.loads(params or "{}")
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        errors["params"] = names["err.params"]
        parsed = {}
    elif len(str(parsed)) > 4000:
        errors["params"] = names["err.params_size"]
    seconds = int(ttl) if ttl.strip().isdigit() else -1
    if not 5 <= seconds <= 86_400:
        errors["ttl"] = names["err.ttl"]
    return name, parsed, seconds, errors


def _commandable(view: View, device_id: int, action: str) -> Any:
    """The device if the caller's zones include it for ``action``; otherwise it looks absent."""
    assert view.principal is not None
    device = devices.get_device(view.uow.session, device_id)
    if not view.principal.can(action, device.zone_id):
        raise NotFound(f"Device {device_id} does not exist.", f"ไม่พบอุปกรณ์หมายเลข {device_id}")
    return device


@router.get("/devices/{device_id}/commands")
def command_panel(device_id: int, view: Reader) -> HTMLResponse:
    """The device page's commands box: recent commands, and the send form for writers."""
    device = _commandable(view, device_id, "devices.read")
    return view.render("devices/ops/_command_form.html", command_form_context(view, device))


@router.post("/devices/{device_id}/commands")
def send_command(
    device_id: int,
    view: Writer,
    command: Annotated[str, Form(max_length=40)] = "reboot",
    custom: Annotated[str, Form(max_length=40)] = "",
    params: Annotated[str, Form(max_length=RAW_MAX)] = "{}",
    ttl: Annotated[str, Form(max_length=6)] = str(TTL_DEFAULT),
) -> Response:
    """Queue a command for this device and open its delivery report; errors beside fields."""
    device = _commandable(view, device_id, "devices.write")
    names = labels(view)
    name, parsed, seconds, errors = _parse_command(names, command, custom, params, ttl)
    if not device.enabled:
        errors["command"] = names["err.disabled"]
    if errors:
        values = {"command": command, "custom": custom, "params": params, "ttl": ttl}
        context = command_form_context(view, device, values, errors)
        status = 200 if is_htmx(view.request) else 422  # htmx swaps only 2xx answers
        return view.render("devices/ops/_command_form.html", context, status_code=status)
    rows = commands.send(view.uow, [device], name, parsed, seconds)
    target = f"/devices/commands/{rows[0].batch}"
    if is_htmx(view.request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def batch_context(view: View, batch: str) -> dict[str, Any]:
    """Counts by status, the per-device rows and whether any command still waits for an answer."""
    session = view.uow.session
    counts = commands.batch_summary(session, batch)
    rows, total = commands.search(session, PageParams(1, REPORT_ROWS), batch=batch)
    facts = devices.device_facts(session, {r.device_id for r in rows})
    open_count = sum(n for s, n in counts.items() if s not in FINAL_COMMAND_STATUSES)
    return {
        "batch": batch,
        "counts": counts,
        "total": sum(counts.values()),
        "rows": rows,
        "shown": total,
        "facts": facts,
        "statuses": COMMAND_STATUSES,
        "is_open": open_count > 0,
        "cmd_colours": STATUS_COLOURS,
        "L": labels(view),
    }


@router.get("/devices/commands/{batch}")
def batch_report(batch: BatchId, view: Reader) -> HTMLResponse:
    """A command batch: counts by status and each device's answer; refreshes while open."""
    context = batch_context(view, batch)
    wants_fragment = is_htmx(view.request) and view.request.headers.get("hx-target") == "report"
    if not context["rows"]:
        raise NotFound(f"Command batch {batch} does not exist.", f"ไม่พบชุดคำสั่ง {batch}")
    name = "devices/ops/_batch.html" if wants_fragment else "devices/ops/batch.html"
    return view.render(name, context)
