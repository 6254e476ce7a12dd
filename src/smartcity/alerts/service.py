"""Rules of the alerts domain: rule editing with its checks, alert look-ups, people's actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from smartcity.alerts import lifecycle
from smartcity.alerts import repository as repo
from smartcity.alerts.models import Alert, AlertRule
from smartcity.alerts.schemas import AlertOut, RuleIn, Summary
from smartcity.devices import service as devices
from smartcity.errors import Conflict, InvalidInput, NotFound
from smartcity.events import RecordChanged, UnitOfWork
from smartcity.geo import service as geo
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams

READING_KINDS = ("threshold", "rate_of_change")
UPWARD = (">", ">=")

# --- rules -------------------------------------------------------------------------------------


def get_rule(session: Session, rule_id: int) -> AlertRule:
    """A rule, or NotFound."""
    rule = repo.get_rule(session, rule_id)
    if rule is None:
        raise NotFound(f"Alert rule {rule_id} does not exist.", f"ไม่พบกฎแจ้งเตือนหมายเลข {rule_id}")
    return rule


def list_rules(
    session: Session,
    params: PageParams,
    *,
    kind: str = "",
    enabled: bool | None = None,
    device_id: int | None = None,
    zone_id: int | None = None,
) -> tuple[list[AlertRule], int]:
    """One page of rules."""
    return repo.search_rules(
        session, params, kind=kind, enabled=enabled, device_id=device_id, zone_id=zone_id
    )


def create_rule(uow: UnitOfWork, data: RuleIn, *, is_sample: bool = False) -> AlertRule:
    """Add a rule after checking that its fields fit its kind and scope."""
    rule = AlertRule(**checked(uow.session, data), is_sample=is_sample)
    repo.add(uow.session, rule)
    repo.bump_rules_token(uow.session)
    _changed(uow, "alert_rule.created", rule, kind=rule.kind, severity=rule.severity)
    return rule


def update_rule(uow: UnitOfWork, rule_id: int, data: RuleIn) -> AlertRule:
    """Replace a rule's fields; disabling it resolves its open alerts."""
    rule = get_rule(uow.session, rule_id)
    for key, value in checked(uow.session, data).items():
        setattr(rule, key, value)
    rule.updated_at = utcnow()
    uow.session.flush()
    if not rule.enabled:
        _close_open(uow, rule, "Rule disabled.")
    repo.bump_rules_token(uow.session)
    _changed(uow, "alert_rule.updated", rule, kind=rule.kind, enabled=rule.enabled)
    return rule


def delete_rule(uow: UnitOfWork, rule_id: int) -> None:
    """Delete a rule that never raised an alert (otherwise disable it: history stays whole)."""
    rule = get_rule(uow.session, rule_id)
    if repo.has_alerts(uow.session, rule.id):
        raise Conflict(
            "This rule has alerts in its history; disable it instead of deleting it.",
            "กฎนี้มีประวัติการแจ้งเตือนแล้ว ให้ปิดการใช้งานแทนการลบ",
        )
    _changed(uow, "alert_rule.deleted", rule, kind=rule.kind)
    repo.delete_rule(uow.session, rule)
    repo.bump_rules_token(uow.session)


def rule_zone(session: Session, rule: AlertRule | RuleIn) -> int | bool | None:
    """The zone a rule acts in: a zone id, None (a device without a zone) or True (all zones)."""
    if rule.scope == "zone":
        return rule.zone_id
    if rule.scope == "device" and rule.device_id is not None:
        found = devices.device_facts(session, [rule.device_id]).get(rule.device_id)
        return found.zone_id if found else None
    return True


def checked(session: Session, data: RuleIn) -> dict[str, Any]:
    """The rule's columns, with fields its kind does not use cleared; InvalidInput if unfit."""
    values = data.model_dump()
    errors = _kind_errors(data) + _scope_errors(session, data)
    if errors:
        raise InvalidInput(
            "The rule is incomplete or contradicts itself: "
            + "; ".join(e["message"] for e in errors),
            "กฎไม่ครบถ้วนหรือขัดแย้งกันเอง: " + "; ".join(e["message_th"] for e in errors),
            errors=errors,
        )
    if data.kind in READING_KINDS and data.clear_threshold is None:
        values["clear_threshold"] = data.threshold
    if data.kind not in READING_KINDS:
        values.update(operator="", threshold=None, clear_threshold=None)
    if data.kind == "threshold" or data.kind == "device_offline":
        values["window_minutes"] = None
    if data.kind == "device_offline":
        values["metric"] = ""
    values["operator"] = values["operator"] or ""
    keep = {"device": "device_id", "kind": "device_kind", "zone": "zone_id"}[data.scope]
    for key in ("device_id", "device_kind", "zone_id"):
        if key != keep:
            values[key] = None
    return values


def _kind_errors(data: RuleIn) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    if data.kind != "device_offline" and not data.metric:
        errors.append(_err("metric", "a metric is required", "ต้องระบุค่าที่ตรวจวัด (metric)"))
    if data.kind in READING_KINDS:
        if data.operator is None:
            errors.append(_err("operator", "an operator is required", "ต้องระบุเครื่องหมายเปรียบเทียบ"))
        if data.threshold is None:
            errors.append(_err("threshold", "a threshold is required", "ต้องระบุค่าเกณฑ์"))
        elif data.operator is not None and data.clear_threshold is not None:
            errors += _hysteresis_errors(data.operator, data.threshold, data.clear_threshold)
    if data.kind in ("rate_of_change", "no_data") and data.window_minutes is None:
        errors.append(
            _err("window_minutes", "a window in minutes is required", "ต้องระบุช่วงเวลาเป็นนาที")
        )
    return errors


def _hysteresis_errors(op: str, threshold: float, clear: float) -> list[dict[str, str]]:
    if op in UPWARD and clear > threshold:
        return [
            _err(
                "clear_threshold",
                "the clear threshold must not be above the raise threshold",
                "ค่าเกณฑ์ยกเลิกต้องไม่สูงกว่าค่าเกณฑ์แจ้งเตือน",
            )
        ]
    if op not in UPWARD and clear < threshold:
        return [
            _err(
                "clear_threshold",
                "the clear threshold must not be below the raise threshold",
                "ค่าเกณฑ์ยกเลิกต้องไม่ต่ำกว่าค่าเกณฑ์แจ้งเตือน",
            )
        ]
    return []


def _scope_errors(session: Session, data: RuleIn) -> list[dict[str, str]]:
    if data.scope == "device":
        if data.device_id is None:
            return [_err("device_id", "a device is required", "ต้องระบุอุปกรณ์")]
        if not devices.device_facts(session, [data.device_id]):
            return [_err("device_id", "unknown device", "ไม่พบอุปกรณ์นี้")]
    if data.scope == "kind" and data.device_kind is None:
        return [_err("device_kind", "a device kind is required", "ต้องระบุชนิดอุปกรณ์")]
    if data.scope == "zone":
        if data.zone_id is None:
            return [_err("zone_id", "a zone is required", "ต้องระบุพื้นที่")]
        try:
            geo.get_zone(session, data.zone_id)
        except NotFound:
            return [_err("zone_id", "unknown zone", "ไม่พบพื้นที่นี้")]
    return []


def _err(field: str, message: str, message_th: str) -> dict[str, str]:
    return {"field": field, "message": message, "message_th": message_th}


# --- alerts ------------------------------------------------------------------------------------


def get_alert(session: Session, alert_id: int) -> Alert:
    """An alert, or NotFound."""
    alert = repo.get_alert(session, alert_id)
    if alert is None:
        raise NotFound(f"Alert {alert_id} does not exist.", f"ไม่พบการแจ้งเตือนหมายเลข {alert_id}")
    return alert


def list_alerts(
    session: Session,
    params: PageParams,
    *,
    status: str = "",
    severity: str = "",
    device_id: int | None = None,
    zone_id: int | None = None,
    rule_id: int | None = None,
    since: datetime | None = None,
    zone_scope: frozenset[int] | None = None,
) -> tuple[list[Alert], int]:
    """One page of alerts, newest first; status ``open`` means raised or acknowledged."""
    statuses = ("raised", "acknowledged") if status == "open" else ((status,) if status else ())
    if since is not None and since.tzinfo is None:
        raise InvalidInput("since needs a time zone.", "since ต้องระบุเขตเวลา")
    return repo.search_alerts(
        session,
        params,
        statuses=statuses,
        severity=severity,
        device_id=device_id,
        zone_id=zone_id,
        rule_id=rule_id,
        since=since,
        zone_scope=zone_scope,
    )


def describe(session: Session, alerts: list[Alert]) -> list[AlertOut]:
    """Alerts for the API, each with its rule's names."""
    names: dict[int, tuple[str, str]] = {}
    out = []
    for alert in alerts:
        if alert.rule_id not in names:
            rule = get_rule(session, alert.rule_id)
            names[alert.rule_id] = (rule.name_th, rule.name_en)
        th, en = names[alert.rule_id]
        out.append(
            AlertOut.model_validate(alert).model_copy(
                update={"rule_name_th": th, "rule_name_en": en}
            )
        )
    return out


def acknowledge(uow: UnitOfWork, alert_id: int, note: str) -> Alert:
    """The acting person acknowledges a raised alert."""
    alert = get_alert(uow.session, alert_id)
    return lifecycle.acknowledge(uow, alert, get_rule(uow.session, alert.rule_id), note)


def resolve(uow: UnitOfWork, alert_id: int, note: str) -> Alert:
    """The acting person resolves an open alert with a note."""
    alert = get_alert(uow.session, alert_id)
    return lifecycle.resolve(uow, alert, get_rule(uow.session, alert.rule_id), note)


def summary(session: Session, zone_scope: frozenset[int] | None) -> Summary:
    """Counts of open alerts by severity and status, and when the newest was raised."""
    by_severity = {"info": 0, "warning": 0, "critical": 0}
    by_status = {"raised": 0, "acknowledged": 0}
    newest: datetime | None = None
    for severity, status, count, latest in repo.open_counts(session, zone_scope):
        by_severity[severity] = by_severity.get(severity, 0) + count
        by_status[status] = by_status.get(status, 0) + count
        if latest is not None and (newest is None or latest > newest):
            newest = latest
    return Summary(
        open=sum(by_status.values()),
        raised=by_status["raised"],
        acknowledged=by_status["acknowledged"],
        by_severity=by_severity,
        newest_raised_at=newest,
    )


def _close_open(uow: UnitOfWork, rule: AlertRule, note: str) -> None:
    for alert in repo.open_alerts_of_rule(uow.session, rule.id):
        lifecycle.resolve(uow, alert, rule, note)


def _changed(uow: UnitOfWork, action: str, rule: AlertRule, **extra: Any) -> None:
    detail: dict[str, Any] = {"name_th": rule.name_th, **extra}
    uow.emit(
        RecordChanged(
            action=action, entity_type="alert_rule", entity_id=str(rule.id), detail=detail
        )
    )
