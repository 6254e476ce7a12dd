"""Builders for the care tests: valid national IDs and request bodies."""

from __future__ import annotations

from typing import Any

from smartcity.care.identity import national_id_check_digit

# Points inside two different sample communities (see tests/geo).
MARKET = (16.4418, 100.3492)
WEST = (16.443, 100.335)


def national_id(first12: str = "110170012345") -> str:
    """A 13-digit ID with a correct check digit."""
    return first12 + str(national_id_check_digit(first12))


def wrong_check_digit(first12: str = "110170012345") -> str:
    """The same ID with its check digit off by one."""
    good = national_id_check_digit(first12)
    return first12 + str((good + 1) % 10)


def household_body(at: tuple[float, float] = MARKET, **extra: Any) -> dict[str, Any]:
    """A household in Phichit town at a point."""
    return {
        "house_no": "12/3",
        "moo": "4",
        "road": "บุษบา",
        "tambon": "ในเมือง",
        "amphoe": "เมืองพิจิตร",
        "changwat": "พิจิตร",
        "postcode": "66000",
        "lat": at[0],
        "lon": at[1],
        **extra,
    }


def person_body(household_id: int, **extra: Any) -> dict[str, Any]:
    """A person with a Thai name, a phone and some health fields."""
    return {
        "household_id": household_id,
        "given_name": "สมศรี",
        "family_name": "มีสุข",
        "given_name_en": "Somsri",
        "family_name_en": "Meesuk",
        "sex": "female",
        "birth_date": "1950-03-14",
        "phones": ["081-234-5678"],
        "chronic_conditions": ["เบาหวาน", "ความดันโลหิตสูง"],
        "care_notes": "แพ้ยาเพนิซิลลิน",
        **extra,
    }


ADL_ITEMS = (
    ("feeding", 2),
    ("grooming", 1),
    ("transfer", 3),
    ("toilet", 2),
    ("mobility", 3),
    ("dressing", 2),
    ("stairs", 2),
    ("bathing", 1),
    ("bowels", 2),
    ("bladder", 2),
)


def adl_body(total: int, **extra: Any) -> dict[str, Any]:
    """Barthel items adding up to ``total``, filled item by item."""
    body: dict[str, Any] = {}
    left = total
    for name, top in ADL_ITEMS:
        body[name] = min(top, left)
        left -= body[name]
    assert left == 0, "total above 20"
    return {**body, **extra}


def consent_body(purpose: str = "care", **extra: Any) -> dict[str, Any]:
    """A consent given by the person on paper."""
    return {
        "purpose": purpose,
        "notice_version": "2569-01",
        "given_by": "self",
        "method": "paper",
        "evidence_note": "แบบฟอร์มเลขที่ 12",
        **extra,
    }
