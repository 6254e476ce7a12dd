"""Retention: old readings and dead letters go, recent ones stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from smartcity.devices import retention
from smartcity.devices.models import DeadLetter, Reading
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from tests.devices.conftest import MakeDevice


def test_purge_keeps_what_is_recent(uow: UnitOfWork, make_device: MakeDevice) -> None:
    device = make_device("wl-old").device
    now = utcnow()
    ms = lambda days: int((now - timedelta(days=days)).timestamp() * 1000)  # noqa: E731
    for days in (1, 29, 31, 400):
        uow.session.add(Reading(device_id=device.id, metric="level_m", ts_ms=ms(days), value=1.0))
    for days in (5, 100):
        uow.session.add(
            DeadLetter(
                received_at=now - timedelta(days=days),
                source="http",
                reason_code="x",
                reason="x",
                reason_th="x",
            )
        )
    uow.session.flush()
    purged = retention.purge(uow, now, readings_days=30, dead_letter_days=90)
    assert purged == retention.Purged(readings=2, dead_letters=1)
    count = lambda model: uow.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert count(Reading) == 2 and count(DeadLetter) == 1
