"""Scheduled work of the alerts domain: the no-data sweep (run by the background sweeper)."""

from __future__ import annotations

from datetime import datetime, timedelta

from smartcity.alerts import lifecycle
from smartcity.alerts import repository as repo
from smartcity.alerts.rules import CACHE, Rule
from smartcity.devices import service as devices
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow


def sweep_no_data(uow: UnitOfWork, now: datetime | None = None) -> list[int]:
    """Raise a no-data alert for each device silent on a rule's metric; returns the new ids.

    A device that never reported the metric counts from its registration, so a new device
    gets one full window before it is called silent. Idempotent: a re-run raises nothing new.
    """
    now = now or utcnow()
    raised: list[int] = []
    for rule in CACHE.get(uow.session).no_data:
        raised += _sweep_rule(uow, rule, now)
    return raised


def _sweep_rule(uow: UnitOfWork, rule: Rule, now: datetime) -> list[int]:
    session = uow.session
    scope = devices.devices_matching(
        session, device_id=rule.device_id, kind=rule.device_kind or "", zone_id=rule.zone_id
    )
    if not scope:
        return []
    ids = [d.id for d in scope]
    last = devices.metric_last_seen(session, rule.metric, ids)
    open_now = repo.open_alerts(session, ids, [rule.id])
    cutoff = now - timedelta(milliseconds=rule.window_ms)
    raised: list[int] = []
    for device in scope:
        silent = last.get(device.id, device.created_at) < cutoff
        alert = open_now.get((rule.id, device.id))
        if silent and alert is None:
            alert_id = lifecycle.raise_alert(uow, rule, device, now, None)
            if alert_id is not None:
                raised.append(alert_id)
        elif not silent and alert is not None:
            lifecycle.auto_resolve(uow, alert, rule, now, None)
    return raised
