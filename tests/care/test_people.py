"""People in the registry: encryption at rest, audited sensitive reads, duplicates, search."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select, text

from smartcity.audit.models import AuditEntry
from smartcity.care import service as care
from smartcity.care.access import Access
from smartcity.care.models import Household, Person
from smartcity.care.schemas import PersonIn, PersonUpdate
from smartcity.config import Settings
from smartcity.errors import Conflict, Forbidden, InvalidInput, NotFound
from smartcity.events import UnitOfWork
from smartcity.kit.pagination import PageParams
from tests.care.conftest import EVERYTHING
from tests.care.support import national_id, person_body

# Reads in every zone, but health fields nowhere: no role has this today, a hotline role may.
PLAIN_READER = Access(read_zones=None, sensitive_zones=frozenset(), write_zones=frozenset())


def _reads(uow: UnitOfWork, person_id: int) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(
        AuditEntry.entity_type == "care_person", AuditEntry.entity_id == str(person_id)
    )
    return [e for e in uow.session.scalars(stmt.order_by(AuditEntry.seq)) if ".read" in e.action]


def _raw_row(uow: UnitOfWork, person_id: int) -> str:
    """Every column of the stored row as text, bytes decoded leniently."""
    row = uow.session.execute(
        text("SELECT * FROM care_people WHERE id = :id"), {"id": person_id}
    ).one()
    parts = []
    for value in row:
        if isinstance(value, bytes | memoryview):
            parts.append(bytes(value).decode("utf-8", "replace"))
            parts.append(bytes(value).hex())
        else:
            parts.append(str(value))
    return "\n".join(parts)


def _make(uow: UnitOfWork, settings: Settings, household: Household, **extra: Any) -> Person:
    data = PersonIn.model_validate(person_body(household.id, **extra))
    person, _ = care.create_person(uow, settings, EVERYTHING, data)
    return person


def test_sensitive_fields_are_not_in_the_raw_row(
    uow: UnitOfWork, settings: Settings, person: Person
) -> None:
    raw = _raw_row(uow, person.id)
    digits = national_id()
    for secret in (digits, digits[:12], "เบาหวาน", "ความดันโลหิตสูง", "แพ้ยาเพนิซิลลิน"):
        assert secret not in raw
        assert secret.encode().hex() not in raw
    assert "สมศรี" in raw  # names are not sensitive: they are what people search by
    assert person.national_id_hash and len(person.national_id_hash) == 64


def test_ciphertext_is_bound_to_its_column(
    uow: UnitOfWork, settings: Settings, person: Person
) -> None:
    # A value copied into another column does not open there.
    person.disability_type_enc = person.care_notes_enc
    with pytest.raises(InvalidTag):
        care.read_person(uow, settings, EVERYTHING, person.id)


def test_sensitive_read_is_audited_with_the_fields(
    uow: UnitOfWork, settings: Settings, person: Person
) -> None:
    out = care.read_person(uow, settings, EVERYTHING, person.id)
    assert out.sensitive is not None
    assert out.sensitive.chronic_conditions == ["เบาหวาน", "ความดันโลหิตสูง"]
    assert out.sensitive.care_notes == "แพ้ยาเพนิซิลลิน"
    assert out.sensitive.national_id is None and out.national_id_masked.endswith(national_id()[-1])
    [entry] = _reads(uow, person.id)
    assert entry.action == "care.person.read"
    assert "national_id" not in json.loads(entry.detail)["fields"]
    assert "chronic_conditions" in json.loads(entry.detail)["fields"]

    revealed = care.read_person(uow, settings, EVERYTHING, person.id, reveal_national_id=True)
    assert revealed.sensitive is not None
    assert revealed.sensitive.national_id == "1-1017-00123-45-6"
    assert json.loads(_reads(uow, person.id)[-1].detail)["fields"][0] == "national_id"


def test_reader_without_care_sensitive_gets_no_health_fields_and_no_audit(
    uow: UnitOfWork, settings: Settings, person: Person
) -> None:
    out = care.read_person(uow, settings, PLAIN_READER, person.id)
    assert out.sensitive is None and out.given_name == "สมศรี"
    assert out.national_id_masked == "x-xxxx-xxxxx-45-6"
    assert _reads(uow, person.id) == []
    with pytest.raises(Forbidden):
        care.read_person(uow, settings, PLAIN_READER, person.id, reveal_national_id=True)


def test_asking_for_no_sensitive_fields_is_not_audited(
    uow: UnitOfWork, settings: Settings, person: Person
) -> None:
    out = care.read_person(uow, settings, EVERYTHING, person.id, include_sensitive=False)
    assert out.sensitive is None and _reads(uow, person.id) == []


def test_writes_are_audited_without_values(
    uow: UnitOfWork, settings: Settings, person: Person
) -> None:
    stmt = select(AuditEntry).where(AuditEntry.action == "care.person.created")
    entry = uow.session.scalars(stmt).one()
    assert "care_notes" in entry.detail and "แพ้ยา" not in entry.detail
    assert national_id() not in entry.detail


def test_zone_scope_hides_people_elsewhere(
    uow: UnitOfWork, settings: Settings, person: Person, household: Household
) -> None:
    assert household.zone_id is not None
    other = Access(read_zones=frozenset({household.zone_id + 1000}), sensitive_zones=None)
    with pytest.raises(NotFound):
        care.read_person(uow, settings, other, person.id)
    rows, total = care.list_people(uow.session, other, PageParams())
    assert (rows, total) == ([], 0)
    mine = Access(read_zones=frozenset({household.zone_id}), sensitive_zones=None)
    rows, total = care.list_people(uow.session, mine, PageParams())
    assert [p.id for p in rows] == [person.id] and total == 1


def test_same_national_id_is_refused_even_with_force(
    uow: UnitOfWork, settings: Settings, person: Person, household: Household
) -> None:
    data = PersonIn.model_validate(
        person_body(household.id, given_name="อื่น", phones=[], national_id=national_id())
    )
    with pytest.raises(Conflict) as err:
        care.create_person(uow, settings, EVERYTHING, data, force=True)
    assert err.value.errors[0]["id"] == person.id


def test_same_name_and_birth_date_needs_force(
    uow: UnitOfWork, settings: Settings, person: Person, household: Household
) -> None:
    data = PersonIn.model_validate(person_body(household.id, phones=[]))
    with pytest.raises(Conflict) as err:
        care.create_person(uow, settings, EVERYTHING, data)
    [candidate] = err.value.errors
    assert candidate["id"] == person.id and candidate["reason"] == "same name and birth date"
    twin, _ = care.create_person(uow, settings, EVERYTHING, data, force=True)
    assert twin.id != person.id


def test_same_phone_and_similar_name_needs_force(
    uow: UnitOfWork, settings: Settings, person: Person, household: Household
) -> None:
    similar = person_body(household.id, birth_date=None, family_name="มีสุขา", phones=["0812345678"])
    with pytest.raises(Conflict) as err:
        care.create_person(uow, settings, EVERYTHING, PersonIn.model_validate(similar))
    assert err.value.errors[0]["reason"] == "same phone and a similar name"
    # Same phone, different person (a spouse sharing the phone): no candidate.
    spouse = person_body(household.id, given_name="บุญมี", family_name="ใจดี", phones=["0812345678"])
    care.create_person(uow, settings, EVERYTHING, PersonIn.model_validate(spouse))


def test_thai_name_search(
    uow: UnitOfWork, settings: Settings, person: Person, household: Household
) -> None:
    _make(
        uow,
        settings,
        household,
        given_name="บุญมี",
        family_name="ศรีน่าน",
        phones=[],
        given_name_en="Boonmee",
        family_name_en="",
    )

    def names(q: str) -> list[str]:
        rows, _ = care.list_people(uow.session, EVERYTHING, PageParams(), q=q)
        return [p.display_name for p in rows]

    assert names("สมศรี") == ["สมศรี มีสุข"]
    assert names("มีสุข") == ["สมศรี มีสุข"]
    assert names("สมศรี มีสุข") == ["สมศรี มีสุข"]
    assert names("ศรีน่าน") == ["บุญมี ศรีน่าน"]
    assert names("somsri") == ["สมศรี มีสุข"] and names("MEES") == ["สมศรี มีสุข"]
    assert names("boon") == ["บุญมี ศรีน่าน"]
    assert names("สมชาย") == []
    assert len(names("")) == 2


def test_phone_search_matches_the_last_digits(
    uow: UnitOfWork, settings: Settings, person: Person
) -> None:
    def ids(phone: str) -> list[int]:
        rows, _ = care.list_people(uow.session, EVERYTHING, PageParams(), phone=phone)
        return [p.id for p in rows]

    assert ids("5678") == [person.id]
    assert ids("081-234-5678") == [person.id] and ids("+66812345678") == [person.id]
    assert ids("1234") == []
    with pytest.raises(InvalidInput):
        ids("78")


def test_flags_follow_the_birth_date_unless_given(
    uow: UnitOfWork, settings: Settings, person: Person, household: Household
) -> None:
    assert person.elderly and not person.child
    kid = _make(uow, settings, household, given_name="เด็กชาย", birth_date="2020-01-01", phones=[])
    assert kid.child and not kid.elderly
    young = _make(
        uow, settings, household, given_name="หนุ่ม", birth_date="1990-01-01", phones=[], elderly=True
    )
    assert young.elderly


def test_update_changes_and_clears_fields(
    uow: UnitOfWork, settings: Settings, person: Person
) -> None:
    data = PersonUpdate.model_validate(
        {"care_notes": "", "national_id": None, "phones": ["056-611-234"], "given_name": "สมศรีใหม่"}
    )
    care.update_person(uow, settings, EVERYTHING, person.id, data)
    assert person.care_notes_enc is None and person.national_id_hash is None
    assert person.phone_index == " +6656611234 " and "สมศรีใหม่" in person.search_tokens
    out = care.read_person(uow, settings, EVERYTHING, person.id)
    assert out.sensitive is not None and out.sensitive.care_notes == ""
    assert out.sensitive.chronic_conditions == ["เบาหวาน", "ความดันโลหิตสูง"]


def test_update_cannot_take_another_persons_id(
    uow: UnitOfWork, settings: Settings, person: Person, household: Household
) -> None:
    other = _make(uow, settings, household, given_name="บุญมี", family_name="", phones=[])
    with pytest.raises(Conflict):
        care.update_person(
            uow, settings, EVERYTHING, other.id, PersonUpdate(national_id=national_id())
        )


def test_writing_health_fields_needs_care_sensitive(
    uow: UnitOfWork, settings: Settings, person: Person
) -> None:
    writer = Access(read_zones=None, sensitive_zones=frozenset(), write_zones=None)
    care.update_person(uow, settings, writer, person.id, PersonUpdate(language_notes="ภาษาถิ่น"))
    with pytest.raises(Forbidden):
        care.update_person(uow, settings, writer, person.id, PersonUpdate(care_notes="x"))
