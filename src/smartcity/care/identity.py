"""Thai identifiers the registry checks: national ID (with check digit), phone numbers, postcode."""

from __future__ import annotations

import re
from typing import Final

ID_LENGTH: Final = 13
_SEPARATORS = re.compile(r"[\s\-.()]")
_POSTCODE = re.compile(r"^[1-9][0-9]{4}$")
# National significant numbers: 9 digits for mobiles (6x, 8x, 9x), 8 for fixed lines (2x-7x).
_MOBILE = re.compile(r"^[689][0-9]{8}$")
_FIXED = re.compile(r"^[2-7][0-9]{7}$")


def national_id_check_digit(first12: str) -> int:
    """The check digit of the first twelve digits: (11 - sum(d[i] * (13 - i)) mod 11) mod 10."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def clean_national_id(value: str) -> str:
    """The ID as 13 digits with its check digit verified; ValueError (bilingual) otherwise."""
    digits = _SEPARATORS.sub("", value)
    if digits and not (digits.isascii() and digits.isdigit()):
        raise ValueError(
            "The national ID may contain digits only. / เลขประจำตัวประชาชนต้องเป็นตัวเลขเท่านั้น"
        )
    if len(digits) != ID_LENGTH:
        raise ValueError("The national ID must have 13 digits. / เลขประจำตัวประชาชนต้องมี 13 หลัก")
    if national_id_check_digit(digits[:12]) != int(digits[12]):
        raise ValueError(
            "The national ID's check digit is wrong; please check the number. "
            "/ เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบหลักสุดท้ายไม่ตรง) โปรดตรวจสอบอีกครั้ง"
        )
    return digits


def format_national_id(digits: str) -> str:
    """The ID grouped as it is printed on the card: 1-2345-67890-12-3."""
    return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"


def mask_national_id(tail: str) -> str:
    """The masked form that shows only the last three digits: x-xxxx-xxxxx-12-3."""
    if len(tail) != 3:
        return ""
    return f"x-xxxx-xxxxx-{tail[:2]}-{tail[2]}"


def normalise_phone(value: str) -> str:
    """A Thai phone number in E.164 (+66...); ValueError (bilingual) when it is not one."""
    raw = _SEPARATORS.sub("", value)
    if raw.startswith("+66"):
        national = raw[3:]
    elif raw.startswith("66") and len(raw) >= 10:
        national = raw[2:]
    elif raw.startswith("0"):
        national = raw[1:]
    else:
        national = ""
    # A trunk 0 after the country code ("+66 081...") is a common slip; accept it.
    national = national.removeprefix("0")
    if not national.isascii() or not (_MOBILE.match(national) or _FIXED.match(national)):
        raise ValueError(
            f"{value!r} is not a Thai phone number (e.g. 081-234-5678 or 056-611-234). "
            f"/ {value!r} ไม่ใช่หมายเลขโทรศัพท์ไทย (เช่น 081-234-5678 หรือ 056-611-234)"
        )
    return f"+66{national}"


def phone_query_digits(value: str) -> str:
    """The digits to match at the end of stored numbers: a leading 0 or 66 is dropped."""
    digits = "".join(ch for ch in value if ch.isascii() and ch.isdigit())
    if digits.startswith("66") and len(digits) >= 10:
        return digits[2:]
    return digits[1:] if digits.startswith("0") and len(digits) >= 9 else digits


def clean_postcode(value: str) -> str:
    """A five-digit Thai postcode; ValueError (bilingual) otherwise."""
    value = value.strip()
    if not _POSTCODE.match(value):
        raise ValueError(
            "The postcode must be 5 digits, e.g. 66000. / รหัสไปรษณีย์ต้องเป็นตัวเลข 5 หลัก เช่น 66000"
        )
    return value
