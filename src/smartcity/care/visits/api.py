"""REST routes of care plans and home visits (thin: parse, check permission, call the service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Header, Query, Response, UploadFile

from smartcity.accounts.deps import require
from smartcity.accounts.permissions import Principal
from smartcity.care.access import Access
from smartcity.care.visits import service
from smartcity.care.visits.records import PHOTO_MAX_BYTES
from smartcity.care.visits.schemas import (
    DayOut,
    FrequencyIn,
    FrequencyOut,
    GenerateOut,
    Group,
    Metric,
    OverdueOut,
    PlanIn,
    PlanOut,
    TaskOut,
    ThresholdIn,
    ThresholdOut,
    VisitIn,
    VisitOut,
)
from smartcity.errors import InvalidInput
from smartcity.http import AppSettings, UoW

router = APIRouter(prefix="/api/care", tags=["care visits"])
Reader = Annotated[Principal, Depends(require("care.read"))]
Writer = Annotated[Principal, Depends(require("care.write"))]
Sensitive = Annotated[Principal, Depends(require("care.sensitive"))]
Planner = Annotated[Principal, Depends(require("care.plan"))]
Lat = Annotated[float | None, Query(ge=-90, le=90)]
Lon = Annotated[float | None, Query(ge=-180, le=180)]


@router.get("/visit-frequencies", summary="Visit rhythm per ADL group")
def list_frequencies(uow: UoW, _: Reader) -> list[FrequencyOut]:
    """Days between visits for each group (defaults until a care manager sets them)."""
    return service.list_frequencies(uow.session)


@router.put("/visit-frequencies/{group}", summary="Set a group's visit rhythm")
def set_frequency(group: Group, data: FrequencyIn, uow: UoW, _: Planner) -> FrequencyOut:
    """Change how often a group is visited."""
    return service.set_frequency(uow, group, data.every_days)


@router.get("/visit-thresholds", summary="Abnormal vital-sign thresholds")
def list_thresholds(uow: UoW, _: Reader) -> list[ThresholdOut]:
    """Thresholds per metric."""
    return service.list_thresholds(uow.session)


@router.put("/visit-thresholds/{metric}", summary="Set a metric's thresholds")
def set_threshold(metric: Metric, data: ThresholdIn, uow: UoW, _: Planner) -> ThresholdOut:
    """Change when a vital sign counts as abnormal."""
    return service.set_threshold(uow, metric, data)


@router.get("/people/{person_id}/plan", summary="A person's care plan")
def get_plan(person_id: int, uow: UoW, principal: Reader) -> PlanOut:
    """The person's own rhythm, the one that applies, and their preferred worker."""
    return service.get_plan(uow.session, Access.of(principal), person_id)


@router.put("/people/{person_id}/plan", summary="Write a person's care plan")
def set_plan(person_id: int, data: PlanIn, uow: UoW, principal: Planner) -> PlanOut:
    """Override the group's rhythm for one person."""
    return service.set_plan(uow, Access.of(principal), person_id, data)


@router.post("/visit-tasks/generate", summary="Create the visit tasks now due")
def generate(uow: UoW, _: Planner) -> GenerateOut:
    """The same idempotent run the background sweep does."""
    return service.generate_tasks(uow)


@router.get("/visit-tasks/overdue", summary="Overdue visits by zone and worker")
def overdue(uow: UoW, principal: Reader) -> OverdueOut:
    """Counts of open tasks past their day, in the caller's zones."""
    return service.overdue(uow.session, Access.of(principal))


@router.get("/visit-tasks/overdue/list", summary="Overdue visit tasks")
def overdue_list(uow: UoW, principal: Reader) -> list[TaskOut]:
    """The overdue tasks, oldest first."""
    return service.overdue_list(uow.session, Access.of(principal))


@router.get("/visit-tasks/{task_id}", summary="One visit task")
def get_task(task_id: int, uow: UoW, principal: Reader) -> TaskOut:
    """A task in the caller's zones."""
    return service.task_out(service.get_task(uow.session, Access.of(principal), task_id))


@router.get("/my-day", summary="My visits today, in route order")
def my_day(uow: UoW, principal: Writer, lat: Lat = None, lon: Lon = None) -> DayOut:
    """The caller's open tasks due today or earlier, routed from (lat, lon) or the town centre."""
    return service.worker_day(uow.session, principal.user_id, _start(lat, lon))


@router.get("/workers/{worker_id}/day", summary="A worker's day, in route order")
def worker_day(worker_id: int, uow: UoW, _: Planner, lat: Lat = None, lon: Lon = None) -> DayOut:
    """What a care manager sees of a worker's day."""
    return service.worker_day(uow.session, worker_id, _start(lat, lon))


@router.post("/visits", status_code=201, summary="Record a visit (idempotent)")
def record_visit(
    data: VisitIn,
    uow: UoW,
    settings: AppSettings,
    principal: Writer,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
) -> VisitOut:
    """201 when stored now; 200 with the same visit when the key was seen before."""
    visit, created = service.record_visit(uow, settings, principal, idempotency_key or "", data)
    if not created:
        response.status_code = 200
    return visit


@router.get("/visits/{visit_id}", summary="One visit with vitals (audited)")
def read_visit(visit_id: int, uow: UoW, settings: AppSettings, principal: Sensitive) -> VisitOut:
    """Vitals and notes opened; the read is audited."""
    return service.read_visit(uow, settings, Access.of(principal), visit_id)


@router.post("/visits/{visit_id}/photo", summary="Attach a photo to a visit")
def attach_photo(
    visit_id: int,
    uow: UoW,
    settings: AppSettings,
    principal: Writer,
    photo: Annotated[UploadFile, File()],
) -> VisitOut:
    """A JPEG or PNG, stored once by its checksum."""
    # Read one byte past the limit so the service can tell "too large" from "just fits".
    data = photo.file.read(PHOTO_MAX_BYTES + 1)
    return service.attach_photo(
        uow, settings, Access.of(principal), visit_id, photo.content_type or "", data
    )


@router.get("/people/{person_id}/visits", summary="A person's visits (audited)")
def person_visits(
    person_id: int, uow: UoW, settings: AppSettings, principal: Sensitive
) -> list[VisitOut]:
    """Newest first, with vitals; one audited read."""
    return service.person_visits(uow, settings, Access.of(principal), person_id)


def _start(lat: float | None, lon: float | None) -> tuple[float, float] | None:
    if (lat is None) != (lon is None):
        raise InvalidInput("Give both lat and lon, or neither.", "ต้องระบุทั้ง lat และ lon หรือไม่ระบุทั้งคู่")
    return (lat, lon) if lat is not None and lon is not None else None
