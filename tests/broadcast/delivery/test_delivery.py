"""Delivery rules on the database: commands sent, answers settled into a report, retries,
slot outcomes, signed audio URLs, the REST routes and the flood-alert handler."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from smartcity.accounts import service as accounts
from smartcity.accounts.schemas import AgencyIn
from smartcity.alerts.events import AlertRaised
from smartcity.broadcast import delivery, delivery_slots, report, scheduling, service
from smartcity.broadcast.delivery_handlers import on_alert_raised
from smartcity.broadcast.delivery_policy import DeliverySettings
from smartcity.broadcast.models import Announcement
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.config import Settings
from smartcity.devices import commands
from smartcity.devices import service as devices
from smartcity.devices.schemas import DeviceIn
from smartcity.errors import Conflict, Forbidden
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams
from tests.broadcast.delivery.harness import WEST
from tests.broadcast.support import act_as, announcement, schedule_in

EAST = (16.4399, 100.3525)
POLICY = DeliverySettings(lead_s=1, ack_grace_s=5, retries=1)


def _devices(
    uow: UnitOfWork, settings: Settings, kind: str = "speaker", **where: tuple[float, float]
) -> dict[str, int]:
    agency = accounts.create_agency(uow, AgencyIn(code=f"pa-{kind}", name_th="ทีม", kind="other"))
    ids = {}
    for code, (lat, lon) in where.items():
        data = DeviceIn(code=code, kind=kind, name_th=code, lat=lat, lon=lon, agency_id=agency.id)
        ids[code] = devices.create_device(uow, settings, data)[0].id
    return ids


@pytest.fixture
def ann(uow: UnitOfWork, settings: Settings, pa: dict[str, int], tools: None) -> Announcement:
    """An approved routine announcement with real audio in the settings' data folder."""
    return announcement(uow, settings.data_dir, BroadcastSettings(), seconds=1.0)


def _answer(uow: UnitOfWork, row: object, answers: dict[int, str]) -> None:
    """The speakers' final answers to the latest batch, as the MQTT ingest records them."""
    batch = delivery._batch_commands(uow.session, row.batches[-1])  # type: ignore[attr-defined]
    acks = [
        commands.Ack(c.device_id, c.uid, answers[c.device_id], "player-failed: test")
        for c in batch
        if c.device_id in answers
    ]
    commands.record_acks(uow.session, acks, utcnow())


def test_send_targets_the_zone_speakers_with_play_params(
    uow: UnitOfWork, settings: Settings, pa: dict[str, int], ann: Announcement
) -> None:
    ids = _devices(uow, settings, sa=WEST, sb=WEST, far=EAST)
    row = delivery.send(uow, settings, POLICY, ann.id, [pa["pa-west"]])
    (cmds,) = [delivery._batch_commands(uow.session, b) for b in row.batches]
    assert sorted(c.device_id for c in cmds) == sorted([ids["sa"], ids["sb"]])
    params = cmds[0].params
    assert params["sha256"] == ann.checksum and params["priority"] == "routine"
    assert params["announcement_id"] == ann.id and params["duration"] == ann.duration_s
    assert "/api/broadcast/speaker-audio/" in params["audio_url"] and "sig=" in params["audio_url"]
    assert ann.status == "sent"
    built = report.build(uow.session, row)
    assert built.counts == {"played": 0, "playing": 0, "failed": 0, "no_answer": 0, "pending": 2}


def test_settle_retries_failed_and_silent_then_reports(
    uow: UnitOfWork, settings: Settings, pa: dict[str, int], ann: Announcement
) -> None:
    ids = _devices(uow, settings, sa=WEST, sb=WEST, sc=WEST)
    row = delivery.send(uow, settings, POLICY, ann.id, [pa["pa-west"]])
    _answer(uow, row, {ids["sa"]: "succeeded", ids["sb"]: "failed"})
    assert delivery.settle(uow, settings, POLICY) == 0  # c has not answered yet
    commands.expire(uow, utcnow() + timedelta(hours=1))
    assert delivery.settle(uow, settings, POLICY) == 0 and row.attempts == 2
    retry = delivery._batch_commands(uow.session, row.batches[-1])
    assert sorted(c.device_id for c in retry) == sorted([ids["sb"], ids["sc"]])
    _answer(uow, row, {ids["sb"]: "succeeded", ids["sc"]: "failed"})
    assert delivery.settle(uow, settings, POLICY) == 1
    built = report.build(uow.session, row)
    assert row.status == "done" and row.outcome == "partial"
    assert built.counts == {"played": 2, "playing": 0, "failed": 1, "no_answer": 0, "pending": 0}
    failed = [s for s in built.speakers if s.result == "failed"]
    assert [(s.device_id, s.attempts, s.reason) for s in failed] == [
        (ids["sc"], 2, "player-failed: test")
    ]
    assert [(z.result, z.flagged) for z in built.zones] == [("partial", True)]
    flagged = report.flagged_zones(uow.session, 24)
    assert [f["properties"]["zone_id"] for f in flagged["features"]] == [pa["pa-west"]]


def test_due_slot_is_sent_once_and_its_outcome_recorded(
    uow: UnitOfWork, settings: Settings, pa: dict[str, int], ann: Announcement
) -> None:
    ids = _devices(uow, settings, sa=WEST)
    now = utcnow()
    bangkok = (now + timedelta(hours=7, minutes=1)).time().replace(second=0, microsecond=0)
    data = schedule_in(
        ann.id,
        [pa["pa-west"]],
        kind="daily",
        at=bangkok,
        start=(now + timedelta(hours=7, minutes=1)).date(),
    )
    sched = scheduling.save_schedule(uow, BroadcastSettings(), data, now=now, force=True)
    slot = sched.next_due_at
    assert slot is not None
    policy = DeliverySettings(lead_s=1, ack_grace_s=5, retries=0, slot_lead_s=600)
    assert delivery_slots.run_due(uow, settings, BroadcastSettings(), policy, now) == 1
    assert sched.next_due_at is not None and sched.next_due_at > slot
    assert delivery_slots.run_due(uow, settings, BroadcastSettings(), policy, now) == 0
    rows, _ = delivery.list_deliveries(uow.session, PageParams(), announcement_id=ann.id)
    (row,) = rows
    assert row.schedule_id == sched.id and row.slot_at == slot and row.start_at >= slot
    _answer(uow, row, {ids["sa"]: "succeeded"})
    delivery.settle(uow, settings, policy)
    outcomes, _ = scheduling.list_outcomes(uow.session, PageParams(), schedule_id=sched.id)
    assert [(o.zone_id, o.outcome) for o in outcomes] == [(pa["pa-west"], "played")]


def test_a_slot_without_speakers_is_reported_failed(
    uow: UnitOfWork, settings: Settings, pa: dict[str, int], ann: Announcement
) -> None:
    now = utcnow()
    bangkok = (now + timedelta(hours=7, minutes=1)).time().replace(second=0, microsecond=0)
    data = schedule_in(
        ann.id,
        [pa["pa-east"]],
        kind="once",
        at=bangkok,
        start=(now + timedelta(hours=7, minutes=1)).date(),
    )
    sched = scheduling.save_schedule(uow, BroadcastSettings(), data, now=now, force=True)
    policy = DeliverySettings(slot_lead_s=600)
    assert delivery_slots.run_due(uow, settings, BroadcastSettings(), policy, now) == 1
    outcomes, _ = scheduling.list_outcomes(uow.session, PageParams(), schedule_id=sched.id)
    assert [(o.outcome, o.reason_th != "") for o in outcomes] == [("failed", True)]
    assert "No enabled speaker" in outcomes[0].reason


def test_routes_send_report_and_refuse_bad_requests(
    client: TestClient,
    as_role,
    uow: UnitOfWork,
    settings: Settings,
    pa: dict[str, int],
    ann: Announcement,
) -> None:  # type: ignore[no-untyped-def]
    _devices(uow, settings, sa=WEST)
    draft = announcement(uow, settings.data_dir, BroadcastSettings(), title="ร่าง", approve=False)
    uow.commit()
    op = as_role("operator")
    west = {"zone_ids": [pa["pa-west"]]}
    sent = client.post(f"/api/broadcast/announcements/{ann.id}/send", json=west, headers=op)
    assert sent.status_code == 201, sent.text
    assert sent.json()["counts"]["pending"] == 1
    got = client.get(f"/api/broadcast/deliveries/{sent.json()['delivery']['id']}", headers=op)
    assert got.status_code == 200 and got.json()["speakers"][0]["code"] == "sa"
    assert client.get("/api/broadcast/deliveries", headers=op).json()["total"] == 1
    r = client.post(f"/api/broadcast/announcements/{draft.id}/send", json=west, headers=op)
    assert r.status_code == 409 and r.json()["detail_th"]
    east = {"zone_ids": [pa["pa-east"]]}
    r = client.post(f"/api/broadcast/announcements/{ann.id}/send", json=east, headers=op)
    assert r.status_code == 422 and "ลำโพง" in r.json()["detail_th"]
    r = client.post(
        f"/api/broadcast/announcements/{ann.id}/send", json={"zone_ids": ["x"]}, headers=op
    )
    assert r.status_code == 422
    r = client.post(
        f"/api/broadcast/announcements/{ann.id}/send", json=west, headers=as_role("police")
    )
    assert r.status_code == 403
    assert client.get("/api/broadcast/deliveries/999999", headers=op).status_code == 404


def test_speaker_audio_needs_a_valid_unexpired_signature(
    client: TestClient, uow: UnitOfWork, settings: Settings, pa: dict[str, int], ann: Announcement
) -> None:
    uow.commit()
    url = urlparse(delivery.audio_url(settings, POLICY, ann))
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    good = client.get(url.path, params=q)
    assert good.status_code == 200
    assert hashlib.sha256(good.content).hexdigest() == ann.checksum
    bad = client.get(url.path, params={**q, "sig": "0" * 64})
    assert bad.status_code == 403 and bad.json()["detail_th"]
    old = int(q["exp"]) - 10_000
    expired = {
        "exp": str(old),
        "sig": delivery.sign(settings.secret_key.get_secret_value(), ann, old),
    }
    assert client.get(url.path, params=expired).status_code == 403
    assert client.get(url.path, params={"exp": "soon", "sig": "x"}).status_code == 422


def _alert(
    device_id: int, code: str, metric: str, place: tuple[float, float] = WEST
) -> AlertRaised:
    return AlertRaised(
        alert_id=7,
        rule_id=1,
        rule_kind="threshold",
        device_id=device_id,
        device_code=code,
        zone_id=None,
        severity="critical",
        name_th="ระดับน้ำน่านถึงเกณฑ์",
        name_en="Nan at 9.83 m",
        at=utcnow(),
        metric=metric,
        value=9.9,
        lat=place[0],
        lon=place[1],
    )


def test_flood_alert_becomes_a_draft_emergency_for_the_zones_around_the_gauge(
    uow: UnitOfWork, settings: Settings, pa: dict[str, int]
) -> None:
    ids = _devices(uow, settings, kind="water_level", gauge=WEST)
    draft = on_alert_raised(
        uow, settings, DeliverySettings(), _alert(ids["gauge"], "gauge", "level_m")
    )
    assert draft is not None
    assert (draft.status, draft.priority, draft.zone_ids) == ("draft", "emergency", [pa["pa-west"]])
    assert "9.9" in draft.text
    assert (
        on_alert_raised(uow, settings, DeliverySettings(), _alert(ids["gauge"], "gauge", "pm25"))
        is None
    )
    off = DeliverySettings(alert_mode="off")
    assert on_alert_raised(uow, settings, off, _alert(ids["gauge"], "gauge", "level_m")) is None


def test_flood_alert_uses_the_place_the_event_carries(
    uow: UnitOfWork, settings: Settings, pa: dict[str, int]
) -> None:
    # No device 999999 exists: the zones come from the event's place, without a look-up.
    event = _alert(999_999, "gone", "level_m", WEST)
    draft = on_alert_raised(uow, settings, DeliverySettings(), event)
    assert draft is not None and draft.zone_ids == [pa["pa-west"]]


def test_flood_alert_sends_a_recorded_emergency_directly_when_configured(
    uow: UnitOfWork, settings: Settings, pa: dict[str, int], tools: None
) -> None:
    ids = _devices(uow, settings, kind="water_level", gauge=WEST)
    _devices(uow, settings, spk=WEST)
    ready = announcement(
        uow, settings.data_dir, BroadcastSettings(), priority="emergency", seconds=1.0
    )
    policy = DeliverySettings(alert_mode="send", alert_announcement_id=ready.id)
    assert on_alert_raised(uow, settings, policy, _alert(ids["gauge"], "gauge", "level_m")) is ready
    rows, _ = delivery.list_deliveries(uow.session, PageParams(), announcement_id=ready.id)
    assert [(r.priority, r.zone_ids) for r in rows] == [("emergency", [pa["pa-west"]])]


def test_an_emergency_cannot_be_sent_without_a_second_approver(
    uow: UnitOfWork, settings: Settings, pa: dict[str, int], tools: None
) -> None:
    _devices(uow, settings, sa=WEST)
    draft = announcement(
        uow, settings.data_dir, BroadcastSettings(), priority="emergency", approve=False
    )
    with pytest.raises(Forbidden):
        service.approve(uow, BroadcastSettings(), draft.id)  # still acting as its creator
    with pytest.raises(Conflict):
        delivery.send(uow, settings, POLICY, draft.id, [pa["pa-west"]])
    act_as(uow, 1002, "second")
    service.approve(uow, BroadcastSettings(), draft.id)
    row = delivery.send(uow, settings, POLICY, draft.id, [pa["pa-west"]])
    assert row.priority == "emergency" and row.attempts == 1


def test_the_runtime_reports_a_slot_missed_while_down_and_moves_the_schedule_on(
    uow: UnitOfWork, settings: Settings, pa: dict[str, int], ann: Announcement
) -> None:
    """A daily slot whose time passed while nothing ran is reported missed, not left stuck."""
    _devices(uow, settings, sa=WEST)
    three_days_ago = utcnow() - timedelta(days=3)
    data = schedule_in(ann.id, [pa["pa-west"]], kind="daily", start=three_days_ago.date())
    sched = scheduling.save_schedule(uow, BroadcastSettings(), data, now=three_days_ago, force=True)
    assert sched.next_due_at is not None and sched.next_due_at < utcnow() - timedelta(days=1)
    for job in delivery_slots.sweep_jobs(settings):
        job(uow)
    missed, total = scheduling.list_outcomes(uow.session, PageParams(), outcome="missed")
    assert total >= 2 and {m.zone_id for m in missed} == {pa["pa-west"]}
    assert sched.next_due_at is not None and sched.next_due_at > utcnow() - timedelta(minutes=6)
