"""The alert lifecycle: raised, acknowledged (who, when, note), resolved (by a reading or a person).

Every step emits a typed event; the steps people take also emit ``RecordChanged`` for the
audit log. Alerts are never deleted: the resolved rows are the history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smartcity.alerts import repository as repo
from smartcity.alerts.events import AlertAcknowledged, AlertRaised, AlertResolved
from smartcity.alerts.models import Alert, AlertRule
from smartcity.alerts.rules import Rule
from smartcity.devices.service import DeviceFacts
from smartcity.errors import Conflict
from smartcity.events import RecordChanged, UnitOfWork
from smartcity.kit.clock import utcnow

SYSTEM = "system"


def raise_alert(
    uow: UnitOfWork, rule: Rule, device: DeviceFacts, at: datetime, value: float | None
) -> int | None:
    """Open an alert unless this rule already has one open on this device; returns its id."""
    return raise_many(uow, [(rule, device, value)], at).get((rule.id, device.id))


def raise_many(
    uow: UnitOfWork, items: list[tuple[Rule, DeviceFacts, float | None]], at: datetime
) -> dict[tuple[int, int], int]:
    """Open alerts in one statement, skipping (rule, device) pairs already open; new ids.

    ON CONFLICT on the partial unique index makes de-duplication hold across processes: the
    loser of a race inserts nothing and raises no event.
    """
    rows = [_row(rule, device, at, value) for rule, device, value in items]
    new = repo.insert_open_many(uow.session, rows)
    for rule, device, value in items:
        alert_id = new.get((rule.id, device.id))
        if alert_id is not None:
            uow.emit(
                AlertRaised(
                    **_about(alert_id, rule.id, rule.kind, rule.name_th, rule.name_en, at),
                    device_id=device.id,
                    device_code=device.code,
                    zone_id=device.zone_id,
                    severity=rule.severity,
                    metric=rule.metric,
                    value=value,
                    lat=device.lat,
                    lon=device.lon,
                )
            )
    return new


def _row(rule: Rule, device: DeviceFacts, at: datetime, value: float | None) -> dict[str, Any]:
    return {
        "rule_id": rule.id,
        "device_id": device.id,
        "device_code": device.code,
        "device_kind": device.kind,
        "zone_id": device.zone_id,
        "severity": rule.severity,
        "status": "raised",
        "metric": rule.metric,
        "value": value,
        "raised_at": at,
        "acknowledged_by": "",
        "ack_note": "",
        "resolved_by": "",
        "resolve_note": "",
        "auto_resolved": False,
    }


def auto_resolve(
    uow: UnitOfWork, alert: Alert, rule: Rule, at: datetime, value: float | None
) -> None:
    """Resolve an alert because the reading (or the device) is back to normal."""
    _close(uow, alert, at, value, note="", auto=True, flush=False)
    uow.emit(
        AlertResolved(
            **_about(alert.id, rule.id, rule.kind, rule.name_th, rule.name_en, at),
            **_where(alert),
            auto=True,
            by_user_id=None,
            by=SYSTEM,
            note="",
            value=value,
        )
    )


def acknowledge(uow: UnitOfWork, alert: Alert, rule: AlertRule, note: str) -> Alert:
    """A person takes a raised alert in hand."""
    if alert.status != "raised":
        raise Conflict(
            f"Alert {alert.id} is already {alert.status}.",
            f"การแจ้งเตือนหมายเลข {alert.id} {_STATUS_TH[alert.status]}แล้ว",
        )
    now, actor = utcnow(), uow.actor
    alert.status, alert.acknowledged_at = "acknowledged", now
    alert.acknowledged_by_id, alert.acknowledged_by, alert.ack_note = (
        actor.user_id,
        actor.username,
        note,
    )
    uow.session.flush()
    event = AlertAcknowledged(
        **_about(alert.id, rule.id, rule.kind, rule.name_th, rule.name_en, now),
        **_where(alert),
        by_user_id=actor.user_id,
        by=actor.username,
        note=note,
    )
    uow.emit(event)
    _audit(uow, "alert.acknowledged", alert, note=note)
    return alert


def resolve(uow: UnitOfWork, alert: Alert, rule: AlertRule, note: str) -> Alert:
    """A person closes an open alert with a note."""
    if alert.status == "resolved":
        raise Conflict(
            f"Alert {alert.id} is already resolved.",
            f"การแจ้งเตือนหมายเลข {alert.id} ปิดไปแล้ว",
        )
    now, actor = utcnow(), uow.actor
    _close(uow, alert, now, None, note=note, auto=False)
    uow.emit(
        AlertResolved(
            **_about(alert.id, rule.id, rule.kind, rule.name_th, rule.name_en, now),
            **_where(alert),
            auto=False,
            by_user_id=actor.user_id,
            by=actor.username,
            note=note,
            value=None,
        )
    )
    _audit(uow, "alert.resolved", alert, note=note)
    return alert


def _close(
    uow: UnitOfWork,
    alert: Alert,
    at: datetime,
    value: float | None,
    *,
    note: str,
    auto: bool,
    flush: bool = True,
) -> None:
    alert.status, alert.resolved_at, alert.resolved_value = "resolved", at, value
    alert.auto_resolved, alert.resolve_note = auto, note
    alert.resolved_by_id = None if auto else uow.actor.user_id
    alert.resolved_by = SYSTEM if auto else uow.actor.username
    if flush:  # automatic resolutions of one batch are flushed together
        uow.session.flush()


_STATUS_TH = {"acknowledged": "รับทราบ", "resolved": "ปิด", "raised": "แจ้ง"}


def _about(
    alert_id: int, rule_id: int, kind: str, name_th: str, name_en: str, at: datetime
) -> dict[str, Any]:
    return {
        "alert_id": alert_id,
        "rule_id": rule_id,
        "rule_kind": kind,
        "name_th": name_th,
        "name_en": name_en,
        "at": at,
    }


def _where(alert: Alert) -> dict[str, Any]:
    return {
        "device_id": alert.device_id,
        "device_code": alert.device_code,
        "zone_id": alert.zone_id,
        "severity": alert.severity,
    }


def _audit(uow: UnitOfWork, action: str, alert: Alert, **extra: Any) -> None:
    detail = {"rule_id": alert.rule_id, "device_id": alert.device_id, **extra}
    uow.emit(
        RecordChanged(action=action, entity_type="alert", entity_id=str(alert.id), detail=detail)
    )
