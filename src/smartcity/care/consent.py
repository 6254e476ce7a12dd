"""Consent under PDPA s.26: records per purpose, withdrawal with history, and enforcement.

Health and disability data are sensitive data. Each purpose needs its own explicit consent in
force; the services below refuse what a purpose without consent may not do. One exception is
written in: sharing in an emergency (s.26(1), preventing danger to life, body or health when
the person cannot consent) is allowed without consent if a reason is given, and audited with it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.orm import Session

from smartcity.care import people
from smartcity.care import repository as repo
from smartcity.care.access import Access
from smartcity.care.errors import ConsentRequired
from smartcity.care.models import Consent
from smartcity.care.schemas import ConsentIn, ConsentWithdraw
from smartcity.errors import Conflict, InvalidInput, NotFound
from smartcity.events import RecordChanged, UnitOfWork
from smartcity.kit.clock import utcnow

ENTITY = "care_consent"
# Clocks on phones and paper forms drift; a consent a few minutes "in the future" is not an error.
CLOCK_SLACK: Final = timedelta(minutes=10)


def require_consent(session: Session, person_id: int, purpose: str) -> Consent:
    """The consent in force for a purpose, or ConsentRequired (403)."""
    consent = repo.active_consent(session, person_id, purpose)
    if consent is None:
        raise ConsentRequired(person_id, purpose)
    return consent


def active_consent(session: Session, person_id: int, purpose: str) -> Consent | None:
    """The newest consent in force for a purpose, if any."""
    return repo.active_consent(session, person_id, purpose)


def list_consents(session: Session, access: Access, person_id: int) -> list[Consent]:
    """Every consent record of a person in the caller's zones, withdrawn ones included."""
    people.get_person(session, access, person_id)
    return repo.consents(session, person_id)


def give_consent(uow: UnitOfWork, access: Access, person_id: int, data: ConsentIn) -> Consent:
    """Record a consent; the same purpose and notice version may not be in force twice."""
    _person, household = people.get_person(uow.session, access, person_id)
    people.check_write(access, household.zone_id, set())
    given_at = data.given_at or utcnow()
    _not_future(given_at, "given_at")
    current = repo.active_consent(uow.session, person_id, data.purpose)
    if current is not None and current.notice_version == data.notice_version:
        raise Conflict(
            f"Consent {current.id} for this purpose and notice version is already in force.",
            f"มีความยินยอมหมายเลข {current.id} สำหรับวัตถุประสงค์และประกาศฉบับนี้อยู่แล้ว",
        )
    consent = Consent(
        person_id=person_id,
        **data.model_dump(exclude={"given_at"}),
        given_at=given_at,
        recorded_by=uow.actor.username,
    )
    repo.add(uow.session, consent)
    _changed(uow, "care.consent.given", consent)
    return consent


def withdraw_consent(
    uow: UnitOfWork, access: Access, person_id: int, consent_id: int, data: ConsentWithdraw
) -> Consent:
    """Withdraw a consent: it stops counting from now; the record and earlier use stay."""
    _person, household = people.get_person(uow.session, access, person_id)
    people.check_write(access, household.zone_id, set())
    consent = repo.get_consent(uow.session, consent_id)
    if consent is None or consent.person_id != person_id:
        raise NotFound(
            f"Consent {consent_id} does not exist.", f"ไม่พบความยินยอมหมายเลข {consent_id}"
        )
    if consent.withdrawn_at is not None:
        raise Conflict(
            f"Consent {consent_id} was already withdrawn.",
            f"ความยินยอมหมายเลข {consent_id} ถูกถอนไปแล้ว",
        )
    withdrawn_at = data.withdrawn_at or utcnow()
    _not_future(withdrawn_at, "withdrawn_at")
    if withdrawn_at < consent.given_at:
        raise _bad_time("withdrawn_at", "before the consent was given / ก่อนวันที่ให้ความยินยอม")
    consent.withdrawn_at, consent.withdrawn_by = withdrawn_at, data.withdrawn_by
    consent.withdrawal_note = data.note
    uow.session.flush()
    _changed(uow, "care.consent.withdrawn", consent)
    return consent


def _not_future(value: datetime, field: str) -> None:
    if value > utcnow() + CLOCK_SLACK:
        raise _bad_time(field, "in the future / เป็นเวลาในอนาคต")


def _bad_time(field: str, message: str) -> InvalidInput:
    return InvalidInput(
        f"{field} cannot be {message.split(' / ')[0]}.",
        f"{field} ไม่ถูกต้อง: {message.split(' / ')[1]}",
        errors=[{"field": field, "message": message}],
    )


def _changed(uow: UnitOfWork, action: str, consent: Consent) -> None:
    detail = {"person_id": consent.person_id, "purpose": consent.purpose}
    uow.emit(
        RecordChanged(action=action, entity_type=ENTITY, entity_id=str(consent.id), detail=detail)
    )
