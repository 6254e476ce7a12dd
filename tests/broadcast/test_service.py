"""Announcements and schedules through the services on the real database, with real audio."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from smartcity.audit.models import AuditEntry
from smartcity.broadcast import scheduling, service
from smartcity.broadcast.models import SlotOutcome
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.broadcast.schemas import AnnouncementMeta, TtsAnnouncementIn
from smartcity.errors import Conflict, Forbidden, InvalidInput
from smartcity.events import UnitOfWork
from smartcity.integrations import audio
from smartcity.kit.pagination import PageParams
from tests.broadcast.support import NOW, act_as, announcement, schedule_in
from tests.integrations.audio_support import integrated_lufs, need_tools, random_bytes

pytestmark = pytest.mark.usefixtures("tools")


def test_upload_stores_normalised_audio_under_its_checksum(
    uow: UnitOfWork, data_dir: Path, policy: BroadcastSettings
) -> None:
    row = announcement(uow, data_dir, policy, approve=False)
    path = service.audio_path(data_dir, row)
    assert path.parent == data_dir / "audio" and path.name == f"{row.checksum}.mp3"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == row.checksum
    assert row.status == "draft" and row.source == "upload" and row.created_by == 1001
    assert row.duration_s == pytest.approx(2.0, abs=0.1)
    assert integrated_lufs(path) == pytest.approx(-16.0, abs=1.0)
    actions = uow.session.scalars(select(AuditEntry.action)).all()
    assert "announcement.created" in actions


def test_corrupt_upload_is_a_bilingual_422_and_leaves_no_file(
    uow: UnitOfWork, data_dir: Path, policy: BroadcastSettings
) -> None:
    bad = random_bytes(data_dir / "bad.mp3")
    with pytest.raises(InvalidInput) as caught, bad.open("rb") as fh:
        service.create_from_upload(uow, data_dir, policy, AnnouncementMeta(title="x"), fh)
    assert caught.value.detail_th != caught.value.detail
    assert caught.value.errors[0]["code"] == "unreadable"
    assert list((data_dir / "audio").iterdir()) == []


def test_tts_with_espeak_is_marked_low_quality(
    uow: UnitOfWork, data_dir: Path, policy: BroadcastSettings
) -> None:
    need_tools("espeak-ng")
    body = TtsAnnouncementIn(title="ประกาศ", text="ขอเชิญประชาชนร่วมงานวัด", chime=True)
    row = service.create_from_text(uow, data_dir, policy, audio.default_registry(), body)
    assert row.source == "tts" and row.tts_engine == "espeak-ng" and row.duration_s > 3.0
    missing = TtsAnnouncementIn(title="x", text="y", engine="neural-th")
    with pytest.raises(InvalidInput):
        service.create_from_text(uow, data_dir, policy, audio.default_registry(), missing)


def test_emergency_needs_a_second_approver(
    uow: UnitOfWork, data_dir: Path, policy: BroadcastSettings
) -> None:
    row = announcement(uow, data_dir, policy, priority="emergency", approve=False)
    act_as(uow, 1001)  # the creator
    with pytest.raises(Forbidden) as caught:
        service.approve(uow, policy, row.id)
    assert "ประกาศฉุกเฉิน" in caught.value.detail_th
    act_as(uow, 1002)
    assert service.approve(uow, policy, row.id).approved_by == 1002
    with pytest.raises(Conflict):
        service.approve(uow, policy, row.id)


def test_second_approver_rule_is_configurable_and_routine_needs_one(
    uow: UnitOfWork, data_dir: Path
) -> None:
    relaxed = BroadcastSettings(emergency_second_approver=False)
    urgent = announcement(uow, data_dir, relaxed, priority="emergency", approve=False)
    act_as(uow, 1001)
    assert service.approve(uow, relaxed, urgent.id).status == "approved"
    routine = announcement(uow, data_dir, BroadcastSettings(), title="r", approve=False)
    act_as(uow, 1001)
    assert service.approve(uow, BroadcastSettings(), routine.id).status == "approved"


def test_schedule_only_approved_and_only_pa_zones(
    uow: UnitOfWork, data_dir: Path, policy: BroadcastSettings, pa: dict[str, int]
) -> None:
    draft = announcement(uow, data_dir, policy, approve=False)
    with pytest.raises(Conflict):
        scheduling.save_schedule(uow, policy, schedule_in(draft.id, [pa["pa-west"]]), now=NOW)
    ok = announcement(uow, data_dir, policy, title="ok")
    with pytest.raises(InvalidInput) as caught:
        scheduling.save_schedule(uow, policy, schedule_in(ok.id, [pa["comm-w1"], 99999]), now=NOW)
    assert "99999" in caught.value.detail
    row = scheduling.save_schedule(uow, policy, schedule_in(ok.id, [pa["pa-west"]]), now=NOW)
    assert row.next_due_at == datetime(2030, 1, 7, 0, 30, tzinfo=UTC)
    assert ok.status == "scheduled"
    past = schedule_in(ok.id, [pa["pa-west"]], kind="once", start=NOW.date() - timedelta(days=3))
    with pytest.raises(InvalidInput):
        scheduling.save_schedule(uow, policy, past, now=NOW)


def test_conflicts_are_shown_before_saving_and_refused_unless_forced(
    uow: UnitOfWork, data_dir: Path, policy: BroadcastSettings, pa: dict[str, int]
) -> None:
    west, east = pa["pa-west"], pa["pa-east"]
    news = announcement(uow, data_dir, policy, title="news", seconds=4.0)
    scheduling.save_schedule(uow, policy, schedule_in(news.id, [west], at=time(7, 30)), now=NOW)
    other = announcement(uow, data_dir, policy, title="health", seconds=2.0)
    # Two seconds after the news starts, on Mondays only: overlaps on 2 Mondays in 14 days.
    clash = schedule_in(other.id, [west, east], kind="weekly", at=time(7, 30, 2), weekdays=[1])
    report = scheduling.check_conflicts(uow.session, policy, clash, NOW)
    assert report.total == 2 and {c.zone_id for c in report.conflicts} == {west}
    first = report.conflicts[0]
    assert first.title == "news" and first.new_start - first.start == timedelta(seconds=2)
    with pytest.raises(Conflict) as caught:
        scheduling.save_schedule(uow, policy, clash, now=NOW)
    assert len(caught.value.errors) == 2
    # Just after the news ends: no conflict; in the other zone only: no conflict.
    later = schedule_in(other.id, [west], at=time(7, 30, 5))
    assert scheduling.check_conflicts(uow.session, policy, later, NOW).total == 0
    assert (
        scheduling.check_conflicts(uow.session, policy, schedule_in(other.id, [east]), NOW).total
        == 0
    )
    forced = scheduling.save_schedule(uow, policy, clash, now=NOW, force=True)
    assert forced.active


def test_next_due_orders_slots_across_schedules(
    uow: UnitOfWork, data_dir: Path, policy: BroadcastSettings, pa: dict[str, int]
) -> None:
    a = announcement(uow, data_dir, policy, title="a")
    b = announcement(uow, data_dir, policy, title="b")
    west, east = pa["pa-west"], pa["pa-east"]
    scheduling.save_schedule(uow, policy, schedule_in(a.id, [west], at=time(18, 0)), now=NOW)
    scheduling.save_schedule(uow, policy, schedule_in(b.id, [east], at=time(8, 0)), now=NOW)
    weekly = schedule_in(b.id, [west], kind="weekly", at=time(12, 0), weekdays=[2])
    scheduling.save_schedule(uow, policy, weekly, now=NOW, force=True)
    slots = scheduling.next_due(uow.session, NOW, timedelta(days=2))
    got = [(s.title, (s.start + timedelta(hours=7)).strftime("%a %H:%M")) for s in slots]
    assert got == [
        ("b", "Mon 08:00"),
        ("a", "Mon 18:00"),
        ("b", "Tue 08:00"),
        ("b", "Tue 12:00"),
        ("a", "Tue 18:00"),
    ]
    assert [s.start for s in scheduling.next_due(uow.session, NOW, timedelta(days=2), 2)] == [
        slots[0].start,
        slots[1].start,
    ]


def test_missed_and_cancelled_slots_are_reported(
    uow: UnitOfWork, data_dir: Path, policy: BroadcastSettings, pa: dict[str, int]
) -> None:
    west, east = pa["pa-west"], pa["pa-east"]
    row = announcement(uow, data_dir, policy)
    sched = scheduling.save_schedule(uow, policy, schedule_in(row.id, [west, east]), now=NOW)
    # Nobody played anything for three days: three slots in two zones are missed.
    later = NOW + timedelta(days=2, hours=2)
    assert scheduling.next_due(uow.session, later, timedelta(days=1))[0].start == datetime(
        2030, 1, 10, 0, 30, tzinfo=UTC
    )
    assert scheduling.sweep(uow, policy, later) == 3
    assert sched.next_due_at == datetime(2030, 1, 10, 0, 30, tzinfo=UTC)
    missed, total = scheduling.list_outcomes(uow.session, PageParams(), outcome="missed")
    assert total == 6 and {m.zone_id for m in missed} == {west, east}
    assert missed[0].reason and missed[0].reason_th
    assert scheduling.sweep(uow, policy, later) == 0  # reported once
    # The played slot moves the schedule on; cancelling reports the pending one.
    scheduling.record_outcome(
        uow, sched.id, sched.next_due_at, {west: ("played", "", ""), east: ("failed", "x", "x")}
    )
    assert sched.next_due_at == datetime(2030, 1, 11, 0, 30, tzinfo=UTC)
    scheduling.cancel_announcement(uow, row.id)
    assert row.status == "cancelled" and not sched.active and sched.next_due_at is None
    outcomes = uow.session.scalars(select(SlotOutcome.outcome)).all()
    assert sorted(set(outcomes)) == ["cancelled", "failed", "missed", "played"]
    assert scheduling.next_due(uow.session, later, timedelta(days=30)) == []


def test_calendar_lists_every_slot_between_dates(
    uow: UnitOfWork, data_dir: Path, policy: BroadcastSettings, pa: dict[str, int]
) -> None:
    row = announcement(uow, data_dir, policy)
    body = schedule_in(row.id, [pa["pa-west"]], kind="weekly", weekdays=[1, 5])
    scheduling.save_schedule(uow, policy, body, now=NOW)
    start = NOW
    slots = scheduling.calendar(uow.session, start, start + timedelta(days=28))
    assert len(slots) == 8 and slots == sorted(slots, key=lambda s: s.start)
    with pytest.raises(InvalidInput):
        scheduling.calendar(uow.session, start, start + timedelta(days=400))
