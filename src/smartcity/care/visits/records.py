"""Visit records: stored once per client key, vitals and notes sealed, abnormal values raised.

A phone that recorded a visit offline retries until it hears back, so the same record may
arrive many times, even twice at once. The idempotency key is unique in the table: the first
insert wins and every retry gets the stored record back.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcity.accounts.permissions import Principal
from smartcity.care import service as care
from smartcity.care.access import Access
from smartcity.care.visits import plans, tasks
from smartcity.care.visits import repository as repo
from smartcity.care.visits.events import VisitVitalsAbnormal
from smartcity.care.visits.models import VisitRecord, VisitTask
from smartcity.care.visits.schemas import VisitIn, VisitOut, Vitals
from smartcity.config import Settings
from smartcity.errors import Conflict, Forbidden, InvalidInput, NotFound
from smartcity.events import RecordChanged, SensitiveRecordRead, UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.kit.crypto import FieldCipher

ENTITY: Final = "care_visit"
KEY_CHARS: Final = frozenset("0123456789abcdefABCDEF-")
# Phones drift; a visit a few minutes "in the future" is a clock, not a lie.
CLOCK_SLACK: Final = timedelta(minutes=10)
PHOTO_TYPES: Final[dict[str, bytes]] = {
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}
PHOTO_MAX_BYTES: Final = 5_000_000


def check_key(key: str | None) -> str:
    """A client idempotency key: a UUID-like token of 16 to 64 hex digits and dashes."""
    if key is None or not 16 <= len(key) <= 64 or not set(key) <= KEY_CHARS:
        raise InvalidInput(
            "Send an Idempotency-Key header (a UUID made on the device).",
            "ต้องส่งส่วนหัว Idempotency-Key (UUID ที่สร้างบนอุปกรณ์)",
            errors=[
                {"field": "Idempotency-Key", "message": "missing or malformed / ไม่มีหรือไม่ถูกต้อง"}
            ],
        )
    return key.lower()


def record_visit(
    uow: UnitOfWork, settings: Settings, principal: Principal, key: str, data: VisitIn
) -> tuple[VisitOut, bool]:
    """Store a visit once per key; returns it and whether it was created now."""
    key, digest = check_key(key), _body_hash(data)
    found = repo.find_visit(uow.session, key)
    if found is not None:
        return _same(found, digest), False
    access = Access.of(principal)
    person_id, task = _target(uow.session, access, data)
    _person, household = care.get_person(uow.session, access, person_id)
    if not (access.can_write(household.zone_id) and access.can_see_sensitive(household.zone_id)):
        raise Forbidden(
            "Recording a visit needs care.write and care.sensitive in the person's zone.",
            "การบันทึกการเยี่ยมต้องมีสิทธิ์ care.write และ care.sensitive ในพื้นที่ของบุคคลนี้",
        )
    care.require_consent(uow.session, person_id, "care")
    visited_at = _when(data.visited_at)
    values = data.vitals.model_dump()
    abnormal = plans.abnormal_metrics(values, plans.effective_thresholds(uow.session))
    row = VisitRecord(
        idempotency_key=key,
        body_hash=digest,
        person_id=person_id,
        task_id=task.id if task else None,
        worker_id=principal.user_id,
        worker_name=principal.username,
        visited_at=visited_at,
        lat=data.lat,
        lon=data.lon,
        vitals_enc=_cipher(settings).encrypt(json.dumps(values), _ctx("vitals")),
        notes_enc=_cipher(settings).encrypt(data.notes, _ctx("notes")) if data.notes else None,
        abnormal=bool(abnormal),
    )
    stored = _insert_once(uow.session, row)
    if stored is not row:  # a twin request won the race; answer with its record
        return _same(stored, digest), False
    _after_insert(uow, row, task, household.zone_id, abnormal)
    return visit_out(row, abnormal), True


def _insert_once(session: Session, row: VisitRecord) -> VisitRecord:
    """Insert under a savepoint; on a duplicate key return the row that is already there."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        existing = repo.find_visit(session, row.idempotency_key)
        if existing is None:
            raise
        return existing
    return row


def _after_insert(
    uow: UnitOfWork,
    row: VisitRecord,
    task: VisitTask | None,
    zone_id: int | None,
    abnormal: list[str],
) -> None:
    """Close the task, audit the write, raise abnormal vitals, plan the next visit."""
    if task is not None and task.status == "open":
        task.status, task.done_at = "done", utcnow()
    uow.session.flush()
    detail = {"person_id": row.person_id, "task_id": row.task_id, "abnormal": bool(abnormal)}
    uow.emit(
        RecordChanged(
            action="care.visit.recorded", entity_type=ENTITY, entity_id=str(row.id), detail=detail
        )
    )
    if abnormal:
        uow.emit(
            VisitVitalsAbnormal(
                visit_id=row.id,
                person_id=row.person_id,
                zone_id=zone_id,
                worker_id=row.worker_id,
                metrics=tuple(abnormal),
            )
        )
    tasks.generate(uow, person_id=row.person_id)


def _target(session: Session, access: Access, data: VisitIn) -> tuple[int, VisitTask | None]:
    """The person visited and the task the visit closes (if one was named)."""
    if data.task_id is None:
        if data.person_id is None:
            raise InvalidInput(
                "Name the task or the person visited.",
                "ต้องระบุงานเยี่ยมหรือบุคคลที่เยี่ยม",
                errors=[{"field": "task_id", "message": "required / จำเป็น"}],
            )
        return data.person_id, None
    task = tasks.get_task(session, access, data.task_id)
    if data.person_id is not None and data.person_id != task.person_id:
        raise InvalidInput(
            "The task belongs to another person.",
            "งานเยี่ยมนี้เป็นของบุคคลอื่น",
            errors=[{"field": "person_id", "message": "does not match the task / ไม่ตรงกับงาน"}],
        )
    return task.person_id, task


def _when(value: datetime | None) -> datetime:
    now = utcnow()
    if value is None:
        return now
    if value.tzinfo is None:
        raise InvalidInput(
            "visited_at needs a time zone.",
            "visited_at ต้องระบุเขตเวลา",
            errors=[{"field": "visited_at", "message": "no time zone / ไม่มีเขตเวลา"}],
        )
    if value > now + CLOCK_SLACK:
        raise InvalidInput(
            "visited_at cannot be in the future.",
            "เวลาเยี่ยมต้องไม่เป็นเวลาในอนาคต",
            errors=[{"field": "visited_at", "message": "in the future / เป็นเวลาในอนาคต"}],
        )
    return value


def _same(row: VisitRecord, digest: str) -> VisitOut:
    if row.body_hash != digest:
        raise Conflict(
            "This Idempotency-Key was already used for a different visit.",
            "Idempotency-Key นี้ถูกใช้กับการเยี่ยมอื่นแล้ว",
        )
    return visit_out(row, None)


def _body_hash(data: VisitIn) -> str:
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _cipher(settings: Settings) -> FieldCipher:
    return FieldCipher(settings.data_key.get_secret_value())


def _ctx(field: str) -> str:
    """Associated data: a value sealed for one column will not open in another."""
    return f"care_visit_records.{field}"


def visit_out(
    row: VisitRecord,
    abnormal: list[str] | None,
    vitals: Vitals | None = None,
    notes: str | None = None,
) -> VisitOut:
    """A visit's API shape (vitals and notes only when opened by ``read_visit``)."""
    return VisitOut(
        id=row.id,
        person_id=row.person_id,
        task_id=row.task_id,
        worker_id=row.worker_id,
        worker_name=row.worker_name,
        visited_at=row.visited_at,
        lat=row.lat,
        lon=row.lon,
        abnormal=row.abnormal,
        abnormal_metrics=abnormal or [],
        has_photo=bool(row.photo_sha256),
        vitals=vitals,
        notes=notes,
    )


def _visible(session: Session, access: Access, visit_id: int) -> tuple[VisitRecord, int | None]:
    row = repo.get_visit(session, visit_id)
    if row is None:
        raise NotFound(f"Visit {visit_id} does not exist.", f"ไม่พบการเยี่ยมหมายเลข {visit_id}")
    _person, household = care.get_person(session, access, row.person_id)  # NotFound off-zone
    return row, household.zone_id


def read_visit(uow: UnitOfWork, settings: Settings, access: Access, visit_id: int) -> VisitOut:
    """A visit with its vitals and notes opened; an audited sensitive read."""
    row, zone_id = _visible(uow.session, access, visit_id)
    if not access.can_see_sensitive(zone_id):
        raise Forbidden(
            "Visit vitals and notes are health data (care.sensitive).",
            "ข้อมูลการเยี่ยมเป็นข้อมูลสุขภาพ ต้องมีสิทธิ์ care.sensitive",
        )
    out = _opened(settings, uow.session, row)
    uow.emit(
        SensitiveRecordRead(
            action="care.visit.read",
            entity_type=ENTITY,
            entity_id=str(row.id),
            detail={"person_id": row.person_id, "fields": ["vitals", "notes"]},
        )
    )
    return out


def person_visits(
    uow: UnitOfWork, settings: Settings, access: Access, person_id: int
) -> list[VisitOut]:
    """A person's visits with vitals, newest first; one audited read for the list."""
    _person, household = care.get_person(uow.session, access, person_id)
    if not access.can_see_sensitive(household.zone_id):
        raise Forbidden(
            "Visit vitals and notes are health data (care.sensitive).",
            "ข้อมูลการเยี่ยมเป็นข้อมูลสุขภาพ ต้องมีสิทธิ์ care.sensitive",
        )
    rows = repo.person_visits(uow.session, person_id)
    out = [_opened(settings, uow.session, r) for r in rows]
    uow.emit(
        SensitiveRecordRead(
            action="care.visit.read",
            entity_type="care_person",
            entity_id=str(person_id),
            detail={"visits": len(rows), "fields": ["vitals", "notes"]},
        )
    )
    return out


def _opened(settings: Settings, session: Session, row: VisitRecord) -> VisitOut:
    cipher = _cipher(settings)
    values = (
        json.loads(cipher.decrypt(bytes(row.vitals_enc), _ctx("vitals"))) if row.vitals_enc else {}
    )
    notes = cipher.decrypt(bytes(row.notes_enc), _ctx("notes")) if row.notes_enc else ""
    abnormal = plans.abnormal_metrics(values, plans.effective_thresholds(session))
    return visit_out(row, abnormal, Vitals.model_validate(values), notes)


def attach_photo(
    uow: UnitOfWork,
    settings: Settings,
    access: Access,
    visit_id: int,
    content_type: str,
    data: bytes,
) -> VisitOut:
    """Keep a JPEG or PNG photo of a visit under the data folder, named by its SHA-256."""
    row, zone_id = _visible(uow.session, access, visit_id)
    if not access.can_write(zone_id):
        raise plans.care_write_refused()
    kind = _photo_kind(content_type, data)
    digest = hashlib.sha256(data).hexdigest()
    folder = photo_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}.{'jpg' if kind == 'image/jpeg' else 'png'}"
    if not target.exists():  # same bytes, same name: a retried upload writes nothing new
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    row.photo_sha256, row.photo_type = digest, kind
    uow.session.flush()
    uow.emit(
        RecordChanged(
            action="care.visit.photo",
            entity_type=ENTITY,
            entity_id=str(row.id),
            detail={"sha256": digest},
        )
    )
    return visit_out(row, None)


def photo_dir(settings: Settings) -> Path:
    """Where visit photos are kept."""
    return settings.data_dir / "visit-photos"


def _photo_kind(content_type: str, data: bytes) -> str:
    """The photo's type, checked against its first bytes (the header alone can lie)."""
    kind = content_type.split(";")[0].strip().lower()
    magic = PHOTO_TYPES.get(kind)
    if magic is None or not data.startswith(magic):
        raise InvalidInput(
            "The photo must be a JPEG or PNG image.",
            "รูปต้องเป็นไฟล์ JPEG หรือ PNG",
            errors=[{"field": "photo", "message": "not a JPEG/PNG image / ไม่ใช่รูป JPEG/PNG"}],
        )
    if len(data) > PHOTO_MAX_BYTES:
        raise InvalidInput(
            f"The photo is larger than {PHOTO_MAX_BYTES // 1_000_000} MB.",
            f"รูปมีขนาดเกิน {PHOTO_MAX_BYTES // 1_000_000} MB",
            errors=[{"field": "photo", "message": "too large / ใหญ่เกินไป"}],
        )
    return kind
