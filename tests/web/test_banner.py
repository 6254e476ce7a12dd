"""The public-announcement banner: shown to whoever may read broadcasts, only while recent."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.notify import service as notify
from smartcity.notify.models import Notification

PARAMS = {"title": "เตือนภัยน้ำท่วม", "zones_th": "ฝั่งตะวันตก", "zones_en": "west", "text": "อพยพ"}


def _announce(uow: UnitOfWork) -> None:
    notify.send(uow, notify.Message("broadcast_announcement", PARAMS, audience="broadcast.read"))
    uow.commit()


def test_banner_shows_the_recent_announcement(client: TestClient, as_role, uow: UnitOfWork) -> None:  # type: ignore[no-untyped-def]
    operator = as_role("operator")
    assert "banner-broadcast" not in client.get("/notify/banner", headers=operator).text
    _announce(uow)
    page = client.get("/notify/banner", headers=operator).text
    assert "เตือนภัยน้ำท่วม" in page and "อพยพ" in page
    assert 'hx-get="/notify/banner"' in client.get("/", headers=operator).text


def test_banner_expires_and_is_not_for_everyone(
    client: TestClient, as_role, uow: UnitOfWork
) -> None:  # type: ignore[no-untyped-def]
    _announce(uow)
    assert "banner-broadcast" not in client.get("/notify/banner", headers=as_role("police")).text
    for row in uow.session.query(Notification).all():
        row.created_at = utcnow() - timedelta(hours=notify.BANNER_HOURS + 1)
    uow.commit()
    assert "banner-broadcast" not in client.get("/notify/banner", headers=as_role("operator")).text
