"""Turn stored rows into API shapes: ages, Thai addresses, group labels, masked IDs."""

from __future__ import annotations

from datetime import date
from typing import Final

from smartcity.care.identity import mask_national_id
from smartcity.care.models import AdlAssessment, Consent, Household, Person
from smartcity.care.schemas import (
    AdlOut,
    ConsentOut,
    Contact,
    HouseholdOut,
    PersonBrief,
    PersonOut,
    SensitiveOut,
)
from smartcity.kit.clock import utcnow
from smartcity.kit.thai import to_local

GROUP_LABELS: Final[dict[str, tuple[str, str]]] = {
    "social": ("ติดสังคม", "Socially active"),
    "homebound": ("ติดบ้าน", "Home-bound"),
    "bedbound": ("ติดเตียง", "Bed-bound"),
}


def today() -> date:
    """Today's date in Thailand (ages turn over at local midnight)."""
    return to_local(utcnow()).date()


def age_on(birth: date | None, on: date) -> int | None:
    """Whole years of age on a date."""
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def display_name(person: Person) -> str:
    """The Thai name as people write it: given name, then family name."""
    return f"{person.given_name} {person.family_name}".strip()


def address_th(h: Household) -> str:
    """The address in the Thai order: house no., หมู่, village, ซอย, ถนน, ต., อ., จ., postcode."""
    parts = [h.house_no]
    parts += [f"หมู่ {h.moo}"] if h.moo else []
    parts += [h.village] if h.village else []
    parts += [f"ซอย{h.soi}"] if h.soi else []
    parts += [f"ถนน{h.road}"] if h.road else []
    parts += [f"ต.{h.tambon}", f"อ.{h.amphoe}", f"จ.{h.changwat}", h.postcode]
    return " ".join(parts)


def person_out(person: Person, household: Household, sensitive: SensitiveOut | None) -> PersonOut:
    """A person for the API; ``sensitive`` only when the caller may see it (and it was audited)."""
    group = person.adl_group
    return PersonOut.model_validate(
        {
            **{c: getattr(person, c) for c in _PLAIN},
            "zone_id": household.zone_id,
            "display_name": display_name(person),
            "age": age_on(person.birth_date, today()),
            "emergency_contacts": [Contact.model_validate(c) for c in person.emergency_contacts],
            "has_national_id": person.national_id_hash is not None,
            "national_id_masked": mask_national_id(person.national_id_tail),
            "adl_group_th": GROUP_LABELS[group][0] if group else "",
            "sensitive": sensitive,
        }
    )


_PLAIN: Final = (
    "id",
    "household_id",
    "given_name",
    "family_name",
    "given_name_en",
    "family_name_en",
    "sex",
    "birth_date",
    "phones",
    "caregiver_name",
    "caregiver_phone",
    "caregiver_user_id",
    "elderly",
    "bed_bound",
    "disabled",
    "oxygen_dependent",
    "dialysis",
    "pregnant",
    "child",
    "lives_alone",
    "language_notes",
    "adl_score",
    "adl_group",
    "adl_assessed_at",
    "is_sample",
    "created_at",
    "updated_at",
)


def person_brief(person: Person) -> PersonBrief:
    """A household member in one line."""
    return PersonBrief(
        id=person.id,
        display_name=display_name(person),
        age=age_on(person.birth_date, today()),
        adl_group=person.adl_group,
    )


def household_out(household: Household, members: list[Person] | None = None) -> HouseholdOut:
    """A household with its Thai address and (when given) its members."""
    out = HouseholdOut.model_validate(household)
    out.address_th = address_th(household)
    out.members = [person_brief(p) for p in members or []]
    return out


def consent_out(consent: Consent) -> ConsentOut:
    """A consent record with whether it is in force."""
    out = ConsentOut.model_validate(consent)
    out.active = consent.withdrawn_at is None
    return out


def adl_out(assessment: AdlAssessment) -> AdlOut:
    """An assessment with its group's Thai name."""
    out = AdlOut.model_validate(assessment)
    out.group_th = GROUP_LABELS[assessment.group][0]
    return out
