"""SQL of the alerts domain: rules, the rules cache token, rate state and alerts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Select, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from smartcity.alerts.models import Alert, AlertRule, RuleState, RulesVersion
from smartcity.db import driver_rows
from smartcity.kit.pagination import PageParams, paginate

# --- rules -------------------------------------------------------------------------------------


def get_rule(session: Session, rule_id: int) -> AlertRule | None:
    """A rule by id."""
    return session.get(AlertRule, rule_id)


def enabled_rules(session: Session) -> list[AlertRule]:
    """Every enabled rule, oldest first."""
    stmt = select(AlertRule).where(AlertRule.enabled.is_(True)).order_by(AlertRule.id)
    return list(session.scalars(stmt))


def search_rules(
    session: Session,
    params: PageParams,
    *,
    kind: str = "",
    enabled: bool | None = None,
    device_id: int | None = None,
    zone_id: int | None = None,
) -> tuple[list[AlertRule], int]:
    """Rules matching the filters, by id."""
    stmt: Select[Any] = select(AlertRule).order_by(AlertRule.id)
    if kind:
        stmt = stmt.where(AlertRule.kind == kind)
    if enabled is not None:
        stmt = stmt.where(AlertRule.enabled.is_(enabled))
    if device_id is not None:
        stmt = stmt.where(AlertRule.device_id == device_id)
    if zone_id is not None:
        stmt = stmt.where(AlertRule.zone_id == zone_id)
    return paginate(session, stmt, params)


def add(session: Session, row: AlertRule) -> None:
    """Insert a rule and assign its id."""
    session.add(row)
    session.flush()


def delete_rule(session: Session, rule: AlertRule) -> None:
    """Delete a rule (its rate state goes with it)."""
    session.execute(delete(RuleState).where(RuleState.rule_id == rule.id))
    session.delete(rule)
    session.flush()


def has_alerts(session: Session, rule_id: int) -> bool:
    """True if the rule ever raised an alert."""
    return session.scalar(select(Alert.id).where(Alert.rule_id == rule_id).limit(1)) is not None


_RULES_TOKEN = dict.fromkeys(
    ("sqlite", "postgresql"), "SELECT token FROM alert_rules_version WHERE id = 1"
)


def rules_token(session: Session) -> str:
    """The current rules version token ("" before any rule write)."""
    # Read once per ingest batch: through the driver, which costs a tenth of an ORM select.
    rows = driver_rows(session, _RULES_TOKEN)
    return str(rows[0][0]) if rows and rows[0][0] else ""


def bump_rules_token(session: Session) -> str:
    """Give the rules a new version token (a random one: a rolled-back write leaves no trace)."""
    token = uuid.uuid4().hex
    done = session.execute(
        update(RulesVersion).where(RulesVersion.id == 1).values(token=token)
    ).rowcount  # type: ignore[attr-defined]
    if not done:
        session.add(RulesVersion(id=1, token=token))
        session.flush()
    return token


# --- rate-of-change state ------------------------------------------------------------------------


def rate_states(
    session: Session, rule_ids: Iterable[int], device_ids: Iterable[int]
) -> dict[tuple[int, int], RuleState]:
    """Rate state of these rules on these devices, by (rule id, device id)."""
    stmt = select(RuleState).where(
        RuleState.rule_id.in_(bindparam("rules", expanding=True)),
        RuleState.device_id.in_(bindparam("devices", expanding=True)),
    )
    params = {"rules": sorted(set(rule_ids)), "devices": sorted(set(device_ids))}
    return {(s.rule_id, s.device_id): s for s in session.scalars(stmt, params)}


def add_states(session: Session, states: Iterable[RuleState]) -> None:
    """Stage new rate states (flushed with the transaction)."""
    session.add_all(states)


# --- alerts --------------------------------------------------------------------------------------


def open_alerts(
    session: Session, device_ids: Iterable[int], rule_ids: Iterable[int]
) -> dict[tuple[int, int], Alert]:
    """Open alerts of these rules on these devices, by (rule id, device id)."""
    stmt = select(Alert).where(
        Alert.resolved_at.is_(None),
        Alert.device_id.in_(bindparam("devices", expanding=True)),
        Alert.rule_id.in_(bindparam("rules", expanding=True)),
    )
    params = {"devices": sorted(set(device_ids)), "rules": sorted(set(rule_ids))}
    return {(a.rule_id, a.device_id): a for a in session.scalars(stmt, params)}


def open_keys_of_rules(session: Session, rule_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """Ids of the open alerts of these rules, by (rule id, device id).

    Open alerts are few next to readings, so ingest reads them per rule (through the partial
    index of open alerts) instead of sending every device id of a batch.
    """
    wanted = sorted(set(rule_ids))
    if not wanted:
        return {}
    rows = driver_rows(session, _OPEN_KEYS, wanted)
    return {(r, d): i for r, d, i in rows}


_OPEN_KEYS = {  # read per ingest batch, so straight through the driver
    "sqlite": "SELECT rule_id, device_id, id FROM alerts WHERE resolved_at IS NULL "
    "AND rule_id IN (SELECT value FROM json_each(?))",
    "postgresql": "SELECT rule_id, device_id, id FROM alerts WHERE resolved_at IS NULL "
    "AND rule_id = ANY(%s)",
}


def alerts_by_id(session: Session, ids: Iterable[int]) -> dict[int, Alert]:
    """Alerts by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    stmt = select(Alert).where(Alert.id.in_(bindparam("ids", expanding=True)))
    return {a.id: a for a in session.scalars(stmt, {"ids": wanted})}


def insert_open_many(session: Session, rows: list[dict[str, Any]]) -> dict[tuple[int, int], int]:
    """Insert many open alerts in one statement, skipping any already open; the new ids."""
    if not rows:
        return {}
    stmt = _dialect_insert(session)
    stmt = stmt.on_conflict_do_nothing(
        index_elements=["rule_id", "device_id"], index_where=Alert.resolved_at.is_(None)
    ).returning(Alert.rule_id, Alert.device_id, Alert.id)
    return {(r, d): i for r, d, i in session.execute(stmt, rows)}


def open_alerts_of_rule(session: Session, rule_id: int) -> list[Alert]:
    """Open alerts of one rule."""
    stmt = select(Alert).where(Alert.resolved_at.is_(None), Alert.rule_id == rule_id)
    return list(session.scalars(stmt.order_by(Alert.id)))


def insert_open(session: Session, values: dict[str, Any]) -> int | None:
    """Insert an open alert unless one is already open for its rule and device.

    ON CONFLICT on the partial unique index makes de-duplication hold across processes
    without a savepoint: the loser of a race inserts nothing and gets None.
    """
    stmt = _dialect_insert(session).values(**values)
    stmt = stmt.on_conflict_do_nothing(
        index_elements=["rule_id", "device_id"], index_where=Alert.resolved_at.is_(None)
    ).returning(Alert.id)
    alert_id: int | None = session.scalar(stmt)
    return alert_id


def _dialect_insert(session: Session) -> Any:
    """INSERT with the backend's ON CONFLICT support (both backends have it)."""
    make = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt: Insert = make(Alert)
    return stmt


def get_alert(session: Session, alert_id: int) -> Alert | None:
    """An alert by id."""
    return session.get(Alert, alert_id)


def search_alerts(
    session: Session,
    params: PageParams,
    *,
    statuses: Iterable[str] = (),
    severity: str = "",
    device_id: int | None = None,
    zone_id: int | None = None,
    rule_id: int | None = None,
    since: datetime | None = None,
    zone_scope: frozenset[int] | None = None,
) -> tuple[list[Alert], int]:
    """Alerts matching the filters, newest first."""
    stmt = _scoped(select(Alert), zone_scope).order_by(Alert.raised_at.desc(), Alert.id.desc())
    wanted = sorted(set(statuses))
    if wanted:
        stmt = stmt.where(Alert.status.in_(wanted))
    if severity:
        stmt = stmt.where(Alert.severity == severity)
    if device_id is not None:
        stmt = stmt.where(Alert.device_id == device_id)
    if zone_id is not None:
        stmt = stmt.where(Alert.zone_id == zone_id)
    if rule_id is not None:
        stmt = stmt.where(Alert.rule_id == rule_id)
    if since is not None:
        stmt = stmt.where(Alert.raised_at >= since)
    return paginate(session, stmt, params)


def open_counts(
    session: Session, zone_scope: frozenset[int] | None
) -> list[tuple[str, str, int, datetime | None]]:
    """(severity, status, count, newest raised_at) of open alerts."""
    stmt: Any = select(Alert.severity, Alert.status, func.count(), func.max(Alert.raised_at)).where(
        Alert.resolved_at.is_(None)
    )
    stmt = _scoped(stmt, zone_scope).group_by(Alert.severity, Alert.status)
    return [(row[0], row[1], row[2], row[3]) for row in session.execute(stmt)]


def _scoped(stmt: Select[Any], zone_scope: frozenset[int] | None) -> Select[Any]:
    """Same rule as Principal.can: an alert without a zone is not zone-restricted."""
    if zone_scope is None:
        return stmt
    return stmt.where(Alert.zone_id.in_(sorted(zone_scope)) | Alert.zone_id.is_(None))


def sample_rule_names(session: Session) -> set[str]:
    """English names of the sample rules already loaded."""
    stmt = select(AlertRule.name_en).where(AlertRule.is_sample.is_(True))
    return set(session.scalars(stmt))
