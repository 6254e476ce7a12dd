"""Fictitious people for the demo, spread over the sample community zones.

Every name says (บุคคลสมมติ) "fictitious person", every row has is_sample set, no sample person
has a national ID (a made-up one could belong to somebody real) and phone numbers come from a
fixed-line block used only here.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any, Final

from shapely.geometry import Point, shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartcity.care import adl, consent, households, people
from smartcity.care.access import Access
from smartcity.care.models import Person
from smartcity.care.schemas import AdlIn, ConsentIn, Contact, HouseholdIn, PersonIn
from smartcity.care.views import today
from smartcity.config import Settings
from smartcity.events import UnitOfWork
from smartcity.geo import service as geo
from smartcity.kit.clock import utcnow
from smartcity.kit.pagination import PageParams

MARK: Final = " (บุคคลสมมติ)"
SEED: Final = 2569
PEOPLE_PER_ZONE: Final = 3
NOTICE: Final = "care-notice-2569-01"
GIVEN: Final = (
    ("สมศรี", "female"), ("บุญมี", "male"), ("ประยูร", "male"), ("มาลี", "female"),
    ("สมชาย", "male"), ("จำปา", "female"), ("ทองดี", "male"), ("บัวผัน", "female"),
    ("สุดใจ", "female"), ("วิชัย", "male"), ("คำปุน", "female"), ("เสถียร", "male"),
    ("ลำดวน", "female"), ("ประเสริฐ", "male"), ("สายทอง", "female"), ("อำนวย", "male"),
)  # fmt: skip
FAMILY: Final = (
    "มีสุข", "ใจดี", "ศรีน่าน", "บุญเรือง", "แก้วมณี", "ทองคำ", "พิจิตรกุล", "ริมน้ำ",
    "สุขใจ", "บ้านสวน", "ชาวเหนือ", "รักถิ่น",
)  # fmt: skip
CONDITIONS: Final = ("เบาหวาน", "ความดันโลหิตสูง", "ไตวายเรื้อรัง", "โรคหัวใจ", "ปอดอุดกั้นเรื้อรัง")
DISABILITIES: Final = ("ทางการเคลื่อนไหว", "ทางการมองเห็น", "ทางการได้ยิน")
# ADL totals to draw from: mostly socially active, some home-bound, a few bed-bound.
ADL_TOTALS: Final = (20, 18, 16, 14, 12, 11, 9, 6, 5, 4, 2, 0)


def load_sample_people(uow: UnitOfWork, settings: Settings) -> int:
    """Create about 30 fictitious people in the sample communities; returns how many were made.

    Does nothing when sample people already exist, or when no community zone is loaded.
    """
    if _sample_count(uow.session):
        return 0
    rng = random.Random(SEED)  # noqa: S311 (sample data, not secrets)
    made = 0
    for zone_no, spots in enumerate(_zone_spots(uow.session, rng)):
        household_id = 0
        for n in range(PEOPLE_PER_ZONE + zone_no % 2):
            if n % 2 == 0:  # every second person shares a home with the one before
                lat, lon = spots[n // 2]
                household_id = _household(uow, rng, zone_no * 10 + n, lat, lon)
            _person(uow, settings, rng, household_id, zone_no * 10 + n)
            made += 1
    return made


def _sample_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(Person.is_sample.is_(True))) or 0


def _zone_spots(session: Session, rng: random.Random) -> list[list[tuple[float, float]]]:
    """Per community zone, a few points inside it (checked with the geography service)."""
    zones, _total = geo.list_zones(session, PageParams(1, 200), kind="community")
    out = []
    for zone in zones:
        poly = shape(json.loads(zone.geometry))
        out.append([_spot_in(session, poly, zone.id, rng) for _ in range(2)])
    return out


def _spot_in(session: Session, poly: Any, zone_id: int, rng: random.Random) -> tuple[float, float]:
    minx, miny, maxx, maxy = poly.bounds
    for _ in range(50):
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        found = geo.zone_at(session, lat, lon)
        if poly.contains(Point(lon, lat)) and found is not None and found.id == zone_id:
            return round(lat, 6), round(lon, 6)
    point = poly.representative_point()
    return point.y, point.x


def _household(uow: UnitOfWork, rng: random.Random, n: int, lat: float, lon: float) -> int:
    """A sample household at the given point; returns its id."""
    data = HouseholdIn(
        house_no=f"{rng.randint(1, 299)}/{n % 9 + 1}",
        moo=str(n % 6 + 1),
        soi=f"บุษบา {n % 5 + 1}" if n % 3 == 0 else "",
        road=rng.choice(("บุษบา", "ศรีมาลา", "คลองคะเชนทร์", "สระหลวง", "ประชาราษฎร์")),
        tambon="ในเมือง",
        amphoe="เมืองพิจิตร",
        changwat="พิจิตร",
        postcode="66000",
        lat=lat,
        lon=lon,
        notes="ครัวเรือนตัวอย่าง (ข้อมูลสมมติ)",
    )
    return households.create_household(uow, Access.everything(), data, is_sample=True).id


def _person(
    uow: UnitOfWork, settings: Settings, rng: random.Random, household_id: int, n: int
) -> None:
    """One fictitious person with flags, consents and (when consented) an ADL history."""
    given, sex = GIVEN[n % len(GIVEN)]
    age = rng.choice((8, 34, 62, 67, 71, 74, 78, 81, 85, 90))
    conditions = rng.sample(CONDITIONS, k=rng.randint(0, 2)) if age > 50 else []
    disabled = rng.random() < 0.25
    data = PersonIn(
        household_id=household_id,
        given_name=given,
        family_name=FAMILY[(n * 7) % len(FAMILY)] + MARK,
        sex=sex,
        birth_date=_birth(rng, age),
        phones=[f"056-000-{100 + n:03d}"],
        emergency_contacts=[
            Contact(name="ญาติ (บุคคลสมมติ)", relation="บุตร", phone=f"056-001-{100 + n:03d}")
        ],
        lives_alone=age > 60 and rng.random() < 0.3,
        disabled=disabled,
        disability_type=rng.choice(DISABILITIES) if disabled else "",
        chronic_conditions=conditions,
        oxygen_dependent="ปอดอุดกั้นเรื้อรัง" in conditions,
        dialysis="ไตวายเรื้อรัง" in conditions,
        pregnant=sex == "female" and age == 34 and rng.random() < 0.5,
        care_notes="ข้อมูลสมมติสำหรับการสาธิต" if conditions else "",
        language_notes="พูดภาษาถิ่นเหนือ" if n % 5 == 0 else "",
    )
    person, _household = people.create_person(
        uow, settings, Access.everything(), data, force=True, is_sample=True
    )
    _consents_and_adl(uow, rng, person.id, age)


def _birth(rng: random.Random, age: int) -> date:
    return today() - timedelta(days=age * 365 + rng.randint(10, 300))


def _consents_and_adl(uow: UnitOfWork, rng: random.Random, person_id: int, age: int) -> None:
    if rng.random() < 0.15:
        return  # not yet consented: the demo shows what the service refuses
    minor = age < 10
    for purpose in ("care", "share_health_unit", "share_emergency")[: rng.randint(1, 3)]:
        consent.give_consent(uow, Access.everything(), person_id, _consent(purpose, minor))
    if age < 60:
        return
    total = rng.choice(ADL_TOTALS)
    for months_ago, drift in ((6, 2), (0, 0)):
        items = _items_for(min(20, total + drift), rng)
        when = utcnow() - timedelta(days=30 * months_ago + 1)
        adl.assess(
            uow,
            Access.everything(),
            person_id,
            AdlIn(**items, assessed_at=when, assessor="อสม. ตัวอย่าง"),
        )


def _consent(purpose: str, minor: bool) -> ConsentIn:
    return ConsentIn(
        purpose=purpose,
        notice_version=NOTICE,
        given_by="guardian" if minor else "self",
        guardian_name="ผู้ปกครอง (บุคคลสมมติ)" if minor else "",
        guardian_relation="มารดา" if minor else "",
        method="paper",
        evidence_note="แบบฟอร์มตัวอย่าง",
    )


def _items_for(total: int, rng: random.Random) -> dict[str, int]:
    """Barthel items that add up to ``total``, spread at random."""
    items = dict.fromkeys(adl.ITEMS, 0)
    names = list(adl.ITEMS)
    while sum(items.values()) < total:
        name = rng.choice(names)
        if items[name] < adl.ITEMS[name]:
            items[name] += 1
    return items
