"""Thai dates: Buddhist Era years, Thai month names, Asia/Bangkok time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from smartcity.kit import thai


def test_be_year_adds_543_and_back() -> None:
    assert thai.be_year(2026) == 2569
    assert thai.ce_year(2569) == 2026


def test_thai_datetime_is_local_time_with_be_year() -> None:
    # 15:15 UTC is 22:15 in Bangkok (UTC+7, no daylight saving).
    at = datetime(2026, 11, 26, 15, 15, tzinfo=UTC)
    assert thai.format_datetime(at, "th") == "26 พ.ย. 2569 22:15"
    assert thai.format_datetime(at, "en") == "26 Nov 2026 22:15"


def test_full_month_names_and_seconds() -> None:
    at = datetime(2026, 1, 5, 1, 2, 3, tzinfo=UTC)
    assert thai.format_datetime(at, "th", style="long", seconds=True) == "5 มกราคม 2569 08:02:03"
    assert thai.format_datetime(at, "en", style="long") == "5 January 2026 08:02"


def test_crossing_midnight_and_new_year_in_bangkok() -> None:
    # 31 Dec 2025 20:00 UTC is already 1 Jan 2026 in Bangkok: the BE year changes too.
    at = datetime(2025, 12, 31, 20, 0, tzinfo=UTC)
    assert thai.format_datetime(at, "th") == "1 ม.ค. 2569 03:00"


def test_other_offsets_are_converted() -> None:
    at = datetime(2026, 4, 13, 9, 0, tzinfo=timezone(timedelta(hours=9)))  # Tokyo
    assert thai.format_datetime(at, "th") == "13 เม.ย. 2569 07:00"


def test_naive_values_are_taken_as_utc() -> None:
    assert thai.format_datetime(datetime(2026, 6, 1, 0, 0), "th") == "1 มิ.ย. 2569 07:00"


def test_none_shows_a_dash() -> None:
    assert thai.format_datetime(None) == "–"
    assert thai.format_datetime(None, empty="") == ""


def test_format_date_for_dates_and_datetimes() -> None:
    assert thai.format_date(date(2026, 2, 28), "th") == "28 ก.พ. 2569"
    assert thai.format_date(date(2026, 10, 1), "th", style="long") == "1 ตุลาคม 2569"
    assert thai.format_date(datetime(2026, 3, 31, 18, 0, tzinfo=UTC), "en") == "1 Apr 2026"


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_has_both_names(month: int) -> None:
    short, long = thai.month_name(month, "th"), thai.month_name(month, "th", "long")
    assert short.endswith(".") and len(long) > len(short)
    assert thai.month_name(month, "en", "long").startswith(thai.month_name(month, "en"))


def test_bad_month_is_refused() -> None:
    with pytest.raises(ValueError):
        thai.month_name(13)
