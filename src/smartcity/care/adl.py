"""Barthel ADL assessments: ten items scored 0-20, history per person, and the care group.

Groups used by Thai long-term care: ติดสังคม (social) 12-20, ติดบ้าน (homebound) 5-11,
ติดเตียง (bedbound) 0-4. The person's current group follows their newest assessment and a
change of group is an event, because visit frequency and care plans depend on it.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from smartcity.care import people
from smartcity.care import repository as repo
from smartcity.care.access import Access
from smartcity.care.consent import require_consent
from smartcity.care.events import AdlGroupChanged
from smartcity.care.models import AdlAssessment, Person
from smartcity.care.schemas import AdlIn
from smartcity.errors import Forbidden, InvalidInput
from smartcity.events import RecordChanged, SensitiveRecordRead, UnitOfWork
from smartcity.kit.clock import utcnow

ENTITY = "care_adl"
# Each Barthel item and its highest score; the lowest is always 0.
ITEMS: Final[dict[str, int]] = {
    "feeding": 2,
    "grooming": 1,
    "transfer": 3,
    "toilet": 2,
    "mobility": 3,
    "dressing": 2,
    "stairs": 2,
    "bathing": 1,
    "bowels": 2,
    "bladder": 2,
}
MAX_TOTAL: Final = sum(ITEMS.values())  # 20
SOCIAL_MIN: Final = 12
HOMEBOUND_MIN: Final = 5


def adl_group(total: int) -> str:
    """The care group of a Barthel total: social (>= 12), homebound (5-11), bedbound (0-4)."""
    if not 0 <= total <= MAX_TOTAL:
        raise ValueError(f"ADL total must be 0..{MAX_TOTAL}, not {total}")
    if total >= SOCIAL_MIN:
        return "social"
    return "homebound" if total >= HOMEBOUND_MIN else "bedbound"


def score(data: AdlIn) -> int:
    """The Barthel total of an assessment (items already range-checked by the schema)."""
    return sum(getattr(data, item) for item in ITEMS)


def assess(uow: UnitOfWork, access: Access, person_id: int, data: AdlIn) -> AdlAssessment:
    """Record an assessment; needs the person's consent for care (it is health data)."""
    person, household = people.get_person(uow.session, access, person_id)
    people.check_write(access, household.zone_id, set())
    _need_sensitive(access, household.zone_id)
    require_consent(uow.session, person_id, "care")
    assessed_at = data.assessed_at or utcnow()
    if assessed_at > utcnow():
        raise InvalidInput(
            "assessed_at cannot be in the future.",
            "วันที่ประเมินต้องไม่เป็นเวลาในอนาคต",
            errors=[{"field": "assessed_at", "message": "in the future / เป็นเวลาในอนาคต"}],
        )
    total = score(data)
    row = AdlAssessment(
        person_id=person_id,
        **data.model_dump(exclude={"assessed_at"}),
        assessed_at=assessed_at,
        total=total,
        group=adl_group(total),
        recorded_by=uow.actor.username,
    )
    repo.add(uow.session, row)
    detail = {"person_id": person_id}
    uow.emit(
        RecordChanged(
            action="care.adl.assessed", entity_type=ENTITY, entity_id=str(row.id), detail=detail
        )
    )
    _follow_latest(uow, person, row)
    return row


def history(uow: UnitOfWork, access: Access, person_id: int) -> list[AdlAssessment]:
    """A person's assessments, newest first; reading them is an audited sensitive read."""
    _person, household = people.get_person(uow.session, access, person_id)
    _need_sensitive(access, household.zone_id)
    rows = repo.adl_history(uow.session, person_id)
    uow.emit(
        SensitiveRecordRead(
            action="care.adl.read",
            entity_type=people.ENTITY,
            entity_id=str(person_id),
            detail={"fields": ["adl"], "assessments": len(rows)},
        )
    )
    return rows


def latest(session: Session, person_id: int) -> AdlAssessment | None:
    """A person's newest assessment (no audit: for services that audit their own read)."""
    return repo.latest_adl(session, person_id)


def _follow_latest(uow: UnitOfWork, person: Person, row: AdlAssessment) -> None:
    """Put the person in the group of their newest assessment (an older one entered late: no)."""
    newest = repo.latest_adl(uow.session, person.id)
    if newest is None or newest.id != row.id:
        return
    old = person.adl_group
    person.adl_score, person.adl_group, person.adl_assessed_at = (
        row.total,
        row.group,
        row.assessed_at,
    )
    # bed_bound is the ADL group's answer once a person is assessed (see people._check_bed_bound).
    person.bed_bound = row.group == "bedbound"
    person.updated_at = utcnow()
    uow.session.flush()
    if old != row.group:
        uow.emit(
            AdlGroupChanged(
                action="care.adl.group_changed",
                entity_type=people.ENTITY,
                entity_id=str(person.id),
                detail={"from": old, "to": row.group, "score": row.total},
                person_id=person.id,
                old_group=old,
                new_group=row.group,
                score=row.total,
            )
        )


def _need_sensitive(access: Access, zone_id: int | None) -> None:
    if not access.can_see_sensitive(zone_id):
        raise Forbidden(
            "ADL assessments are health data; they need care.sensitive.",
            "ผลประเมิน ADL เป็นข้อมูลสุขภาพ ต้องมีสิทธิ์ care.sensitive",
        )
