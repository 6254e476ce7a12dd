"""People cared for: registration with duplicate checks, audited sensitive reads, search."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any, Final

from sqlalchemy.orm import Session

from smartcity.care import households
from smartcity.care import repository as repo
from smartcity.care.access import Access
from smartcity.care.identity import format_national_id, phone_query_digits
from smartcity.care.models import Household, Person
from smartcity.care.schemas import Candidate, PersonIn, PersonOut, PersonUpdate, SensitiveOut
from smartcity.care.search import name_tokens, query_tokens
from smartcity.care.sensitive import HEALTH_FIELDS, SENSITIVE_FIELDS, Vault
from smartcity.care.views import age_on, display_name, person_out, today
from smartcity.config import Settings
from smartcity.errors import Conflict, Forbidden, InvalidInput, NotFound
from smartcity.events import RecordChanged, SensitiveRecordRead, UnitOfWork
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams

ENTITY = "care_person"
ELDERLY_AGE: Final = 60  # Older Persons Act B.E. 2546: a Thai national aged 60 or more
ADULT_AGE: Final = 18
SIMILAR_NAME: Final = 0.8  # SequenceMatcher ratio at which two names look like one person
MIN_PHONE_DIGITS: Final = 4
# In an update these fields may be cleared with an explicit null; for others null means "keep".
CLEARABLE: Final = frozenset({"birth_date", "national_id", "caregiver_phone", "caregiver_user_id"})
NAME_FIELDS: Final = ("given_name", "family_name", "given_name_en", "family_name_en")


def get_person(session: Session, access: Access, person_id: int) -> tuple[Person, Household]:
    """A person in the caller's zones with their household, or NotFound."""
    found = repo.get_person(session, person_id)
    if found is None or not access.can_read(found[1].zone_id):
        raise NotFound(f"Person {person_id} does not exist.", f"ไม่พบบุคคลหมายเลข {person_id}")
    return found


def create_person(
    uow: UnitOfWork,
    settings: Settings,
    access: Access,
    data: PersonIn,
    *,
    force: bool = False,
    is_sample: bool = False,
) -> tuple[Person, Household]:
    """Register a person in a household; a likely duplicate is refused unless ``force``."""
    household = households.get_household(uow.session, access, data.household_id)
    check_write(access, household.zone_id, data.model_fields_set)
    vault = Vault(settings)
    _refuse_duplicates(uow.session, vault, access, data, force)
    person = Person(household_id=household.id, is_sample=is_sample)
    _apply(person, vault, data.model_dump(exclude={"household_id"}))
    repo.add(uow.session, person)
    _changed(uow, "care.person.created", person, data.model_fields_set)
    return person, household


def update_person(
    uow: UnitOfWork, settings: Settings, access: Access, person_id: int, data: PersonUpdate
) -> tuple[Person, Household]:
    """Change the given fields; see ``CLEARABLE`` for the fields that null clears."""
    person, household = get_person(uow.session, access, person_id)
    check_write(access, household.zone_id, data.model_fields_set)
    changes = {
        k: v
        for k, v in data.model_dump(exclude_unset=True).items()
        if v is not None or k in CLEARABLE
    }
    if "household_id" in changes:
        household = households.get_household(uow.session, access, changes.pop("household_id"))
        check_write(access, household.zone_id, set())
        person.household_id = household.id
    _check_bed_bound(person, changes)
    vault = Vault(settings)
    _check_id_free(uow.session, vault, changes.get("national_id"), person.id)
    _apply(person, vault, changes)
    person.updated_at = utcnow()
    uow.session.flush()
    _changed(uow, "care.person.updated", person, data.model_fields_set)
    return person, household


def read_person(
    uow: UnitOfWork,
    settings: Settings,
    access: Access,
    person_id: int,
    *,
    include_sensitive: bool = True,
    reveal_national_id: bool = False,
) -> PersonOut:
    """A person; sensitive fields only for callers allowed them, and every such read audited."""
    person, household = get_person(uow.session, access, person_id)
    allowed = access.can_see_sensitive(household.zone_id)
    if reveal_national_id and not allowed:
        raise Forbidden(
            "Your role does not allow reading national IDs (care.sensitive).",
            "บทบาทของคุณไม่มีสิทธิ์ดูเลขประจำตัวประชาชน (care.sensitive)",
        )
    if not (allowed and (include_sensitive or reveal_national_id)):
        return person_out(person, household, None)
    sensitive, fields = open_sensitive(Vault(settings), person, reveal_national_id)
    audit_read(uow, person, "care.person.read", {"fields": fields})
    return person_out(person, household, sensitive)


def open_sensitive(vault: Vault, person: Person, with_id: bool) -> tuple[SensitiveOut, list[str]]:
    """Decrypt a person's health fields (and the ID when asked); returns the fields opened."""
    values: dict[str, Any] = {f: vault.open(f, getattr(person, f"{f}_enc")) for f in HEALTH_FIELDS}
    values["chronic_conditions"] = vault.open_list(
        "chronic_conditions", person.chronic_conditions_enc
    )
    fields = list(HEALTH_FIELDS)
    if with_id:
        digits = vault.open("national_id", person.national_id_enc)
        values["national_id"] = format_national_id(digits) if digits else None
        fields.insert(0, "national_id")
    return SensitiveOut.model_validate(values), fields


def audit_read(uow: UnitOfWork, person: Person, action: str, detail: dict[str, Any]) -> None:
    """Record that sensitive fields of a person were read (detail names the fields)."""
    uow.emit(
        SensitiveRecordRead(
            action=action, entity_type=ENTITY, entity_id=str(person.id), detail=detail
        )
    )


def list_people(
    session: Session,
    access: Access,
    params: PageParams,
    *,
    q: str = "",
    phone: str = "",
    zone_id: int | None = None,
    group: str = "",
    flags: list[str] | None = None,
    household_id: int | None = None,
) -> tuple[list[PersonOut], int]:
    """One page of the caller's people matching a Thai-aware name search and the filters.

    Lists never carry sensitive fields, so listing is not a sensitive read.
    """
    digits = phone_query_digits(phone) if phone.strip() else ""
    if phone.strip() and len(digits) < MIN_PHONE_DIGITS:
        raise InvalidInput(
            f"Search by phone needs at least {MIN_PHONE_DIGITS} digits.",
            f"การค้นหาด้วยหมายเลขโทรศัพท์ต้องมีตัวเลขอย่างน้อย {MIN_PHONE_DIGITS} หลัก",
            errors=[{"field": "phone", "message": "too few digits / ตัวเลขน้อยเกินไป"}],
        )
    rows, total = repo.search_people(
        session,
        params,
        tokens=query_tokens(q),
        phone_digits=digits,
        zone_id=zone_id,
        group=group,
        flags=flags or [],
        household_id=household_id,
        zone_scope=access.read_zones,
    )
    return [person_out(p, h, None) for p, h in rows], total


# --- writing fields ---------------------------------------------------------------------------


def _apply(person: Person, vault: Vault, changes: dict[str, Any]) -> None:
    """Set fields on a person: seal the sensitive ones, index names and phones, derive flags."""
    for key, value in changes.items():
        if key == "national_id":
            _set_national_id(person, vault, value)
        elif key == "chronic_conditions":
            person.chronic_conditions_enc = vault.seal_list(key, [c for c in value if c.strip()])
        elif key in HEALTH_FIELDS:
            setattr(person, f"{key}_enc", vault.seal(key, value.strip()))
        elif key == "phones":
            person.phones = list(dict.fromkeys(value))
            person.phone_index = f" {' '.join(person.phones)} " if person.phones else ""
        elif key in NAME_FIELDS:
            setattr(person, key, " ".join(value.split()))
        elif key == "caregiver_phone":
            person.caregiver_phone = value or ""
        elif key not in ("elderly", "child"):
            setattr(person, key, value)
    if "disability_type" in changes and person.disability_type_enc is not None:
        person.disabled = True
    _derive_age_flags(person, changes)
    person.search_tokens = name_tokens(getattr(person, f) or "" for f in NAME_FIELDS)


def _set_national_id(person: Person, vault: Vault, digits: str | None) -> None:
    person.national_id_hash = vault.id_hash(digits) if digits else None
    person.national_id_enc = vault.seal("national_id", digits) if digits else None
    person.national_id_tail = digits[-3:] if digits else ""


def _derive_age_flags(person: Person, changes: dict[str, Any]) -> None:
    """elderly and child follow the birth date unless given explicitly."""
    age = age_on(person.birth_date, today())
    for flag, derived in (
        ("elderly", age is not None and age >= ELDERLY_AGE),
        ("child", age is not None and age < ADULT_AGE),
    ):
        explicit = changes.get(flag)
        if explicit is not None:
            setattr(person, flag, explicit)
        elif flag in changes or "birth_date" in changes or person.id is None:
            setattr(person, flag, derived)


def check_write(access: Access, zone_id: int | None, fields: set[str]) -> None:
    """Forbidden unless the caller may write in the zone (and write the sensitive ``fields``)."""
    if not access.can_write(zone_id):
        raise Forbidden(
            "This person lives outside the zones you may change.",
            "บุคคลนี้อยู่นอกพื้นที่ที่คุณมีสิทธิ์แก้ไข",
        )
    if fields & set(SENSITIVE_FIELDS) and not access.can_see_sensitive(zone_id):
        raise Forbidden(
            "Writing health, disability or ID fields needs care.sensitive.",
            "การบันทึกข้อมูลสุขภาพ ความพิการ หรือเลขประจำตัวประชาชน ต้องมีสิทธิ์ care.sensitive",
        )


def _check_bed_bound(person: Person, changes: dict[str, Any]) -> None:
    """Once assessed, bed_bound follows the ADL group, so the two can never disagree."""
    wanted = changes.get("bed_bound")
    if wanted is None or person.adl_group is None:
        return
    if wanted != (person.adl_group == "bedbound"):
        raise InvalidInput(
            "bed_bound follows the latest ADL assessment; record a new assessment instead.",
            "สถานะติดเตียงกำหนดจากผลประเมิน ADL ล่าสุด โปรดบันทึกการประเมินใหม่แทน",
            errors=[{"field": "bed_bound", "message": "set by ADL / กำหนดจาก ADL"}],
        )


def _changed(uow: UnitOfWork, action: str, person: Person, fields: set[str]) -> None:
    """Audit a write by field names: the values of sensitive fields never reach the log."""
    detail = {"fields": sorted(fields), "household_id": person.household_id}
    uow.emit(
        RecordChanged(action=action, entity_type=ENTITY, entity_id=str(person.id), detail=detail)
    )


# --- duplicates -------------------------------------------------------------------------------


def _refuse_duplicates(
    session: Session, vault: Vault, access: Access, data: PersonIn, force: bool
) -> None:
    """Same national ID: always refused. Same name and birth date, or phone and similar name:
    refused with the candidates unless ``force``."""
    _check_id_free(session, vault, data.national_id, None)
    if force:
        return
    candidates = _candidates(session, access, data)
    if candidates:
        raise Conflict(
            "This person may already be registered; check the candidates or send force=true.",
            "บุคคลนี้อาจลงทะเบียนไว้แล้ว โปรดตรวจสอบรายชื่อที่คล้ายกัน หรือส่ง force=true เพื่อยืนยัน",
            errors=[
                {"field": "candidates", "message": c.reason, **c.model_dump(mode="json")}
                for c in candidates
            ],
        )


def _check_id_free(session: Session, vault: Vault, digits: str | None, own_id: int | None) -> None:
    if not digits:
        return
    existing = repo.find_by_id_hash(session, vault.id_hash(digits))
    if existing is not None and existing.id != own_id:
        raise Conflict(
            f"A person with this national ID is already registered (id {existing.id}).",
            f"มีผู้ลงทะเบียนด้วยเลขประจำตัวประชาชนนี้แล้ว (หมายเลข {existing.id})",
            errors=[{"field": "national_id", "message": "already registered", "id": existing.id}],
        )


def _candidates(session: Session, access: Access, data: PersonIn) -> list[Candidate]:
    found: dict[int, Candidate] = {}
    if data.birth_date is not None:
        given, family = " ".join(data.given_name.split()), " ".join(data.family_name.split())
        named = repo.people_named(session, given, family, data.birth_date)
        for p, h in named:
            found[p.id] = _candidate(access, p, h, "same name and birth date")
    new_name = f"{data.given_name} {data.family_name}"
    for p, h in repo.people_with_phones(session, list(data.phones)):
        if p.id not in found and _similar(new_name, display_name(p)):
            found[p.id] = _candidate(access, p, h, "same phone and a similar name")
    return list(found.values())


def _similar(a: str, b: str) -> bool:
    a, b = " ".join(a.lower().split()), " ".join(b.lower().split())
    same_given = a.split()[:1] == b.split()[:1]
    return same_given or SequenceMatcher(None, a, b).ratio() >= SIMILAR_NAME


def _candidate(access: Access, person: Person, household: Household, reason: str) -> Candidate:
    """A candidate; people outside the caller's zones show only their id."""
    if not access.can_read(household.zone_id):
        return Candidate(id=person.id, reason=reason, outside_scope=True)
    return Candidate(
        id=person.id, display_name=display_name(person), birth_date=person.birth_date, reason=reason
    )
