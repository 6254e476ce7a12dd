"""Broadcast history pages: the week calendar in BE dates, deliveries with per-speaker proof,
flagged zones and speaker health."""

from __future__ import annotations

from datetime import date, time, timedelta

from fastapi.testclient import TestClient

from smartcity.broadcast import delivery, scheduling
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.config import Settings
from smartcity.devices import commands
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from tests.broadcast.delivery.harness import WEST
from tests.broadcast.delivery.test_delivery import POLICY, _answer, _devices
from tests.broadcast.support import announcement, schedule_in
from tests.web.test_broadcast_pages import operator, pa  # noqa: F401 - fixtures


def test_calendar_shows_the_week_in_bangkok_time_with_be_dates(
    operator: TestClient,  # noqa: F811
    uow: UnitOfWork,
    settings: Settings,
    pa: dict[str, int],  # noqa: F811
) -> None:
    ann = announcement(uow, settings.data_dir, BroadcastSettings(), title="ข่าวเช้า", seconds=1.0)
    monday = date(2030, 1, 7)
    body = schedule_in(ann.id, [pa["pa-west"]], kind="weekly", at=time(7, 30), weekdays=[1, 3])
    scheduling.save_schedule(
        uow, BroadcastSettings(), body.model_copy(update={"start_date": monday}), now=utcnow()
    )
    uow.commit()
    page = operator.get("/broadcast/calendar", params={"week": "2030-01-09"})  # a Wednesday
    assert page.status_code == 200
    assert 'data-day="2030-01-07"' in page.text and "7 ม.ค. 2573" in page.text  # BE year
    assert page.text.count('data-slot="') == 2 and "07:30–07:30" in page.text  # local time
    following = operator.get("/broadcast/calendar", params={"week": "2030-01-14"})
    assert following.text.count('data-slot="') == 2
    bad = operator.get("/broadcast/calendar", params={"week": "2030-13-01"})
    assert bad.status_code == 422
    operator.get("/lang/en")
    assert "7 Jan 2030" in operator.get("/broadcast/calendar?week=2030-01-07").text


def test_delivery_report_flagged_zone_and_speaker_health(
    operator: TestClient,  # noqa: F811
    uow: UnitOfWork,
    settings: Settings,
    pa: dict[str, int],  # noqa: F811
) -> None:
    ann = announcement(uow, settings.data_dir, BroadcastSettings(), seconds=1.0)
    ids = _devices(uow, settings, sa=WEST, sb=WEST, sc=WEST)
    policy = POLICY.model_copy(update={"retries": 0})
    row = delivery.send(uow, settings, policy, ann.id, [pa["pa-west"]])
    _answer(uow, row, {ids["sa"]: "succeeded", ids["sb"]: "failed"})
    commands.expire(uow, utcnow() + timedelta(hours=1))
    assert delivery.settle(uow, settings, policy) == 1
    uow.commit()
    listing = operator.get("/broadcast/deliveries")
    assert f'data-delivery="{row.id}"' in listing.text and 'data-outcome="partial"' in listing.text
    assert f'data-flagged-zone="{pa["pa-west"]}"' in listing.text
    assert all(f'data-speaker="{c}"' in listing.text for c in ("sa", "sb", "sc"))
    report = operator.get(f"/broadcast/deliveries/{row.id}")
    assert 'data-speaker="sa" data-result="played"' in report.text
    assert 'data-speaker="sb" data-result="failed"' in report.text
    assert "player-failed: test" in report.text
    assert 'data-speaker="sc" data-result="no_answer"' in report.text
    assert "ไม่ตอบกลับ" in report.text and "1 / 3" in report.text and "data-flagged" in report.text
    assert operator.get("/broadcast/deliveries/999999").status_code == 404
