"""Rules of schedules: conflicts before saving, next-due slots, the calendar and slot outcomes.

Each active schedule stores the start of its next slot (``next_due_at``). Reading what plays next
is then one indexed range scan; the stored value moves on when a slot's outcome is recorded, when
the sweep reports a slot that was never played, or when the schedule changes. Nothing scheduled
disappears silently: a slot that passes unplayed becomes a "missed" outcome, a slot of a
cancelled schedule or announcement becomes a "cancelled" outcome.
"""

from __future__ import annotations

import heapq
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from smartcity.broadcast import repository as repo
from smartcity.broadcast import service
from smartcity.broadcast.models import Announcement, Schedule, SlotOutcome
from smartcity.broadcast.policy import BroadcastSettings
from smartcity.broadcast.recurrence import Rule, next_slot, occurrences, weekday_mask
from smartcity.broadcast.schemas import ConflictOut, ConflictReport, ScheduleIn, SlotOut
from smartcity.errors import Conflict, InvalidInput, NotFound
from smartcity.events import RecordChanged, UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams

MAX_CONFLICTS_SHOWN: Final = 100
MAX_CALENDAR_DAYS: Final = 92
MAX_MISSED_PER_SWEEP: Final = 1000
SCHEDULABLE: Final = ("approved", "scheduled")


def rule_of(schedule: Any, timezone: str = "Asia/Bangkok") -> Rule:
    """The recurrence rule of a proposed schedule (ScheduleIn) or a stored one (row or object)."""
    if isinstance(schedule, ScheduleIn):
        mask, tz = weekday_mask(schedule.weekdays) if schedule.weekdays else 0b1111111, timezone
    else:
        mask, tz = schedule.weekday_mask, schedule.timezone
    if schedule.kind != "weekly":
        mask = 0b1111111
    return Rule(
        kind=schedule.kind,
        start_date=schedule.start_date,
        end_date=schedule.end_date,
        time_of_day=schedule.time_of_day,
        weekday_mask=mask,
        timezone=tz,
    )


def get_schedule(session: Session, schedule_id: int) -> Schedule:
    """A schedule, or NotFound."""
    row = repo.get_schedule(session, schedule_id)
    if row is None:
        raise NotFound(
            f"Schedule {schedule_id} does not exist.", f"ไม่พบตารางออกอากาศหมายเลข {schedule_id}"
        )
    return row


def list_schedules(
    session: Session, params: PageParams, *, announcement_id: int | None, active: bool | None
) -> tuple[list[Schedule], int]:
    """One page of schedules."""
    return repo.list_schedules(session, params, announcement_id=announcement_id, active=active)


# --- conflicts --------------------------------------------------------------------------------


def check_conflicts(
    session: Session,
    policy: BroadcastSettings,
    data: ScheduleIn,
    now: datetime,
    *,
    exclude_id: int | None = None,
) -> ConflictReport:
    """Slots of other active schedules that overlap this one in a shared zone, N days ahead."""
    ann = service.get_announcement(session, data.announcement_id)
    start, end = now, now + timedelta(days=policy.conflict_days)
    mine = list(occurrences(rule_of(data, policy.timezone), start, end))
    length = timedelta(seconds=ann.duration_s)
    zones = set(data.zone_ids)
    others = [
        s
        for s in repo.active_between(session, start.date() - timedelta(days=1), end.date())
        if s.id != exclude_id and zones & set(s.zone_ids)
    ]
    names = repo.titles(session, {s.announcement_id for s in others})
    found: list[ConflictOut] = []
    total = 0
    for other in others:
        theirs = list(occurrences(rule_of(other), start - timedelta(days=1), end))
        other_len = timedelta(seconds=other.duration_s)
        shared = sorted(zones & set(other.zone_ids))
        for new_start, slot in _overlaps(mine, length, theirs, other_len):
            for zone_id in shared:
                total += 1
                if len(found) < MAX_CONFLICTS_SHOWN:
                    found.append(
                        ConflictOut(
                            zone_id=zone_id,
                            schedule_id=other.id,
                            announcement_id=other.announcement_id,
                            title=names.get(other.announcement_id, ("", ""))[0],
                            start=slot,
                            end=slot + other_len,
                            new_start=new_start,
                            new_end=new_start + length,
                        )
                    )
    found.sort(key=lambda c: (c.new_start, c.zone_id, c.schedule_id))
    return ConflictReport(days=policy.conflict_days, total=total, conflicts=found)


def _overlaps(
    mine: list[datetime], mine_len: timedelta, theirs: list[datetime], their_len: timedelta
) -> list[tuple[datetime, datetime]]:
    """Pairs (my slot, their slot) whose [start, start + length) intervals overlap; both sorted."""
    pairs: list[tuple[datetime, datetime]] = []
    j = 0
    for a in mine:
        while j < len(theirs) and theirs[j] + their_len <= a:
            j += 1
        k = j
        while k < len(theirs) and theirs[k] < a + mine_len:
            pairs.append((a, theirs[k]))
            k += 1
    return pairs


# --- saving -----------------------------------------------------------------------------------


def save_schedule(
    uow: UnitOfWork,
    policy: BroadcastSettings,
    data: ScheduleIn,
    *,
    now: datetime | None = None,
    force: bool = False,
    schedule_id: int | None = None,
) -> Schedule:
    """Create (or replace the rule of) a schedule; conflicts are a 409 unless ``force``."""
    now = now or utcnow()
    ann = service.get_announcement(uow.session, data.announcement_id)
    if ann.status not in SCHEDULABLE:
        raise Conflict(
            f"Only approved announcements can be scheduled; this one is {ann.status}.",
            f"ตั้งเวลาได้เฉพาะประกาศที่อนุมัติแล้ว ประกาศนี้มีสถานะ {ann.status}",
        )
    zone_ids = service.check_zones(uow.session, data.zone_ids)
    rule = rule_of(data, policy.timezone)
    first = next_slot(rule, now)
    if first is None:
        raise InvalidInput(
            "This schedule has no slot in the future; check the dates and time.",
            "ตารางนี้ไม่มีช่วงเวลาในอนาคต โปรดตรวจสอบวันที่และเวลา",
            errors=[{"field": "start_date", "message": "no future slot"}],
        )
    report = check_conflicts(uow.session, policy, data, now, exclude_id=schedule_id)
    if report.total and not force:
        raise Conflict(
            f"The schedule overlaps {report.total} slot(s) in the same zones within "
            f"{report.days} days; change it or save with force.",
            f"ตารางนี้ซ้อนทับกับ {report.total} ช่วงเวลาในเขตเดียวกันภายใน {report.days} วัน",
            errors=[c.model_dump(mode="json") for c in report.conflicts],
        )
    row = get_schedule(uow.session, schedule_id) if schedule_id else Schedule()
    if schedule_id and row.next_due_at is not None and row.next_due_at != first:
        _report(uow, row, row.next_due_at, "cancelled", *_REASONS["changed"])
    row.announcement_id, row.kind = ann.id, data.kind
    row.start_date, row.end_date, row.time_of_day = data.start_date, data.end_date, data.time_of_day
    row.weekday_mask, row.timezone, row.zone_ids = rule.weekday_mask, rule.timezone, zone_ids
    row.duration_s, row.active, row.next_due_at = ann.duration_s, True, first
    row.updated_at = utcnow()
    if schedule_id is None:
        row.created_by = uow.actor.user_id
        repo.add(uow.session, row)
    ann.status = "scheduled"
    uow.session.flush()
    _changed(uow, "schedule.updated" if schedule_id else "schedule.created", row, forced=force)
    return row


_REASONS: Final = {
    "changed": ("The schedule was changed.", "มีการแก้ไขตารางออกอากาศ"),
    "deleted": ("The schedule was cancelled.", "ตารางออกอากาศถูกยกเลิก"),
    "announcement": ("The announcement was cancelled.", "ประกาศถูกยกเลิก"),
    "missed": ("The slot passed without being played.", "เลยเวลาออกอากาศแล้วแต่ไม่ได้เล่น"),
}


def cancel_schedule(uow: UnitOfWork, schedule_id: int, why: str = "deleted") -> Schedule:
    """Stop a schedule; its pending slot is reported as cancelled."""
    row = get_schedule(uow.session, schedule_id)
    if row.active and row.next_due_at is not None:
        _report(uow, row, row.next_due_at, "cancelled", *_REASONS[why])
    row.active, row.next_due_at, row.updated_at = False, None, utcnow()
    _changed(uow, "schedule.cancelled", row)
    return row


def cancel_announcement(uow: UnitOfWork, announcement_id: int) -> Announcement:
    """Cancel an announcement that has not been sent, and every schedule it has."""
    ann = service.get_announcement(uow.session, announcement_id)
    if ann.status in ("sent", "cancelled"):
        raise Conflict(
            f"An announcement that is {ann.status} cannot be cancelled.",
            f"ประกาศที่มีสถานะ {ann.status} ยกเลิกไม่ได้",
        )
    for schedule in repo.schedules_of(uow.session, ann.id):
        if schedule.active:
            cancel_schedule(uow, schedule.id, "announcement")
    ann.status, ann.updated_at = "cancelled", utcnow()
    service.changed(uow, "announcement.cancelled", ann)
    return ann


# --- what plays next --------------------------------------------------------------------------


def next_due(
    session: Session, now: datetime, horizon: timedelta, limit: int = 100
) -> list[SlotOut]:
    """The next ``limit`` slots starting in [now, now + horizon), in time order.

    The stored next slot of each schedule is read through the (active, next_due_at) index.
    Later slots of the same schedules inside the horizon are expanded in memory: a schedule
    outside the first ``limit`` rows cannot have a slot earlier than the last row read.
    """
    end = now + horizon
    rows: list[tuple[Any, str, str]] = [
        (r, r.title, r.priority) for r in repo.due_rows(session, now, end, limit)
    ]
    stale = repo.stale(session, now)  # the sweep has not run yet: still show what comes next
    if stale:
        names = repo.titles(session, {s.announcement_id for s in stale})
        rows += [(s, *names.get(s.announcement_id, ("", "routine"))) for s in stale]
    heap: list[tuple[datetime, int, SlotOut]] = []
    for schedule, title, priority in rows:
        first = max(schedule.next_due_at or now, now)
        for slot in occurrences(rule_of(schedule), first, end):
            heapq.heappush(heap, (slot, schedule.id, _slot(schedule, title, priority, slot)))
            if len(heap) > limit * 4:
                heap = heapq.nsmallest(limit, heap)
    return [item for _, _, item in heapq.nsmallest(limit, heap)]


def _slot(schedule: Any, title: str, priority: str, slot: datetime) -> SlotOut:
    return SlotOut(
        schedule_id=schedule.id,
        announcement_id=schedule.announcement_id,
        title=title,
        priority=priority,
        start=slot,
        end=slot + timedelta(seconds=schedule.duration_s),
        zone_ids=list(schedule.zone_ids),
    )


def calendar(session: Session, start: datetime, end: datetime) -> list[SlotOut]:
    """Every slot of every active schedule in [start, end), for a calendar view."""
    if end <= start or end - start > timedelta(days=MAX_CALENDAR_DAYS):
        raise InvalidInput(
            f"Choose an end after the start and at most {MAX_CALENDAR_DAYS} days later.",
            f"วันสิ้นสุดต้องอยู่หลังวันเริ่มและห่างไม่เกิน {MAX_CALENDAR_DAYS} วัน",
        )
    schedules = repo.active_between(session, start.date() - timedelta(days=1), end.date())
    names = repo.titles(session, {s.announcement_id for s in schedules})
    slots = [
        _slot(s, *names.get(s.announcement_id, ("", "routine")), slot)
        for s in schedules
        for slot in occurrences(rule_of(s), start, end)
    ]
    return sorted(slots, key=lambda x: (x.start, x.schedule_id))


# --- outcomes ---------------------------------------------------------------------------------


def record_outcome(
    uow: UnitOfWork,
    schedule_id: int,
    slot_at: datetime,
    outcomes: dict[int, tuple[str, str, str]],
) -> Schedule:
    """Record what happened in each zone of a slot and move the schedule to its next slot."""
    row = get_schedule(uow.session, schedule_id)
    for zone_id, (outcome, reason, reason_th) in outcomes.items():
        _add_outcome(uow, row, slot_at, zone_id, outcome, reason, reason_th)
    if row.next_due_at is not None and slot_at >= row.next_due_at:
        row.next_due_at = next_slot(rule_of(row), slot_at + timedelta(seconds=1))
    return row


def sweep(uow: UnitOfWork, policy: BroadcastSettings, now: datetime | None = None) -> int:
    """Report every slot that passed its grace time unplayed as missed; returns how many."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=policy.missed_grace_s)
    count = 0
    for row in repo.stale(uow.session, cutoff):
        slot = row.next_due_at
        while slot is not None and slot < cutoff and count < MAX_MISSED_PER_SWEEP:
            _report(uow, row, slot, "missed", *_REASONS["missed"])
            count += 1
            slot = next_slot(rule_of(row), slot + timedelta(seconds=1))
        row.next_due_at = slot
    return count


def _report(
    uow: UnitOfWork, row: Schedule, slot: datetime, outcome: str, reason: str, reason_th: str
) -> None:
    for zone_id in row.zone_ids:
        _add_outcome(uow, row, slot, zone_id, outcome, reason, reason_th)


def _add_outcome(
    uow: UnitOfWork,
    row: Schedule,
    slot: datetime,
    zone_id: int,
    outcome: str,
    reason: str,
    reason_th: str,
) -> None:
    if repo.outcome_exists(uow.session, row.id, slot, zone_id):
        return
    item = SlotOutcome(
        schedule_id=row.id,
        announcement_id=row.announcement_id,
        zone_id=zone_id,
        slot_at=slot,
        outcome=outcome,
        reason=reason,
        reason_th=reason_th,
    )
    repo.add(uow.session, item)
    detail: dict[str, Any] = {"slot_at": slot.isoformat(), "zone_id": zone_id, "reason": reason}
    uow.emit(
        RecordChanged(
            action=f"slot.{outcome}", entity_type="schedule", entity_id=str(row.id), detail=detail
        )
    )


def list_outcomes(
    session: Session,
    params: PageParams,
    *,
    outcome: str = "",
    schedule_id: int | None = None,
    unplayed: bool = False,
) -> tuple[list[SlotOutcome], int]:
    """One page of slot outcomes (played, partial, missed, cancelled, failed), newest first."""
    return repo.list_outcomes(
        session, params, outcome=outcome, schedule_id=schedule_id, unplayed=unplayed
    )


def _changed(uow: UnitOfWork, action: str, row: Schedule, **extra: Any) -> None:
    detail = {"announcement_id": row.announcement_id, "kind": row.kind, **extra}
    uow.emit(
        RecordChanged(action=action, entity_type="schedule", entity_id=str(row.id), detail=detail)
    )
