"""Sharing a person's record outside the municipality, only on a lawful basis (PDPA s.26).

With the health unit: only with the person's consent for that purpose. In an emergency:
with consent, or without it when the sharer states a reason, under the vital-interest
exception (s.26(1): preventing danger to life, body or health when consent cannot be had).
Either way the share is an audited sensitive read that names the basis and the fields.
"""

from __future__ import annotations

from typing import Final

from smartcity.care import adl, consent, households, people
from smartcity.care.access import Access
from smartcity.care.errors import ConsentRequired
from smartcity.care.schemas import ShareOut
from smartcity.care.sensitive import Vault
from smartcity.care.views import adl_out, household_out, person_out
from smartcity.config import Settings
from smartcity.errors import Forbidden
from smartcity.events import UnitOfWork
from smartcity.kit.clock import utcnow

MIN_REASON: Final = 10  # a vital-interest share must say why in a sentence, not "x"


def share_person(
    uow: UnitOfWork,
    settings: Settings,
    access: Access,
    person_id: int,
    purpose: str,
    reason: str = "",
) -> ShareOut:
    """The record to hand over for ``purpose``, refused without a lawful basis."""
    reason = reason.replace("\x00", "").strip()
    person, household = people.get_person(uow.session, access, person_id)
    if not access.can_see_sensitive(household.zone_id):
        raise Forbidden(
            "Sharing a record needs care.sensitive.", "การส่งต่อข้อมูลต้องมีสิทธิ์ care.sensitive"
        )
    basis, consent_id = _basis(uow, person_id, purpose, reason)
    sensitive, fields = people.open_sensitive(Vault(settings), person, with_id=True)
    latest = adl.latest(uow.session, person_id)
    detail = {
        "purpose": purpose,
        "legal_basis": basis,
        "consent_id": consent_id,
        "reason": reason,
        "fields": [*fields, "adl"] if latest else fields,
    }
    people.audit_read(uow, person, "care.person.shared", detail)
    return ShareOut(
        purpose=purpose,
        legal_basis=basis,
        consent_id=consent_id,
        reason=reason,
        shared_at=utcnow(),
        person=person_out(person, household, sensitive),
        household=household_out(household, households.members(uow.session, household.id)),
        latest_adl=adl_out(latest) if latest else None,
    )


def _basis(uow: UnitOfWork, person_id: int, purpose: str, reason: str) -> tuple[str, int | None]:
    """The legal basis for a share: the consent in force, or the vital-interest exception."""
    found = consent.active_consent(uow.session, person_id, purpose)
    if found is not None:
        return "consent", found.id
    if purpose == "share_emergency" and len(reason) >= MIN_REASON:
        return "vital_interest", None
    if purpose == "share_emergency":
        raise ConsentRequired(
            person_id,
            purpose,
            f"Without consent, give the emergency reason (at least {MIN_REASON} characters).",
            f"หากไม่มีความยินยอม ต้องระบุเหตุฉุกเฉิน (อย่างน้อย {MIN_REASON} ตัวอักษร)",
        )
    raise ConsentRequired(person_id, purpose)
