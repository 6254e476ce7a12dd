"""REST routes of the alerts domain (thin: parse, check permission and zone, call the service)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.alerts import service
from smartcity.alerts.models import Alert
from smartcity.alerts.schemas import (
    AckIn,
    AlertOut,
    ResolveIn,
    RuleIn,
    RuleKind,
    RuleOut,
    Severity,
    Summary,
)
from smartcity.errors import Forbidden, NotFound
from smartcity.http import Paging, UoW
from smartcity.kit.pagination import Page

router = APIRouter(prefix="/api/alerts", tags=["alerts"])
Reader = Annotated[Principal, Depends(require("alerts.read"))]
Manager = Annotated[Principal, Depends(require("alerts.manage"))]
StatusFilter = Annotated[str, Query(pattern="^(open|raised|acknowledged|resolved)?$")]
SSE_RETRY_MS = 5_000


def _visible(principal: Principal, alert: Alert) -> Alert:
    """Alerts outside the caller's zones look absent, so ids do not leak what exists."""
    if not principal.can("alerts.read", alert.zone_id):
        raise NotFound(f"Alert {alert.id} does not exist.", f"ไม่พบการแจ้งเตือนหมายเลข {alert.id}")
    if not principal.can("alerts.manage", alert.zone_id):
        raise Forbidden("This alert is outside the zones you manage.", "การแจ้งเตือนนี้อยู่นอกพื้นที่ที่คุณดูแล")
    return alert


def _may_write_rule(uow: UoW, principal: Principal, rule: RuleIn) -> None:
    """Zone-limited managers write rules for their zones only; kind-wide rules need all zones."""
    scope = principal.zone_scope("alerts.manage")
    if scope is None:
        return
    zone = service.rule_zone(uow.session, rule)
    if zone is True or (zone is not None and zone not in scope):
        raise Forbidden(
            "You may only write rules for devices and zones you manage.",
            "คุณแก้ไขกฎได้เฉพาะอุปกรณ์และพื้นที่ที่คุณดูแล",
        )


# --- rules ---------------------------------------------------------------------------------------


@router.get("/rules", summary="List alert rules")
def list_rules(
    uow: UoW,
    paging: Paging,
    _: Reader,
    kind: RuleKind | None = None,
    enabled: bool | None = None,
    device_id: int | None = None,
    zone_id: int | None = None,
) -> Page[RuleOut]:
    """Rules, filtered by kind, enabled, device or zone."""
    rows, total = service.list_rules(
        uow.session, paging, kind=kind or "", enabled=enabled, device_id=device_id, zone_id=zone_id
    )
    items = [RuleOut.model_validate(r) for r in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.post("/rules", status_code=201, summary="Add an alert rule")
def create_rule(body: RuleIn, uow: UoW, principal: Manager) -> RuleOut:
    """A new rule; it applies from the next reading on."""
    _may_write_rule(uow, principal, body)
    return RuleOut.model_validate(service.create_rule(uow, body))


@router.get("/rules/{rule_id}", summary="One alert rule")
def get_rule(rule_id: int, uow: UoW, _: Reader) -> RuleOut:
    """A rule."""
    return RuleOut.model_validate(service.get_rule(uow.session, rule_id))


@router.put("/rules/{rule_id}", summary="Change an alert rule")
def update_rule(rule_id: int, body: RuleIn, uow: UoW, principal: Manager) -> RuleOut:
    """Replace a rule; disabling it resolves its open alerts."""
    _may_write_rule(uow, principal, body)
    existing = service.get_rule(uow.session, rule_id)
    _may_write_rule(uow, principal, RuleIn.model_validate(existing, from_attributes=True))
    return RuleOut.model_validate(service.update_rule(uow, rule_id, body))


@router.delete("/rules/{rule_id}", status_code=204, summary="Delete an alert rule")
def delete_rule(rule_id: int, uow: UoW, principal: Manager) -> Response:
    """Only a rule that never raised an alert can go; otherwise disable it."""
    existing = service.get_rule(uow.session, rule_id)
    _may_write_rule(uow, principal, RuleIn.model_validate(existing, from_attributes=True))
    service.delete_rule(uow, rule_id)
    return Response(status_code=204)


# --- alerts (fixed paths before /{alert_id}) ------------------------------------------------


@router.get("/summary", summary="Open alerts at a glance")
def summary(uow: UoW, principal: Reader) -> Summary:
    """Open alerts by severity and status in the caller's zones: cheap enough to poll."""
    return service.summary(uow.session, principal.zone_scope("alerts.read"))


@router.get("/summary/events", summary="Open alerts summary as a server-sent event")
def summary_events(uow: UoW, principal: Reader) -> Response:
    """One ``summary`` event and a ``retry`` hint: an EventSource reconnects to refresh it.

    No connection is held open between updates, so any number of screens costs no threads.
    """
    data = service.summary(uow.session, principal.zone_scope("alerts.read")).model_dump_json()
    body = f"retry: {SSE_RETRY_MS}\nevent: summary\ndata: {data}\n\n"
    return Response(body, media_type="text/event-stream", headers={"Cache-Control": "no-store"})


@router.get("", summary="List alerts")
def list_alerts(
    uow: UoW,
    paging: Paging,
    principal: Reader,
    status: StatusFilter = "",
    severity: Severity | None = None,
    device_id: int | None = None,
    zone_id: int | None = None,
    rule_id: int | None = None,
    since: datetime | None = None,
) -> Page[AlertOut]:
    """Alerts newest first; ``status=open`` means raised or acknowledged. Zone scope applies."""
    rows, total = service.list_alerts(
        uow.session,
        paging,
        status=status,
        severity=severity or "",
        device_id=device_id,
        zone_id=zone_id,
        rule_id=rule_id,
        since=since,
        zone_scope=principal.zone_scope("alerts.read"),
    )
    items = service.describe(uow.session, rows)
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/{alert_id}", summary="One alert")
def get_alert(alert_id: int, uow: UoW, principal: Reader) -> AlertOut:
    """An alert with every step of its lifecycle."""
    alert = service.get_alert(uow.session, alert_id)
    if not principal.can("alerts.read", alert.zone_id):
        raise NotFound(f"Alert {alert_id} does not exist.", f"ไม่พบการแจ้งเตือนหมายเลข {alert_id}")
    return service.describe(uow.session, [alert])[0]


@router.post("/{alert_id}/acknowledge", summary="Acknowledge an alert")
def acknowledge(alert_id: int, body: AckIn, uow: UoW, principal: Manager) -> AlertOut:
    """Record who took the alert in hand, when, and their note."""
    _visible(principal, service.get_alert(uow.session, alert_id))
    return service.describe(uow.session, [service.acknowledge(uow, alert_id, body.note)])[0]


@router.post("/{alert_id}/resolve", summary="Resolve an alert by hand")
def resolve(alert_id: int, body: ResolveIn, uow: UoW, principal: Manager) -> AlertOut:
    """Close an open alert with a note saying why."""
    _visible(principal, service.get_alert(uow.session, alert_id))
    return service.describe(uow.session, [service.resolve(uow, alert_id, body.note)])[0]
