"""Tables of the alerts domain: rules, per-(rule, device) evaluation state, alerts, cache token."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.db import Base, UTCDateTime
from smartcity.kit.clock import utcnow

RULE_KINDS: Final = ("threshold", "rate_of_change", "no_data", "device_offline")
OPERATORS: Final = (">", ">=", "<", "<=")
SCOPES: Final = ("device", "kind", "zone")
SEVERITIES: Final = ("info", "warning", "critical")
ALERT_STATUSES: Final = ("raised", "acknowledged", "resolved")
# BIGINT everywhere except SQLite, where only INTEGER PRIMARY KEY aliases the rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class AlertRule(Base):
    """A rule that turns readings or device health into alerts for one device, kind or zone."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    metric: Mapped[str] = mapped_column(String(40), default="")
    operator: Mapped[str] = mapped_column(String(2), default="")
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    clear_threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    window_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    scope: Mapped[str] = mapped_column(String(10))
    # Device and zone ids, not foreign keys: other domains own those tables.
    device_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    device_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    zone_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    severity: Mapped[str] = mapped_column(String(10))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RuleState(Base):
    """Rate-of-change memory of one rule for one device: two checkpoints, no history query.

    ``a`` is the older checkpoint and ``b`` the newer; checkpoints move every half window,
    so the rate is always taken over between half a window and a whole one.
    """

    __tablename__ = "alert_rule_states"

    rule_id: Mapped[int] = mapped_column(
        ForeignKey("alert_rules.id", ondelete="CASCADE"), primary_key=True
    )
    device_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a_ts_ms: Mapped[int] = mapped_column(BigInteger)
    a_value: Mapped[float] = mapped_column(Float)
    b_ts_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    b_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_ts_ms: Mapped[int] = mapped_column(BigInteger)


class Alert(Base):
    """One alert of one rule on one device, from raised to resolved; never deleted."""

    __tablename__ = "alerts"
    __table_args__ = (
        # De-duplication: at most one open alert per (rule, device), even across processes.
        Index(
            "uq_alerts_open_rule_device",
            "rule_id",
            "device_id",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
        Index("ix_alerts_status_raised", "status", "raised_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id"), index=True)
    device_id: Mapped[int] = mapped_column(Integer, index=True)
    device_code: Mapped[str] = mapped_column(String(80))
    device_kind: Mapped[str] = mapped_column(String(20))
    zone_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    severity: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(14), default="raised")
    metric: Mapped[str] = mapped_column(String(40), default="")
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    acknowledged_by: Mapped[str] = mapped_column(String(80), default="")
    ack_note: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resolved_by: Mapped[str] = mapped_column(String(80), default="")
    resolve_note: Mapped[str] = mapped_column(Text, default="")
    resolved_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    auto_resolved: Mapped[bool] = mapped_column(Boolean, default=False)


class RulesVersion(Base):
    """One row whose token changes on every rule write: processes reload their rule cache."""

    __tablename__ = "alert_rules_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(40))
