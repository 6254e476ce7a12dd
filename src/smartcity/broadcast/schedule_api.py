"""REST routes of schedules, the calendar, next-due slots and slot outcomes under /api/broadcast."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Response

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.broadcast import scheduling
from smartcity.broadcast.policy import BroadcastSettings, get_broadcast_settings
from smartcity.broadcast.schemas import (
    ConflictReport,
    OutcomeOut,
    ScheduleIn,
    ScheduleOut,
    SlotOut,
)
from smartcity.http import Paging, UoW
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import Page

router = APIRouter(prefix="/api/broadcast", tags=["broadcast"])
Reader = Annotated[Principal, Depends(require("broadcast.read"))]
Sender = Annotated[Principal, Depends(require("broadcast.send"))]
Policy = Annotated[BroadcastSettings, Depends(get_broadcast_settings)]


@router.post("/schedules/check", summary="Conflicts a schedule would cause (dry run)")
def check(body: ScheduleIn, uow: UoW, policy: Policy, _: Reader) -> ConflictReport:
    """Overlapping slots in the same zones over the next days; nothing is saved."""
    return scheduling.check_conflicts(uow.session, policy, body, utcnow())


@router.post("/schedules", status_code=201, summary="Create a schedule")
def create(
    body: ScheduleIn, uow: UoW, policy: Policy, _: Sender, force: bool = False
) -> ScheduleOut:
    """Save a schedule; 409 with the conflicts unless ``force`` is set."""
    return ScheduleOut.model_validate(scheduling.save_schedule(uow, policy, body, force=force))


@router.get("/schedules", summary="List schedules")
def list_schedules(
    uow: UoW,
    paging: Paging,
    _: Reader,
    announcement_id: int | None = None,
    active: bool | None = None,
) -> Page[ScheduleOut]:
    """Schedules, newest first."""
    rows, total = scheduling.list_schedules(
        uow.session, paging, announcement_id=announcement_id, active=active
    )
    items = [ScheduleOut.model_validate(r) for r in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/schedules/{schedule_id}", summary="One schedule")
def get(schedule_id: int, uow: UoW, _: Reader) -> ScheduleOut:
    """A schedule with its next slot."""
    return ScheduleOut.model_validate(scheduling.get_schedule(uow.session, schedule_id))


@router.put("/schedules/{schedule_id}", summary="Change a schedule")
def update(
    schedule_id: int, body: ScheduleIn, uow: UoW, policy: Policy, _: Sender, force: bool = False
) -> ScheduleOut:
    """Replace the rule; the pending slot, if it moves, is reported as cancelled."""
    row = scheduling.save_schedule(uow, policy, body, force=force, schedule_id=schedule_id)
    return ScheduleOut.model_validate(row)


@router.delete("/schedules/{schedule_id}", status_code=204, summary="Cancel a schedule")
def delete(schedule_id: int, uow: UoW, _: Sender) -> Response:
    """Stop the schedule; its pending slot is reported as cancelled, history is kept."""
    scheduling.cancel_schedule(uow, schedule_id)
    return Response(status_code=204)


@router.get("/calendar", summary="Slots between two dates")
def calendar(
    uow: UoW,
    policy: Policy,
    _: Reader,
    start: Annotated[date, Query(description="First local date (Asia/Bangkok)")],
    end: Annotated[date, Query(description="Last local date, inclusive")],
) -> list[SlotOut]:
    """Every slot from the start of ``start`` to the end of ``end`` in local time."""
    tz = ZoneInfo(policy.timezone)
    begin = datetime.combine(start, time(0), tzinfo=tz)
    finish = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)
    return scheduling.calendar(uow.session, begin, finish)


@router.get("/next-due", summary="The next slots to play")
def next_due(
    uow: UoW,
    _: Reader,
    horizon_minutes: Annotated[int, Query(ge=1, le=60 * 24 * 31)] = 24 * 60,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[SlotOut]:
    """Slots starting from now within the horizon, in time order."""
    return scheduling.next_due(uow.session, utcnow(), timedelta(minutes=horizon_minutes), limit)


@router.get("/slot-outcomes", summary="What became of past slots")
def outcomes(
    uow: UoW,
    paging: Paging,
    _: Reader,
    outcome: str = "",
    schedule_id: int | None = None,
) -> Page[OutcomeOut]:
    """Played, missed, cancelled and failed slots, newest first."""
    rows, total = scheduling.list_outcomes(
        uow.session, paging, outcome=outcome, schedule_id=schedule_id
    )
    items = [OutcomeOut.model_validate(r) for r in rows]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)
