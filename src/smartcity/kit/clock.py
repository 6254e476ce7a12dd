"""Time in one place: stored in UTC, shown in Asia/Bangkok by the web layer."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)
