"""Disaster operations: who is inside an area, check-on tasks, status tracking and live counts.

Listing the people of an area shows health flags (bed-bound, oxygen, dialysis) of people who
may not have consented to sharing: it is done under the vital-interest exception of PDPA
s.26(1) and every listing is an audited sensitive read that says so and names the people.
"""

from __future__ import annotations

import json
from typing import Any, Final

from sqlalchemy.orm import Session

from smartcity.care.access import Access
from smartcity.care.disaster import area as areas
from smartcity.care.disaster import repository as repo
from smartcity.care.disaster.area import index_household as index_household
from smartcity.care.disaster.area import reindex as reindex
from smartcity.care.disaster.models import Check, Operation
from smartcity.care.disaster.ranking import need_score
from smartcity.care.disaster.schemas import (
    STATUSES,
    AreaIn,
    AreaPerson,
    CheckOut,
    Counts,
    OperationIn,
    OperationOut,
    StatusIn,
)
from smartcity.care.models import Household, Person
from smartcity.errors import Conflict, Forbidden, NotFound
from smartcity.events import RecordChanged, SensitiveRecordRead, UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams

ENTITY: Final = "care_disaster_operation"
VITAL_INTEREST: Final = (
    "disaster check-on list: vital interest, PDPA s.26(1) "
    "(preventing danger to life, body or health)"
)


def people_in_area(uow: UnitOfWork, access: Access, data: AreaIn) -> list[AreaPerson]:
    """The caller's people inside an area, ranked by need; an audited sensitive read."""
    area = areas.resolve(uow.session, data)
    found = areas.people_inside(uow.session, access, area.shape)
    _audit_listing(uow, "care.disaster.area_listed", "area", [p.person_id for p in found])
    return found


def create_operation(uow: UnitOfWork, access: Access, data: OperationIn) -> Operation:
    """Open an operation with one check-on task per person the caller may see in the area."""
    area = areas.resolve(uow.session, data.area)
    found = areas.people_inside(uow.session, access, area.shape)
    op = Operation(
        name=" ".join(data.name.split()),
        area_kind="polygon" if area.zone_id is None else "zone",
        zone_id=area.zone_id,
        geometry=json.dumps(area.geojson, ensure_ascii=False),
        created_by=uow.actor.username,
    )
    repo.add(uow.session, op)
    repo.add_checks(
        uow.session,
        (
            Check(operation_id=op.id, person_id=p.person_id, rank=p.rank, need_score=p.need_score)
            for p in found
        ),
    )
    detail = {
        "name": op.name,
        "area_kind": op.area_kind,
        "zone_id": op.zone_id,
        "people": len(found),
    }
    _changed(uow, "care.disaster.operation_created", op, detail)
    return op


def get_operation(session: Session, operation_id: int) -> Operation:
    """An operation, or NotFound."""
    op = repo.get_operation(session, operation_id)
    if op is None:
        raise NotFound(
            f"Operation {operation_id} does not exist.", f"ไม่พบปฏิบัติการหมายเลข {operation_id}"
        )
    return op


def list_operations(
    session: Session, params: PageParams, status: str = ""
) -> tuple[list[Operation], int]:
    """One page of operations, newest first."""
    return repo.list_operations(session, params, status)


def counts(session: Session, access: Access, operation_id: int) -> Counts:
    """The live count of an operation within the caller's zones (no names: not audited)."""
    get_operation(session, operation_id)
    by_status = repo.count_by_status(session, operation_id, access.read_zones)
    return Counts(total=sum(by_status.values()), **{s: by_status.get(s, 0) for s in STATUSES})


def operation_out(session: Session, access: Access, op: Operation) -> OperationOut:
    """An operation with its counts."""
    return OperationOut(
        id=op.id,
        name=op.name,
        area_kind=op.area_kind,
        zone_id=op.zone_id,
        geometry=json.loads(op.geometry),
        status="closed" if op.status == "closed" else "open",
        created_by=op.created_by,
        created_at=op.created_at,
        closed_at=op.closed_at,
        counts=counts(session, access, op.id),
    )


def list_checks(
    uow: UnitOfWork,
    access: Access,
    operation_id: int,
    params: PageParams,
    status: str = "",
) -> tuple[list[CheckOut], int]:
    """One page of an operation's check-on list in rank order; an audited sensitive read."""
    get_operation(uow.session, operation_id)
    rows, total = repo.checks(uow.session, operation_id, access.read_zones, params, status)
    items = [_check_out(c, p, h) for c, p, h in rows]
    _audit_listing(
        uow, "care.disaster.checks_listed", str(operation_id), [i.person_id for i in items]
    )
    return items, total


def _check_out(c: Check, p: Person, h: Household) -> CheckOut:
    return CheckOut(
        **areas.area_person(p, h, need_score(p), c.rank).model_dump(),
        status=c.status,
        note=c.note,
        updated_by=c.updated_by,
        updated_at=c.updated_at,
    )


def mark(
    uow: UnitOfWork, access: Access, operation_id: int, person_id: int, data: StatusIn
) -> Check:
    """Record what the checker found for one person (who and when are kept)."""
    op = get_operation(uow.session, operation_id)
    if op.status == "closed":
        raise Conflict(
            f"Operation {operation_id} is closed.", f"ปฏิบัติการหมายเลข {operation_id} ปิดแล้ว"
        )
    found = repo.check_with_zone(uow.session, operation_id, person_id)
    if found is None or not access.can_read(found[1]):
        raise NotFound(
            f"Person {person_id} is not on operation {operation_id}'s list.",
            f"ไม่พบบุคคลหมายเลข {person_id} ในรายชื่อของปฏิบัติการ {operation_id}",
        )
    check, zone_id = found
    if not access.can_write(zone_id):
        raise Forbidden(
            "This person lives outside the zones you may change.",
            "บุคคลนี้อยู่นอกพื้นที่ที่คุณมีสิทธิ์แก้ไข",
        )
    check.status, check.note = data.status, data.note.replace("\x00", "").strip()
    check.updated_by, check.updated_at = uow.actor.username, utcnow()
    uow.session.flush()
    detail = {"person_id": person_id, "status": data.status}
    _changed(uow, "care.disaster.check_marked", op, detail)
    return check


def close_operation(uow: UnitOfWork, operation_id: int) -> Operation:
    """Close an operation: statuses stay as history and can no longer change."""
    op = get_operation(uow.session, operation_id)
    if op.status == "closed":
        raise Conflict(
            f"Operation {operation_id} is already closed.", f"ปฏิบัติการหมายเลข {operation_id} ปิดไปแล้ว"
        )
    op.status, op.closed_at = "closed", utcnow()
    uow.session.flush()
    _changed(uow, "care.disaster.operation_closed", op, {})
    return op


def _audit_listing(uow: UnitOfWork, action: str, entity_id: str, person_ids: list[int]) -> None:
    uow.emit(
        SensitiveRecordRead(
            action=action,
            entity_type=ENTITY,
            entity_id=entity_id,
            detail={"reason": VITAL_INTEREST, "people": len(person_ids), "person_ids": person_ids},
        )
    )


def _changed(uow: UnitOfWork, action: str, op: Operation, detail: dict[str, Any]) -> None:
    uow.emit(RecordChanged(action=action, entity_type=ENTITY, entity_id=str(op.id), detail=detail))


def check_of(uow: UnitOfWork, access: Access, operation_id: int, person_id: int) -> CheckOut:
    """One person's line of an operation's list (after marking); an audited read of one."""
    found = repo.check_with_zone(uow.session, operation_id, person_id)
    if found is None or not access.can_read(found[1]):
        raise NotFound(
            f"Person {person_id} is not on operation {operation_id}'s list.",
            f"ไม่พบบุคคลหมายเลข {person_id} ในรายชื่อของปฏิบัติการ {operation_id}",
        )
    rows, _ = repo.checks(uow.session, operation_id, None, PageParams(1, 1), "", person_id)
    c, p, h = rows[0]
    _audit_listing(uow, "care.disaster.checks_listed", str(operation_id), [person_id])
    return _check_out(c, p, h)
