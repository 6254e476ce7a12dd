"""Stopping a broadcast: a stop command to every speaker, who stopped it and when, no retries
after it, a "stopped" outcome that flags no zone, a cancelled schedule slot, and the REST route."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from smartcity.broadcast import delivery, delivery_slots, report, scheduling
from smartcity.broadcast.delivery_policy import DeliverySettings
from smartcity.broadcast.models import Announcement
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.config import Settings
from smartcity.devices import commands
from smartcity.errors import Conflict
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams
from tests.broadcast.delivery.harness import WEST
from tests.broadcast.delivery.test_delivery import POLICY, _devices, ann  # noqa: F401 - fixture
from tests.broadcast.support import act_as, schedule_in


def _acks(uow: UnitOfWork, row: object, answers: dict[int, tuple[str, str]]) -> None:
    """Speakers' answers to the latest play batch, as the MQTT ingest records them."""
    batch = delivery._batch_commands(uow.session, row.batches[-1])  # type: ignore[attr-defined]
    acks = [
        commands.Ack(c.device_id, c.uid, *answers[c.device_id])
        for c in batch
        if c.device_id in answers
    ]
    commands.record_acks(uow.session, acks, utcnow())


def _stop_commands(uow: UnitOfWork, device_id: int) -> list[dict[str, object]]:
    rows, _ = commands.search(uow.session, PageParams(1, 50), device_id=device_id)
    return [r.params for r in rows if r.command == "stop"]


def test_stop_reaches_every_speaker_records_who_and_is_not_retried(
    uow: UnitOfWork,
    settings: Settings,
    pa: dict[str, int],
    ann: Announcement,  # noqa: F811
) -> None:
    ids = _devices(uow, settings, sa=WEST, sb=WEST)
    row = delivery.send(uow, settings, POLICY, ann.id, [pa["pa-west"]])  # one retry allowed
    _acks(uow, row, {ids["sa"]: ("succeeded", "")})  # sa had played it already
    act_as(uow, 77, "somchai")
    delivery.stop(uow, row.id)
    assert row.stopped_by == "somchai" and row.stopped_at is not None
    for device_id in ids.values():
        assert _stop_commands(uow, device_id) == [{"announcement_id": ann.id}]
    _acks(uow, row, {ids["sb"]: ("failed", "stopped by operator")})
    assert delivery.settle(uow, settings, POLICY) == 1
    assert row.attempts == 1 and len(row.batches) == 1  # sb was not sent it again
    assert (row.status, row.outcome) == ("done", "stopped")
    built = report.build(uow.session, row)
    assert {s.device_id: (s.result, s.reason) for s in built.speakers} == {
        ids["sa"]: ("played", ""),
        ids["sb"]: ("failed", "stopped by operator"),
    }
    assert [(z.result, z.flagged) for z in built.zones] == [("partial", False)]
    assert report.flagged_zones(uow.session, 24)["features"] == []
    with pytest.raises(Conflict) as finished:
        delivery.stop(uow, row.id)
    assert "finished" in finished.value.detail and finished.value.detail_th


def test_a_stopped_slot_is_reported_cancelled_and_a_second_stop_refused(
    uow: UnitOfWork,
    settings: Settings,
    pa: dict[str, int],
    ann: Announcement,  # noqa: F811
) -> None:
    _devices(uow, settings, sa=WEST)
    now = utcnow()
    soon = now + timedelta(hours=7, minutes=1)  # Bangkok is UTC+7
    data = schedule_in(
        ann.id,
        [pa["pa-west"]],
        kind="once",
        at=soon.time().replace(second=0, microsecond=0),
        start=soon.date(),
    )
    sched = scheduling.save_schedule(uow, BroadcastSettings(), data, now=now, force=True)
    policy = DeliverySettings(lead_s=1, ack_grace_s=5, retries=2, slot_lead_s=600)
    assert delivery_slots.run_due(uow, settings, BroadcastSettings(), policy, now) == 1
    (row,), _ = delivery.list_deliveries(uow.session, PageParams(), announcement_id=ann.id)
    act_as(uow, 78, "malee")
    delivery.stop(uow, row.id)
    with pytest.raises(Conflict) as again:
        delivery.stop(uow, row.id)
    assert "malee" in again.value.detail and "malee" in again.value.detail_th
    commands.expire(uow, utcnow() + timedelta(hours=1))  # the speaker never answered
    assert delivery.settle(uow, settings, policy) == 1 and row.attempts == 1
    outcomes, _ = scheduling.list_outcomes(uow.session, PageParams(), schedule_id=sched.id)
    assert [(o.zone_id, o.outcome, o.reason) for o in outcomes] == [
        (pa["pa-west"], "cancelled", "Stopped by malee.")
    ]
    assert outcomes[0].reason_th


def test_stop_route_needs_broadcast_send_and_refuses_a_second_stop(
    client: TestClient,
    as_role,
    uow: UnitOfWork,
    settings: Settings,
    pa: dict[str, int],
    ann: Announcement,  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    _devices(uow, settings, sa=WEST)
    row = delivery.send(uow, settings, POLICY, ann.id, [pa["pa-west"]])
    uow.commit()
    url = f"/api/broadcast/deliveries/{row.id}/stop"
    assert client.post(url, headers=as_role("police")).status_code == 403
    op = as_role("operator")
    stopped = client.post(url, headers=op)
    assert stopped.status_code == 200, stopped.text
    body = stopped.json()["delivery"]
    assert body["stopped_by"].startswith("operator") and body["stopped_at"]
    again = client.post(url, headers=op)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["detail_th"]
    assert client.post("/api/broadcast/deliveries/999999/stop", headers=op).status_code == 404
