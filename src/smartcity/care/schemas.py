"""API shapes of the care domain; messages for people are bilingual ("English / Thai")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from smartcity.care.identity import clean_national_id, clean_postcode, normalise_phone

Sex = Literal["male", "female", "other", "unknown"]
AdlGroup = Literal["social", "homebound", "bedbound"]
Purpose = Literal["care", "share_health_unit", "share_emergency"]
SharePurpose = Literal["share_health_unit", "share_emergency"]
GivenBy = Literal["self", "guardian"]
ConsentMethod = Literal["paper", "electronic", "verbal_witnessed"]
LegalBasis = Literal["consent", "vital_interest"]
Flag = Literal[
    "elderly",
    "bed_bound",
    "disabled",
    "oxygen_dependent",
    "dialysis",
    "pregnant",
    "child",
    "lives_alone",
]
FLAGS: tuple[str, ...] = Flag.__args__  # type: ignore[attr-defined]


def _check_birth(value: date) -> date:
    """A birth date that is not in the future and not before 1880."""
    if not date(1880, 1, 1) <= value <= date.today():
        raise ValueError("The birth date must be in the past. / วันเกิดต้องเป็นวันที่ผ่านมาแล้ว")
    return value


BirthDate = Annotated[date, AfterValidator(_check_birth)]
Phone = Annotated[str, AfterValidator(normalise_phone)]
NationalId = Annotated[str, AfterValidator(clean_national_id)]
Postcode = Annotated[str, AfterValidator(clean_postcode)]
Latitude = Annotated[float, Field(ge=-90, le=90, description="Latitude in degrees (WGS 84)")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="Longitude in degrees (WGS 84)")]
Text200 = Annotated[str, Field(max_length=200)]
Note = Annotated[str, Field(max_length=4000)]


class CareIn(BaseModel):
    """Base of every input shape: refuses NUL characters, which PostgreSQL cannot store in text."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """Refuse text with a NUL character anywhere in it."""
        if _has_nul(value):
            raise ValueError("Text may not contain NUL characters. / ข้อความต้องไม่มีอักขระ NUL")
        return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


# --- households -------------------------------------------------------------------------------


class HouseholdIn(CareIn):
    """A home and its Thai address; the community zone is found from lat/lon when given."""

    house_no: str = Field(min_length=1, max_length=40, description="House number (บ้านเลขที่)")
    moo: str = Field("", max_length=10, description="Village number (หมู่)")
    village: str = Field("", max_length=120, description="Village or housing estate name")
    soi: str = Field("", max_length=120, description="Lane (ซอย)")
    road: str = Field("", max_length=120, description="Road (ถนน)")
    tambon: str = Field(min_length=1, max_length=120, description="Sub-district (ตำบล/แขวง)")
    amphoe: str = Field(min_length=1, max_length=120, description="District (อำเภอ/เขต)")
    changwat: str = Field(min_length=1, max_length=120, description="Province (จังหวัด)")
    postcode: Postcode = Field(description="Five-digit postcode (รหัสไปรษณีย์)")
    lat: Latitude | None = None
    lon: Longitude | None = None
    zone_id: int | None = Field(None, description="Community zone, used only without lat/lon.")
    notes: Note = ""

    @model_validator(mode="after")
    def _both_or_neither(self) -> HouseholdIn:
        """A position needs both coordinates."""
        _check_position(self.lat, self.lon)
        return self


class HouseholdUpdate(CareIn):
    """Fields to change; fields left out keep their value."""

    house_no: str | None = Field(None, min_length=1, max_length=40)
    moo: str | None = Field(None, max_length=10)
    village: str | None = Field(None, max_length=120)
    soi: str | None = Field(None, max_length=120)
    road: str | None = Field(None, max_length=120)
    tambon: str | None = Field(None, min_length=1, max_length=120)
    amphoe: str | None = Field(None, min_length=1, max_length=120)
    changwat: str | None = Field(None, min_length=1, max_length=120)
    postcode: Postcode | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    zone_id: int | None = None
    notes: Note | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> HouseholdUpdate:
        """A position needs both coordinates."""
        _check_position(self.lat, self.lon)
        return self


def _check_position(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise ValueError("Give both lat and lon, or neither. / ต้องระบุทั้งละติจูดและลองจิจูด")


class PersonBrief(BaseModel):
    """A member as listed with a household."""

    id: int
    display_name: str
    age: int | None
    adl_group: AdlGroup | None


class HouseholdOut(BaseModel):
    """A household as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    house_no: str
    moo: str
    village: str
    soi: str
    road: str
    tambon: str
    amphoe: str
    changwat: str
    postcode: str
    address_th: str = ""
    lat: float | None
    lon: float | None
    zone_id: int | None
    notes: str
    is_sample: bool
    members: list[PersonBrief] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


# --- people -----------------------------------------------------------------------------------


class Contact(CareIn):
    """Somebody to call in an emergency."""

    name: str = Field(min_length=1, max_length=200)
    relation: str = Field("", max_length=80)
    phone: Phone


class PersonFields(CareIn):
    """Fields shared by a new person and an update."""

    model_config = ConfigDict(extra="forbid")


class PersonIn(PersonFields):
    """A person to register; flags elderly and child follow the birth date when left out."""

    household_id: int
    given_name: str = Field(min_length=1, max_length=120, description="Given name in Thai")
    family_name: str = Field("", max_length=120, description="Family name in Thai")
    given_name_en: str = Field("", max_length=120)
    family_name_en: str = Field("", max_length=120)
    sex: Sex = "unknown"
    birth_date: BirthDate | None = None
    phones: list[Phone] = Field(default_factory=list, max_length=5)
    national_id: NationalId | None = None
    emergency_contacts: list[Contact] = Field(default_factory=list, max_length=5)
    caregiver_name: Text200 = ""
    caregiver_phone: Phone | None = None
    caregiver_user_id: int | None = None
    elderly: bool | None = None
    bed_bound: bool = False
    disabled: bool = False
    oxygen_dependent: bool = False
    dialysis: bool = False
    pregnant: bool = False
    child: bool | None = None
    lives_alone: bool = False
    disability_type: Text200 = ""
    chronic_conditions: list[Text200] = Field(default_factory=list, max_length=30)
    hearing_notes: Note = ""
    language_notes: Note = ""
    care_notes: Note = ""


class PersonUpdate(PersonFields):
    """Fields to change; fields left out keep their value. An empty string clears a text."""

    household_id: int | None = None
    given_name: str | None = Field(None, min_length=1, max_length=120)
    family_name: str | None = Field(None, max_length=120)
    given_name_en: str | None = Field(None, max_length=120)
    family_name_en: str | None = Field(None, max_length=120)
    sex: Sex | None = None
    birth_date: BirthDate | None = None
    phones: list[Phone] | None = Field(None, max_length=5)
    national_id: NationalId | None = None
    emergency_contacts: list[Contact] | None = Field(None, max_length=5)
    caregiver_name: Text200 | None = None
    caregiver_phone: Phone | None = None
    caregiver_user_id: int | None = None
    elderly: bool | None = None
    bed_bound: bool | None = None
    disabled: bool | None = None
    oxygen_dependent: bool | None = None
    dialysis: bool | None = None
    pregnant: bool | None = None
    child: bool | None = None
    lives_alone: bool | None = None
    disability_type: Text200 | None = None
    chronic_conditions: list[Text200] | None = Field(None, max_length=30)
    hearing_notes: Note | None = None
    language_notes: Note | None = None
    care_notes: Note | None = None


class SensitiveOut(BaseModel):
    """Health, disability and identity fields: shown only to callers with care.sensitive."""

    national_id: str | None = Field(None, description="Full ID, only when asked for (audited).")
    disability_type: str = ""
    chronic_conditions: list[str] = Field(default_factory=list)
    hearing_notes: str = ""
    care_notes: str = ""


class PersonOut(BaseModel):
    """A person as the API shows it; ``sensitive`` is null for callers who may not see it."""

    id: int
    household_id: int
    zone_id: int | None
    given_name: str
    family_name: str
    given_name_en: str
    family_name_en: str
    display_name: str
    sex: Sex
    birth_date: date | None
    age: int | None
    phones: list[str]
    emergency_contacts: list[Contact]
    caregiver_name: str
    caregiver_phone: str
    caregiver_user_id: int | None
    elderly: bool
    bed_bound: bool
    disabled: bool
    oxygen_dependent: bool
    dialysis: bool
    pregnant: bool
    child: bool
    lives_alone: bool
    language_notes: str
    has_national_id: bool
    national_id_masked: str
    adl_score: int | None
    adl_group: AdlGroup | None
    adl_group_th: str
    adl_assessed_at: datetime | None
    is_sample: bool
    created_at: datetime
    updated_at: datetime
    sensitive: SensitiveOut | None = None


class Candidate(BaseModel):
    """A possible duplicate found on create (details only for people in the caller's zones)."""

    id: int
    display_name: str = ""
    birth_date: date | None = None
    reason: str
    outside_scope: bool = False


# --- consent ----------------------------------------------------------------------------------


class ConsentIn(CareIn):
    """Consent given for one purpose; a guardian gives it for minors and incompetent persons."""

    purpose: Purpose
    notice_version: str = Field(min_length=1, max_length=40, description="Privacy notice shown")
    given_by: GivenBy
    guardian_name: Text200 = ""
    guardian_relation: str = Field("", max_length=80)
    given_at: AwareDatetime | None = Field(None, description="When it was given; default now")
    method: ConsentMethod
    evidence_note: Note = Field("", description="Where the signed form or witness record is")

    @model_validator(mode="after")
    def _guardian_named(self) -> ConsentIn:
        """Consent from a guardian must say who the guardian is."""
        if self.given_by == "guardian" and not (
            self.guardian_name.strip() and self.guardian_relation.strip()
        ):
            raise ValueError(
                "Consent given by a guardian needs the guardian's name and relation. "
                "/ ความยินยอมจากผู้ปกครองหรือผู้อนุบาลต้องระบุชื่อและความสัมพันธ์"
            )
        return self


class ConsentWithdraw(CareIn):
    """A withdrawal: who withdrew and when (default now). Earlier processing stays lawful."""

    withdrawn_by: str = Field(min_length=1, max_length=200)
    withdrawn_at: AwareDatetime | None = None
    note: Note = ""


class ConsentOut(BaseModel):
    """A consent record with whether it is in force."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    person_id: int
    purpose: Purpose
    notice_version: str
    given_by: GivenBy
    guardian_name: str
    guardian_relation: str
    given_at: datetime
    method: ConsentMethod
    evidence_note: str
    recorded_by: str
    withdrawn_at: datetime | None
    withdrawn_by: str
    withdrawal_note: str
    active: bool = False


# --- ADL --------------------------------------------------------------------------------------


class AdlIn(CareIn):
    """The ten Barthel items, each within its own range; the total is 0-20."""

    feeding: int = Field(ge=0, le=2)
    grooming: int = Field(ge=0, le=1)
    transfer: int = Field(ge=0, le=3)
    toilet: int = Field(ge=0, le=2)
    mobility: int = Field(ge=0, le=3)
    dressing: int = Field(ge=0, le=2)
    stairs: int = Field(ge=0, le=2)
    bathing: int = Field(ge=0, le=1)
    bowels: int = Field(ge=0, le=2)
    bladder: int = Field(ge=0, le=2)
    assessed_at: AwareDatetime | None = Field(None, description="When assessed; default now")
    assessor: Text200 = ""
    note: Note = ""


class AdlOut(BaseModel):
    """An assessment with its total and group."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    person_id: int
    assessed_at: datetime
    assessor: str
    feeding: int
    grooming: int
    transfer: int
    toilet: int
    mobility: int
    dressing: int
    stairs: int
    bathing: int
    bowels: int
    bladder: int
    total: int
    group: AdlGroup
    group_th: str = ""
    note: str
    recorded_by: str


class ShareOut(BaseModel):
    """What is handed to a health unit or an emergency team, and on what legal basis."""

    purpose: SharePurpose
    legal_basis: LegalBasis
    consent_id: int | None
    reason: str
    shared_at: datetime
    person: PersonOut
    household: HouseholdOut
    latest_adl: AdlOut | None
