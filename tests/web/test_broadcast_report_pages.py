"""Broadcast history pages: the week calendar in BE dates, deliveries with per-speaker proof,
flagged zones and speaker health."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from fastapi.testclient import TestClient

from smartcity.broadcast import delivery, scheduling
from smartcity.broadcast.delivery_policy import DeliverySettings
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.config import Settings
from smartcity.devices import commands
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from tests.broadcast.delivery.harness import WEST
from tests.broadcast.delivery.test_delivery import POLICY, _answer, _devices
from tests.broadcast.support import announcement, schedule_in
from tests.conftest import MakeUser
from tests.web.test_broadcast_pages import operator, pa  # noqa: F401 - fixtures
from tests.web.test_pages import csrf_of, login


def _sent(
    uow: UnitOfWork,
    settings: Settings,
    zone: int,
    policy: DeliverySettings = POLICY,
    **speakers: Any,
) -> tuple[Any, dict[str, int]]:
    """A one-second announcement sent to these speakers (code=position), committed."""
    ann = announcement(uow, settings.data_dir, BroadcastSettings(), seconds=1.0)
    ids = _devices(uow, settings, **speakers)
    row = delivery.send(uow, settings, policy, ann.id, [zone])
    uow.commit()
    return row, ids


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


def test_report_refreshes_itself_while_sending_and_stops_polling_when_done(
    operator: TestClient,  # noqa: F811
    uow: UnitOfWork,
    settings: Settings,
    pa: dict[str, int],  # noqa: F811
) -> None:
    policy = POLICY.model_copy(update={"retries": 0})
    row, ids = _sent(uow, settings, pa["pa-west"], policy, sa=WEST, sb=WEST)
    page = operator.get(f"/broadcast/deliveries/{row.id}")
    assert 'hx-trigger="every 2s"' in page.text and "data-live" in page.text
    fragment = operator.get(
        f"/broadcast/deliveries/{row.id}/report", headers={"hx-request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'data-speaker="sa" data-result="pending"' in fragment.text
    commands.record_acks(
        uow.session,
        [
            commands.Ack(c.device_id, c.uid, "started" if c.device_id == ids["sa"] else "succeeded")
            for c in delivery._batch_commands(uow.session, row.batches[0])
        ],
        utcnow(),
    )
    uow.commit()
    fragment = operator.get(f"/broadcast/deliveries/{row.id}/report").text
    assert 'data-speaker="sa" data-result="playing"' in fragment and "กำลังเล่น" in fragment
    assert (
        'data-speaker="sb" data-result="played"' in fragment and 'hx-trigger="every 2s"' in fragment
    )
    _answer(uow, row, {ids["sa"]: "succeeded"})
    assert delivery.settle(uow, settings, policy) == 1
    uow.commit()
    done = operator.get(f"/broadcast/deliveries/{row.id}/report").text
    assert 'data-status="done"' in done and 'data-outcome="played"' in done
    assert "hx-trigger" not in done and "data-stop" not in done  # nothing left to poll or stop
    assert operator.get("/broadcast/deliveries/999999/report").status_code == 404


def test_stop_button_posts_with_csrf_and_a_second_stop_says_why(
    operator: TestClient,  # noqa: F811
    client: TestClient,
    uow: UnitOfWork,
    settings: Settings,
    pa: dict[str, int],  # noqa: F811
) -> None:
    row, _ = _sent(uow, settings, pa["pa-west"], sa=WEST)
    url = f"/broadcast/deliveries/{row.id}"
    page = operator.get(url).text
    assert f'action="{url}/stop"' in page and "data-stop" in page
    assert "return confirm(" in page  # asks first (the browser test reads the question)
    token = csrf_of(operator, url)
    assert operator.post(f"{url}/stop", follow_redirects=False).status_code == 403  # no CSRF
    stopped = operator.post(f"{url}/stop", data={"csrf_token": token}, follow_redirects=False)
    assert stopped.status_code == 303 and stopped.headers["location"] == url
    after = operator.get(url).text
    assert "data-stopped" in after and "op-bc" in after and "data-stop-form" not in after
    again = operator.post(f"{url}/stop", data={"csrf_token": token})
    assert again.status_code == 409 and "data-form-error" in again.text
    assert "ถูกหยุดแล้วโดย op-bc" in again.text
    operator.get("/lang/en")
    assert "Stopped by" in operator.get(url).text


def test_stop_page_needs_broadcast_send(
    client: TestClient,
    make_user: MakeUser,
    uow: UnitOfWork,
    settings: Settings,
    pa: dict[str, int],  # noqa: F811
) -> None:
    row, _ = _sent(uow, settings, pa["pa-west"], sa=WEST)
    make_user("police", username="pol-stop")
    assert login(client, "pol-stop").status_code == 303
    token = csrf_of(client, "/")
    r = client.post(f"/broadcast/deliveries/{row.id}/stop", data={"csrf_token": token})
    assert r.status_code == 403
    assert delivery.get(uow.session, row.id).stopped_at is None


def test_history_lists_slots_that_did_not_play_and_speaker_health_in_words(
    operator: TestClient,  # noqa: F811
    uow: UnitOfWork,
    settings: Settings,
    pa: dict[str, int],  # noqa: F811
) -> None:
    ann = announcement(uow, settings.data_dir, BroadcastSettings(), title="ข่าวเย็น", seconds=1.0)
    _devices(uow, settings, sa=WEST)
    long_ago = utcnow() - timedelta(days=2)
    local = long_ago + timedelta(hours=7, minutes=1)  # a minute later, in Bangkok
    at = local.time().replace(second=0, microsecond=0)
    data = schedule_in(ann.id, [pa["pa-west"]], kind="once", at=at, start=local.date())
    scheduling.save_schedule(uow, BroadcastSettings(), data, now=long_ago, force=True)
    assert scheduling.sweep(uow, BroadcastSettings()) == 1
    uow.commit()
    page = operator.get("/broadcast/deliveries").text
    assert page.count('data-slot-outcome="missed"') == 1 and "พลาดเวลา" in page
    assert 'data-speaker="sa" data-health="unknown"' in page and "ไม่ทราบสถานะ" in page
