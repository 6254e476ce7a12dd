"""The alert rules editor: list, create, edit, enable/disable and delete, with per-field errors."""

from __future__ import annotations

from typing import Annotated, Any, Final, get_args

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from smartcity.alerts import service as alerts
from smartcity.alerts.schemas import Operator, RuleIn, RuleKind, Scope
from smartcity.devices.schemas import DeviceKind
from smartcity.errors import Forbidden, InvalidInput
from smartcity.http import Paging
from smartcity.web.alerts_pages import SEVERITIES, SEVERITY_COLOURS, zone_choices
from smartcity.web.alerts_pages import labels as alert_labels
from smartcity.web.errors import PageRoute
from smartcity.web.view import Pager, View, page

router = APIRouter(route_class=PageRoute)
Reader = Annotated[View, Depends(page("alerts.read"))]
Manager = Annotated[View, Depends(page("alerts.manage"))]
RULE_KINDS: Final[tuple[str, ...]] = get_args(RuleKind)
OPERATORS: Final[tuple[str, ...]] = get_args(Operator)
SCOPES: Final[tuple[str, ...]] = get_args(Scope)
DEVICE_KINDS: Final[tuple[str, ...]] = get_args(DeviceKind)
FIELDS: Final = (
    "name_th",
    "name_en",
    "description",
    "kind",
    "metric",
    "operator",
    "threshold",
    "clear_threshold",
    "window_minutes",
    "scope",
    "device_id",
    "device_kind",
    "zone_id",
    "severity",
)
MAX_FORM_FIELD: Final = 2000

RULE_LABELS: Final[dict[str, tuple[str, str]]] = {
    "new_rule": ("เพิ่มกฎ", "Add a rule"),
    "edit_rule": ("แก้ไขกฎ", "Edit rule"),
    "save": ("บันทึก", "Save"),
    "enable": ("เปิดใช้งาน", "Enable"),
    "disable": ("ปิดใช้งาน", "Disable"),
    "delete": ("ลบ", "Delete"),
    "delete_confirm": ("ลบกฎนี้หรือไม่", "Delete this rule?"),
    "enabled": ("เปิดใช้งาน", "Enabled"),
    "disabled": ("ปิดใช้งานแล้ว", "Disabled"),
    "all": ("ทั้งหมด", "All"),
    "condition": ("เงื่อนไข", "Condition"),
    "scope_col": ("ขอบเขต", "Scope"),
    "form_errors": ("โปรดแก้ไขข้อมูลที่ระบุ", "Please correct the fields marked below"),
    "f.name_th": ("ชื่อภาษาไทย", "Thai name"),
    "f.name_en": ("ชื่อภาษาอังกฤษ", "English name"),
    "f.description": ("สิ่งที่เจ้าหน้าที่ควรทำ", "What operators should do"),
    "f.kind": ("ชนิดกฎ", "Rule kind"),
    "f.metric": ("ค่าที่ตรวจวัด (metric)", "Metric"),
    "f.operator": ("เครื่องหมายเปรียบเทียบ", "Operator"),
    "f.threshold": ("ค่าเกณฑ์แจ้งเตือน", "Raise threshold"),
    "f.clear_threshold": ("ค่าเกณฑ์ยกเลิก", "Clear threshold"),
    "f.clear_hint": (
        "การแจ้งเตือนจะปิดเมื่อค่ากลับผ่านเกณฑ์นี้ (เว้นว่าง = เท่ากับเกณฑ์แจ้งเตือน)",
        "The alert clears once the value is back past this (empty: the raise threshold)",
    ),
    "f.window_minutes": ("ช่วงเวลา (นาที)", "Window (minutes)"),
    "f.window_hint": (
        "อัตราการเปลี่ยนแปลง: ช่วงที่ใช้คำนวณ; ไม่มีข้อมูล: นาทีที่เงียบ",
        "Rate of change: the window the rate is taken over; no data: minutes of silence",
    ),
    "f.scope": ("ขอบเขต", "Scope"),
    "f.device_id": ("หมายเลขอุปกรณ์", "Device number"),
    "f.device_kind": ("ชนิดอุปกรณ์", "Device kind"),
    "f.zone_id": ("พื้นที่", "Zone"),
    "f.severity": ("ความรุนแรง", "Severity"),
    "f.enabled": ("เปิดใช้งาน", "Enabled"),
    "kind.threshold": ("เกินค่าเกณฑ์", "Threshold"),
    "kind.rate_of_change": ("อัตราการเปลี่ยนแปลง (ต่อชั่วโมง)", "Rate of change (per hour)"),
    "kind.no_data": ("ไม่มีข้อมูล", "No data"),
    "kind.device_offline": ("อุปกรณ์ออฟไลน์", "Device offline"),
    "scope.device": ("อุปกรณ์เดียว", "One device"),
    "scope.kind": ("อุปกรณ์ทุกตัวของชนิดนี้", "Every device of a kind"),
    "scope.zone": ("อุปกรณ์ในพื้นที่", "Devices in a zone"),
    "err.missing": ("ต้องระบุ", "required"),
    "err.number": ("ต้องเป็นตัวเลข", "must be a number"),
    "err.integer": ("ต้องเป็นจำนวนเต็ม", "must be a whole number"),
    "err.too_long": ("ยาวเกินไป", "too long"),
    "err.range": ("อยู่นอกช่วงที่รับได้", "out of the accepted range"),
    "err.choice": ("ไม่ใช่ตัวเลือกที่รับได้", "not one of the choices"),
    "err.pattern": (
        "ใช้อักษรภาษาอังกฤษตัวเล็ก ตัวเลข และ _ ขึ้นต้นด้วยตัวอักษร",
        "lower-case letters, digits and _, starting with a letter",
    ),
    "err.invalid": ("ไม่ถูกต้อง", "not valid"),
}
_ERROR_KEYS: Final = {
    "missing": "err.missing",
    "string_too_short": "err.missing",
    "float_parsing": "err.number",
    "finite_number": "err.number",
    "int_parsing": "err.integer",
    "int_from_float": "err.integer",
    "string_too_long": "err.too_long",
    "greater_than_equal": "err.range",
    "less_than_equal": "err.range",
    "literal_error": "err.choice",
    "enum": "err.choice",
    "string_pattern_mismatch": "err.pattern",
}


def labels(view: View) -> dict[str, str]:
    """The alert labels plus the editor's, in the visitor's language."""
    index = 1 if view.lang == "en" else 0
    return alert_labels(view) | {key: pair[index] for key, pair in RULE_LABELS.items()}


def _choices(view: View) -> dict[str, Any]:
    return {
        "kinds": RULE_KINDS,
        "operators": OPERATORS,
        "scopes": SCOPES,
        "device_kinds": DEVICE_KINDS,
        "severities": SEVERITIES,
        "zones": zone_choices(view),
        "colours": SEVERITY_COLOURS,
        "L": labels(view),
    }


@router.get("/alerts/rules")
def rule_list(
    view: Reader,
    paging: Paging,
    kind: Annotated[RuleKind | None, Query()] = None,
    enabled: Annotated[bool | None, Query()] = None,
) -> HTMLResponse:
    """The rules, filtered by kind and enabled."""
    rows, total = alerts.list_rules(view.uow.session, paging, kind=kind or "", enabled=enabled)
    context = {
        **_choices(view),
        "rows": rows,
        "kind": kind or "",
        "enabled": "" if enabled is None else str(enabled).lower(),
        "pager": Pager.of(paging, total),
    }
    return view.render_list("alerts/rules.html", "alerts/_rules.html", context)


def _form_page(
    view: View, values: dict[str, Any], rule_id: int | None, errors: dict[str, str] | None = None
) -> HTMLResponse:
    """The editor, filled in, with each field's error beside it (422 when there are errors)."""
    context = {**_choices(view), "v": values, "rule_id": rule_id, "errors": errors or {}}
    return view.render("alerts/rule_form.html", context, status_code=422 if errors else 200)


BLANK: Final[dict[str, Any]] = {
    "kind": "threshold",
    "operator": ">=",
    "scope": "kind",
    "severity": "warning",
    "enabled": True,
}


@router.get("/alerts/rules/new")
def rule_new(view: Manager) -> HTMLResponse:
    """An empty editor."""
    return _form_page(view, dict(BLANK), None)


@router.get("/alerts/rules/{rule_id}")
def rule_edit(rule_id: int, view: Reader) -> HTMLResponse:
    """A rule in the editor (read-only for callers who may not manage alerts)."""
    rule = alerts.get_rule(view.uow.session, rule_id)
    return _form_page(view, _stored(rule), rule_id)


def _stored(rule: Any) -> dict[str, Any]:
    """A stored rule's fields as the editor and RuleIn take them (no operator is None)."""
    values = {f: getattr(rule, f) for f in FIELDS} | {"enabled": rule.enabled}
    return values | {"operator": rule.operator or None}


async def _form_values(request: Request) -> dict[str, Any]:
    """The editor's fields as strings (empty ones left out so defaults apply)."""
    form = await request.form()
    values: dict[str, Any] = {}
    for field in FIELDS:
        raw = form.get(field)
        if isinstance(raw, str) and raw.strip():
            values[field] = raw.strip()[:MAX_FORM_FIELD]
    values["enabled"] = form.get("enabled") == "on"
    return values


def _parse(view: View, values: dict[str, Any]) -> RuleIn | dict[str, str]:
    """A RuleIn, or the messages per field in the visitor's language."""
    names = labels(view)
    try:
        data = RuleIn.model_validate(values)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for e in exc.errors():
            field = str(e["loc"][0]) if e["loc"] else "kind"
            errors.setdefault(field, names[_ERROR_KEYS.get(e["type"], "err.invalid")])
        return errors
    try:
        alerts.checked(view.uow.session, data)
    except InvalidInput as exc:
        key = "message" if view.lang == "en" else "message_th"
        return {e["field"]: e[key] for e in exc.errors or []}
    return data


def _may_write(view: View, rule: Any) -> None:
    """Zone-limited managers write rules for their zones only; kind-wide rules need all zones."""
    assert view.principal is not None
    scope = view.principal.zone_scope("alerts.manage")
    if scope is None:
        return
    zone = alerts.rule_zone(view.uow.session, rule)
    if zone is True or (zone is not None and zone not in scope):
        raise Forbidden(
            "You may only write rules for devices and zones you manage.",
            "คุณแก้ไขกฎได้เฉพาะอุปกรณ์และพื้นที่ที่คุณดูแล",
        )


@router.post("/alerts/rules")
async def rule_create(request: Request, view: Manager) -> Response:
    """Add a rule from the editor; errors come back beside their fields."""
    values = await _form_values(request)
    parsed = _parse(view, values)
    if isinstance(parsed, dict):
        return _form_page(view, values, None, parsed)
    _may_write(view, parsed)
    alerts.create_rule(view.uow, parsed)
    return RedirectResponse("/alerts/rules", status_code=303)


@router.post("/alerts/rules/{rule_id}")
async def rule_update(rule_id: int, request: Request, view: Manager) -> Response:
    """Replace a rule from the editor; disabling it resolves its open alerts."""
    _may_write(view, alerts.get_rule(view.uow.session, rule_id))
    values = await _form_values(request)
    parsed = _parse(view, values)
    if isinstance(parsed, dict):
        return _form_page(view, values, rule_id, parsed)
    _may_write(view, parsed)
    alerts.update_rule(view.uow, rule_id, parsed)
    return RedirectResponse("/alerts/rules", status_code=303)


@router.post("/alerts/rules/{rule_id}/enabled")
async def rule_toggle(rule_id: int, request: Request, view: Manager) -> Response:
    """Switch a rule on or off from the list."""
    rule = alerts.get_rule(view.uow.session, rule_id)
    _may_write(view, rule)
    form = await request.form()
    data = RuleIn.model_validate(_stored(rule) | {"enabled": form.get("enabled") == "true"})
    alerts.update_rule(view.uow, rule_id, data)
    return RedirectResponse("/alerts/rules", status_code=303)


@router.post("/alerts/rules/{rule_id}/delete")
def rule_delete(rule_id: int, view: Manager) -> Response:
    """Delete a rule that never raised an alert (409 otherwise: disable it instead)."""
    _may_write(view, alerts.get_rule(view.uow.session, rule_id))
    alerts.delete_rule(view.uow, rule_id)
    return RedirectResponse("/alerts/rules", status_code=303)
