"""Enabled rules held in memory per process, reloaded when the rules version token changes.

Evaluation runs inside every ingest transaction, so it must not query the rules each time.
Every rule write stores a new random token in ``alert_rules_version``; each batch reads that
one row and reloads the rules only when the token differs from the cached one. A write in any
process is therefore seen by every process at its next batch, with no TTL to tune.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy.orm import Session

from smartcity.alerts import repository as repo
from smartcity.alerts.models import AlertRule
from smartcity.devices.service import DeviceFacts

_OPS: Final[dict[str, Callable[[float, float], bool]]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule as evaluation needs it: plain values, safe to share between threads."""

    id: int
    kind: str
    metric: str
    op: str
    threshold: float
    clear: float
    window_ms: int
    scope: str
    device_id: int | None
    device_kind: str | None
    zone_id: int | None
    severity: str
    name_th: str
    name_en: str

    @classmethod
    def of(cls, row: AlertRule) -> Rule:
        """The cached form of a rule row."""
        threshold = row.threshold if row.threshold is not None else 0.0
        return cls(
            id=row.id,
            kind=row.kind,
            metric=row.metric,
            op=row.operator,
            threshold=threshold,
            clear=row.clear_threshold if row.clear_threshold is not None else threshold,
            window_ms=(row.window_minutes or 0) * 60_000,
            scope=row.scope,
            device_id=row.device_id,
            device_kind=row.device_kind,
            zone_id=row.zone_id,
            severity=row.severity,
            name_th=row.name_th,
            name_en=row.name_en,
        )

    def covers(self, device: DeviceFacts | None) -> bool:
        """Does this rule apply to the device?"""
        if device is None:
            return False
        if self.scope == "device":
            return device.id == self.device_id
        if self.scope == "kind":
            return device.kind == self.device_kind
        return device.zone_id is not None and device.zone_id == self.zone_id

    def fires(self, value: float) -> bool:
        """Is the raise condition met?"""
        return _OPS[self.op](value, self.threshold)

    def clears(self, value: float) -> bool:
        """Has the value crossed back past the clear threshold (hysteresis)?

        Between the clear and raise thresholds nothing changes, so a value hovering around
        the raise threshold neither raises nor clears over and over.
        """
        if self.op in (">", ">="):
            return value < self.clear
        return value > self.clear


@dataclass(frozen=True)
class RuleSet:
    """The enabled rules indexed the way evaluation looks them up."""

    token: str
    by_metric: dict[str, tuple[Rule, ...]] = field(default_factory=dict)
    offline: tuple[Rule, ...] = ()
    no_data: tuple[Rule, ...] = ()

    @classmethod
    def build(cls, token: str, rows: list[AlertRule]) -> RuleSet:
        """Index rule rows by metric (reading rules) and by kind (the others)."""
        rules = [Rule.of(r) for r in rows]
        by_metric: dict[str, list[Rule]] = {}
        for rule in rules:
            if rule.kind != "device_offline":
                by_metric.setdefault(rule.metric, []).append(rule)
        return cls(
            token=token,
            by_metric={m: tuple(rs) for m, rs in by_metric.items()},
            offline=tuple(r for r in rules if r.kind == "device_offline"),
            no_data=tuple(r for r in rules if r.kind == "no_data"),
        )


class RuleCache:
    """The process's rule set per database, checked against the version token per batch."""

    def __init__(self) -> None:
        self._sets: dict[str, RuleSet] = {}
        self._lock = threading.Lock()
        self.loads = 0
        self.enabled = True  # the benchmark switches it off to measure what it saves

    def get(self, session: Session) -> RuleSet:
        """The enabled rules as this transaction sees them."""
        token = repo.rules_token(session)
        key = str(session.get_bind().engine.url)
        cached = self._sets.get(key)
        if self.enabled and cached is not None and cached.token == token:
            return cached
        fresh = RuleSet.build(token, repo.enabled_rules(session))
        with self._lock:
            self._sets[key] = fresh
            self.loads += 1
        return fresh

    def clear(self) -> None:
        """Forget every cached rule set."""
        with self._lock:
            self._sets.clear()


CACHE: Final = RuleCache()
