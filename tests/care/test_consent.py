"""Consent under PDPA s.26: records, withdrawal with history, and what the service refuses."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from smartcity.audit.models import AuditEntry
from smartcity.care import service as care
from smartcity.care.models import Person
from smartcity.care.schemas import ConsentIn, ConsentWithdraw
from smartcity.config import Settings
from smartcity.errors import Conflict, InvalidInput, NotFound
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow
from tests.care.conftest import EVERYTHING
from tests.care.support import consent_body


def _give(uow: UnitOfWork, person: Person, purpose: str, **extra: object) -> int:
    data = ConsentIn.model_validate(consent_body(purpose, **extra))
    return care.give_consent(uow, EVERYTHING, person.id, data).id


def _withdraw(uow: UnitOfWork, person: Person, consent_id: int) -> None:
    data = ConsentWithdraw(withdrawn_by="ตัวผู้ให้ความยินยอมเอง", note="ขอถอนทางโทรศัพท์")
    care.withdraw_consent(uow, EVERYTHING, person.id, consent_id, data)


def _shares(uow: UnitOfWork) -> list[dict[str, object]]:
    stmt = select(AuditEntry).where(AuditEntry.action == "care.person.shared")
    return [json.loads(e.detail) for e in uow.session.scalars(stmt.order_by(AuditEntry.seq))]


def test_require_consent(uow: UnitOfWork, person: Person) -> None:
    with pytest.raises(care.ConsentRequired) as err:
        care.require_consent(uow.session, person.id, "care")
    assert err.value.status == 403 and err.value.code == "consent-required"
    consent_id = _give(uow, person, "care")
    assert care.require_consent(uow.session, person.id, "care").id == consent_id
    with pytest.raises(care.ConsentRequired):
        care.require_consent(uow.session, person.id, "share_health_unit")


def test_share_with_health_unit_follows_consent(
    uow: UnitOfWork, settings: Settings, person: Person
) -> None:
    with pytest.raises(care.ConsentRequired):
        care.share_person(uow, settings, EVERYTHING, person.id, "share_health_unit")
    consent_id = _give(uow, person, "share_health_unit")
    shared = care.share_person(uow, settings, EVERYTHING, person.id, "share_health_unit")
    assert shared.legal_basis == "consent" and shared.consent_id == consent_id
    assert shared.person.sensitive is not None
    assert shared.person.sensitive.national_id == "1-1017-00123-45-6"
    assert shared.household.members[0].id == person.id
    [audit] = _shares(uow)
    assert audit["legal_basis"] == "consent" and "national_id" in audit["fields"]  # type: ignore[operator]

    _withdraw(uow, person, consent_id)
    with pytest.raises(care.ConsentRequired):
        care.share_person(uow, settings, EVERYTHING, person.id, "share_health_unit")
    history = care.list_consents(uow.session, EVERYTHING, person.id)
    assert [c.id for c in history] == [consent_id] and history[0].withdrawn_at is not None


def test_emergency_share_under_vital_interest_needs_a_reason(
    uow: UnitOfWork, settings: Settings, person: Person
) -> None:
    with pytest.raises(care.ConsentRequired) as err:
        care.share_person(uow, settings, EVERYTHING, person.id, "share_emergency", "short")
    assert "reason" in err.value.detail
    reason = "หมดสติ ไม่สามารถให้ความยินยอมได้ ส่งต่อ 1669"
    shared = care.share_person(uow, settings, EVERYTHING, person.id, "share_emergency", reason)
    assert shared.legal_basis == "vital_interest" and shared.consent_id is None
    [audit] = _shares(uow)
    assert audit["legal_basis"] == "vital_interest" and audit["reason"] == reason


def test_emergency_share_with_consent_needs_no_reason(
    uow: UnitOfWork, settings: Settings, person: Person
) -> None:
    _give(uow, person, "share_emergency")
    shared = care.share_person(uow, settings, EVERYTHING, person.id, "share_emergency")
    assert shared.legal_basis == "consent"


def test_a_new_consent_after_withdrawal_keeps_both(uow: UnitOfWork, person: Person) -> None:
    first = _give(uow, person, "care")
    _withdraw(uow, person, first)
    second = _give(uow, person, "care")
    rows = care.list_consents(uow.session, EVERYTHING, person.id)
    assert {c.id for c in rows} == {first, second}
    assert care.require_consent(uow.session, person.id, "care").id == second


def test_same_consent_twice_conflicts_but_a_new_notice_does_not(
    uow: UnitOfWork, person: Person
) -> None:
    _give(uow, person, "care")
    with pytest.raises(Conflict):
        _give(uow, person, "care")
    _give(uow, person, "care", notice_version="2569-02")


def test_withdrawing_twice_or_someone_elses_consent(
    uow: UnitOfWork, person: Person, settings: Settings
) -> None:
    consent_id = _give(uow, person, "care")
    _withdraw(uow, person, consent_id)
    with pytest.raises(Conflict):
        _withdraw(uow, person, consent_id)
    with pytest.raises(NotFound):
        care.withdraw_consent(
            uow, EVERYTHING, person.id, consent_id + 999, ConsentWithdraw(withdrawn_by="x")
        )


def test_guardian_consent_names_the_guardian() -> None:
    with pytest.raises(ValidationError, match="guardian"):
        ConsentIn.model_validate(consent_body(given_by="guardian"))
    ok = ConsentIn.model_validate(
        consent_body(given_by="guardian", guardian_name="นางมาลี", guardian_relation="มารดา")
    )
    assert ok.given_by == "guardian"


def test_consent_times_are_checked(uow: UnitOfWork, person: Person) -> None:
    future = (utcnow() + timedelta(days=2)).isoformat()
    with pytest.raises(InvalidInput):
        _give(uow, person, "care", given_at=future)
    consent_id = _give(uow, person, "care")
    early = ConsentWithdraw(withdrawn_by="x", withdrawn_at=utcnow() - timedelta(days=5))
    with pytest.raises(InvalidInput):
        care.withdraw_consent(uow, EVERYTHING, person.id, consent_id, early)
