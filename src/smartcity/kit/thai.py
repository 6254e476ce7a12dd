"""Thai dates: local time in Asia/Bangkok, Buddhist Era years and Thai month names.

Times are stored in UTC; people read them in local time. In Thai the year is the Buddhist Era
year (CE + 543) and months have a full and an abbreviated name (มกราคม / ม.ค.).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Final, Literal
from zoneinfo import ZoneInfo

BE_OFFSET: Final = 543
DEFAULT_TZ: Final = "Asia/Bangkok"

THAI_MONTHS: Final = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_ABBR: Final = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
EN_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EN_MONTHS_ABBR: Final = tuple(m[:3] for m in EN_MONTHS)

Lang = Literal["th", "en"]
MonthStyle = Literal["short", "long"]


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def be_year(ce_year: int) -> int:
    """The Buddhist Era year for a Common Era year."""
    return ce_year + BE_OFFSET


def ce_year(be: int) -> int:
    """The Common Era year for a Buddhist Era year."""
    return be - BE_OFFSET


def to_local(value: datetime, tz: str = DEFAULT_TZ) -> datetime:
    """An aware datetime in the local zone; naive values are taken to be UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_zone(tz))


def month_name(month: int, lang: Lang = "th", style: MonthStyle = "short") -> str:
    """The name of month 1..12 in Thai or English, full or abbreviated."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, not {month}")
    table: tuple[str, ...]
    if lang == "th":
        table = THAI_MONTHS if style == "long" else THAI_MONTHS_ABBR
    else:
        table = EN_MONTHS if style == "long" else EN_MONTHS_ABBR
    return table[month - 1]


def format_date(
    value: date | datetime, lang: Lang = "th", *, style: MonthStyle = "short", tz: str = DEFAULT_TZ
) -> str:
    """'26 พ.ย. 2569' in Thai (BE year), '26 Nov 2026' in English.

    A datetime is converted to the local zone first; a plain date is shown as it is.
    """
    if isinstance(value, datetime):
        value = to_local(value, tz)
    year = be_year(value.year) if lang == "th" else value.year
    return f"{value.day} {month_name(value.month, lang, style)} {year}"


def format_datetime(
    value: datetime | None,
    lang: Lang = "th",
    *,
    style: MonthStyle = "short",
    tz: str = DEFAULT_TZ,
    seconds: bool = False,
    empty: str = "–",
) -> str:
    """'26 พ.ย. 2569 22:15' in Thai, '26 Nov 2026 22:15' in English, in local time."""
    if value is None:
        return empty
    local = to_local(value, tz)
    year = be_year(local.year) if lang == "th" else local.year
    clock = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{local.day} {month_name(local.month, lang, style)} {year} {clock}"
