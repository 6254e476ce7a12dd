"""Rule evaluation: readings and device health in, alerts raised and cleared out.

Runs inside the transaction that stored the readings (an in-transaction handler), so readings
and the alerts they cause commit together. Per batch it costs one query for the rules token,
and only when a rule watches a metric in the batch: one for the devices' kind and zone, one for
open alerts, and one for rate state when a rate rule applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from smartcity.alerts import lifecycle
from smartcity.alerts import repository as repo
from smartcity.alerts.models import RuleState
from smartcity.alerts.rules import CACHE, Rule
from smartcity.devices import service as devices
from smartcity.devices.events import DeviceStatusChanged, TelemetryReceived
from smartcity.devices.service import DeviceFacts
from smartcity.events import UnitOfWork

MS_PER_HOUR = 3_600_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)
RETURNED = ("online", "degraded")


@dataclass(frozen=True, slots=True)
class Hit:
    """A reading that a rule watches."""

    rule: Rule
    device_id: int
    ts_ms: int
    value: float


def on_telemetry(uow: UnitOfWork, event: TelemetryReceived) -> None:
    """Evaluate the readings of one stored batch against the rules that watch their metrics."""
    rules = CACHE.get(uow.session).by_metric
    if not rules:
        return
    watched = [row for row in event.latest if row[1] in rules]
    if not watched:
        return
    session = uow.session
    open_now = repo.open_keys_of_rules(session, {r.id for row in watched for r in rules[row[1]]})
    pairs = [
        (rule, device_id, ts, value)
        for device_id, metric, ts, value in watched
        for rule in rules[metric]
        if _matters(rule, device_id, value, open_now)
    ]
    if not pairs:
        return
    # Only now place the devices: in a quiet batch few readings get this far.
    facts = devices.device_facts(session, {device_id for _, device_id, _, _ in pairs})
    hits = [
        Hit(rule, device_id, _ms(ts), value)
        for rule, device_id, ts, value in pairs
        if rule.covers(facts.get(device_id))
    ]
    if hits:
        decide(uow, hits, facts, open_now, event.received_at)


OpenAlerts = dict[tuple[int, int], int]  # (rule id, device id) -> open alert id


def _matters(rule: Rule, device_id: int, value: float, open_now: OpenAlerts) -> bool:
    """Can this reading change anything? Most readings of a threshold rule cannot.

    A rate rule always moves its state; any other rule only when its alert is open (it may
    clear) or the value would raise one.
    """
    if rule.kind == "rate_of_change" or (rule.id, device_id) in open_now:
        return True
    return rule.kind == "threshold" and rule.fires(value)


def decide(
    uow: UnitOfWork,
    hits: list[Hit],
    facts: dict[int, DeviceFacts],
    open_now: OpenAlerts,
    at: datetime,
) -> None:
    """Raise and resolve for the hits of one batch, given what is open: bulk raises."""
    session = uow.session
    rates = _rates(uow, [h for h in hits if h.rule.kind == "rate_of_change"])
    raises: list[tuple[Rule, DeviceFacts, float | None]] = []
    resolves: list[tuple[int, Rule, float]] = []
    for hit in hits:
        key = (hit.rule.id, hit.device_id)
        alert_id = open_now.get(key)
        if hit.rule.kind == "no_data":
            if alert_id is not None:  # data is back
                resolves.append((alert_id, hit.rule, hit.value))
            continue
        value = rates.get(key) if hit.rule.kind == "rate_of_change" else hit.value
        if value is None:
            continue
        if alert_id is None and hit.rule.fires(value):
            raises.append((hit.rule, facts[hit.device_id], value))
        elif alert_id is not None and hit.rule.clears(value):
            resolves.append((alert_id, hit.rule, value))
    if resolves:
        loaded = repo.alerts_by_id(session, [i for i, _, _ in resolves])
        for alert_id, rule, value in resolves:
            lifecycle.auto_resolve(uow, loaded[alert_id], rule, at, value)
    if raises:
        lifecycle.raise_many(uow, raises, at)


def on_status(uow: UnitOfWork, event: DeviceStatusChanged) -> None:
    """Raise device-offline alerts once; resolve them when the device is heard from again."""
    rules = CACHE.get(uow.session).offline
    if not rules:
        return
    if event.new == "offline":
        device = devices.device_facts(uow.session, [event.device_id]).get(event.device_id)
        for rule in rules:
            if rule.covers(device) and device is not None:
                lifecycle.raise_alert(uow, rule, device, event.at, None)
    elif event.old == "offline" and event.new in RETURNED:
        by_id = {r.id: r for r in rules}
        found = repo.open_alerts(uow.session, [event.device_id], by_id)
        for (rule_id, _), alert in found.items():
            lifecycle.auto_resolve(uow, alert, by_id[rule_id], event.at, None)


def _rates(uow: UnitOfWork, hits: list[Hit]) -> dict[tuple[int, int], float]:
    """Rates of change (per hour) for rate rules, updating each (rule, device) state."""
    if not hits:
        return {}
    states = repo.rate_states(uow.session, {h.rule.id for h in hits}, {h.device_id for h in hits})
    new: list[RuleState] = []
    out: dict[tuple[int, int], float] = {}
    for hit in hits:
        key = (hit.rule.id, hit.device_id)
        state = states.get(key)
        if state is None:
            new.append(_start(hit))
            continue
        rate = advance(state, hit.ts_ms, hit.value, hit.rule.window_ms)
        if rate is not None:
            out[key] = rate
    repo.add_states(uow.session, new)
    return out


def advance(state: RuleState, ts_ms: int, value: float, window_ms: int) -> float | None:
    """Move the two checkpoints along and return the rate per hour, once it means something.

    The older checkpoint ``a`` is at most a window old: the newer one ``b`` replaces it each
    half window. A gap longer than the window starts again, rather than report a rate over
    hours the sensor was silent. Late or repeated readings change nothing.
    """
    if ts_ms <= state.last_ts_ms:
        return None
    half = max(window_ms // 2, 1)
    if ts_ms - state.last_ts_ms > window_ms:
        state.a_ts_ms, state.a_value, state.b_ts_ms, state.b_value = ts_ms, value, None, None
        state.last_ts_ms = ts_ms
        return None
    if state.b_ts_ms is None:
        if ts_ms - state.a_ts_ms >= half:
            state.b_ts_ms, state.b_value = ts_ms, value
    elif ts_ms - state.b_ts_ms >= half and state.b_value is not None:
        state.a_ts_ms, state.a_value = state.b_ts_ms, state.b_value
        state.b_ts_ms, state.b_value = ts_ms, value
    state.last_ts_ms = ts_ms
    span = ts_ms - state.a_ts_ms
    if span < half:
        return None
    return (value - state.a_value) / span * MS_PER_HOUR


def _start(hit: Hit) -> RuleState:
    return RuleState(
        rule_id=hit.rule.id,
        device_id=hit.device_id,
        a_ts_ms=hit.ts_ms,
        a_value=hit.value,
        b_ts_ms=None,
        b_value=None,
        last_ts_ms=hit.ts_ms,
    )


def _ms(ts: datetime) -> int:
    return (ts - EPOCH) // ONE_MS
