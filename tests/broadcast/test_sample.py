"""The demo's sample broadcast: a real generated recording on a daily schedule and one soon."""

from __future__ import annotations

import shutil

import pytest

from smartcity.broadcast import scheduling
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.broadcast.sample import load_sample_broadcasts
from smartcity.config import Settings
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.kit.pagination import PageParams


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg makes the sample recording")
def test_sample_news_is_approved_and_scheduled(uow: UnitOfWork, settings: Settings) -> None:
    geo.load_sample(uow)
    row = load_sample_broadcasts(uow, settings, BroadcastSettings())
    assert row is not None and row.status in ("approved", "scheduled")
    assert row.checksum and 15 < row.duration_s < 25
    schedules, total = scheduling.list_schedules(
        uow.session, PageParams(), announcement_id=row.id, active=None
    )
    assert total == 2 and {s.kind for s in schedules} == {"daily", "once"}
    pa, _ = geo.list_zones(uow.session, PageParams(), kind="pa_zone")
    assert all(sorted(s.zone_ids) == sorted(z.id for z in pa) for s in schedules)


def test_no_sample_without_pa_zones(uow: UnitOfWork, settings: Settings) -> None:
    assert load_sample_broadcasts(uow, settings, BroadcastSettings()) is None
