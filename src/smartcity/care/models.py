"""Tables of the care domain: households, people, consent records and ADL assessments.

Health and identity fields are stored only as AES-GCM ciphertext (``*_enc`` columns, see
``care.sensitive``); the national ID is found through a keyed hash, never by its value.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from smartcity.db import Base, UTCDateTime
from smartcity.kit.clock import utcnow


class Household(Base):
    """A home with its Thai address and map position; its community zone follows the position."""

    __tablename__ = "care_households"

    id: Mapped[int] = mapped_column(primary_key=True)
    house_no: Mapped[str] = mapped_column(String(40))
    moo: Mapped[str] = mapped_column(String(10), default="")
    village: Mapped[str] = mapped_column(String(120), default="")
    soi: Mapped[str] = mapped_column(String(120), default="")
    road: Mapped[str] = mapped_column(String(120), default="")
    tambon: Mapped[str] = mapped_column(String(120))
    amphoe: Mapped[str] = mapped_column(String(120))
    changwat: Mapped[str] = mapped_column(String(120))
    postcode: Mapped[str] = mapped_column(String(5))
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    # A zone id, not a foreign key: geography owns that table and may redraw its zones.
    zone_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Person(Base):
    """Somebody the municipality cares for, with flags that rank need in a disaster."""

    __tablename__ = "care_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("care_households.id"), index=True)
    given_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120), default="")
    given_name_en: Mapped[str] = mapped_column(String(120), default="")
    family_name_en: Mapped[str] = mapped_column(String(120), default="")
    # Lower-cased whole words and PyThaiNLP tokens of every name, space-delimited on both sides
    # so that a token (or its prefix) can be matched with a plain LIKE on either backend.
    search_tokens: Mapped[str] = mapped_column(Text, default="")
    sex: Mapped[str] = mapped_column(String(10), default="unknown")
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    phones: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The phones again as " +668... +665... ", for suffix search in SQL.
    phone_index: Mapped[str] = mapped_column(Text, default="")
    national_id_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    national_id_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # The last three digits only, enough for the masked form without decrypting every row.
    national_id_tail: Mapped[str] = mapped_column(String(3), default="")
    emergency_contacts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    caregiver_name: Mapped[str] = mapped_column(String(200), default="")
    caregiver_phone: Mapped[str] = mapped_column(String(20), default="")
    # A user id, not a foreign key: accounts owns users.
    caregiver_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    elderly: Mapped[bool] = mapped_column(Boolean, default=False)
    bed_bound: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    oxygen_dependent: Mapped[bool] = mapped_column(Boolean, default=False)
    dialysis: Mapped[bool] = mapped_column(Boolean, default=False)
    pregnant: Mapped[bool] = mapped_column(Boolean, default=False)
    child: Mapped[bool] = mapped_column(Boolean, default=False)
    lives_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    disability_type_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    chronic_conditions_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    hearing_notes_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    care_notes_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    language_notes: Mapped[str] = mapped_column(Text, default="")
    adl_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    adl_group: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    adl_assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Consent(Base):
    """One consent given for one purpose (PDPA s.26); withdrawal closes it, history stays."""

    __tablename__ = "care_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("care_people.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(30), index=True)
    notice_version: Mapped[str] = mapped_column(String(40))
    given_by: Mapped[str] = mapped_column(String(10))
    guardian_name: Mapped[str] = mapped_column(String(200), default="")
    guardian_relation: Mapped[str] = mapped_column(String(80), default="")
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    method: Mapped[str] = mapped_column(String(20))
    evidence_note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(80), default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_by: Mapped[str] = mapped_column(String(200), default="")
    withdrawal_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdlAssessment(Base):
    """One Barthel ADL assessment (ten items, total 0-20) and the group it puts the person in."""

    __tablename__ = "care_adl_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("care_people.id", ondelete="CASCADE"), index=True
    )
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    assessor: Mapped[str] = mapped_column(String(200), default="")
    feeding: Mapped[int] = mapped_column(Integer)
    grooming: Mapped[int] = mapped_column(Integer)
    transfer: Mapped[int] = mapped_column(Integer)
    toilet: Mapped[int] = mapped_column(Integer)
    mobility: Mapped[int] = mapped_column(Integer)
    dressing: Mapped[int] = mapped_column(Integer)
    stairs: Mapped[int] = mapped_column(Integer)
    bathing: Mapped[int] = mapped_column(Integer)
    bowels: Mapped[int] = mapped_column(Integer)
    bladder: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    group: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
