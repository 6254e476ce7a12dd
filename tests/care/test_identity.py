"""Thai identifiers and name tokens: national ID check digits, phones, postcodes, segmentation."""

from __future__ import annotations

import pytest

from smartcity.care.identity import (
    clean_national_id,
    clean_postcode,
    format_national_id,
    mask_national_id,
    national_id_check_digit,
    normalise_phone,
    phone_query_digits,
)
from smartcity.care.search import name_tokens, query_tokens
from tests.care.support import national_id, wrong_check_digit


def test_check_digit_follows_the_published_rule() -> None:
    # 1-1017-00123-45-?: the weighted sum is 13+12+0+10+63+0+0+6+10+12+12+10 = 148,
    # 148 mod 11 = 5, so the check digit is (11 - 5) mod 10 = 6.
    assert national_id_check_digit("110170012345") == 6
    assert clean_national_id("1101700123456") == "1101700123456"
    # A remainder of 0 or 1 gives 11 or 10, which wrap to 1 and 0.
    assert national_id_check_digit("100000000030") == 1  # sum 22, remainder 0
    assert national_id_check_digit("100000000070") == 0  # sum 34, remainder 1


def test_every_wrong_check_digit_is_refused() -> None:
    good = national_id()
    for digit in "0123456789":
        candidate = good[:12] + digit
        if digit == good[12]:
            assert clean_national_id(candidate) == good
        else:
            with pytest.raises(ValueError, match="check digit"):
                clean_national_id(candidate)


def test_separators_are_accepted() -> None:
    good = national_id()
    assert clean_national_id(format_national_id(good)) == good
    assert clean_national_id(" ".join(good)) == good


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("123456789012", "13 digits"),
        ("12345678901234", "13 digits"),
        ("", "13 digits"),
        ("11017OO123452", "digits only"),
        ("๑๑๐๑๗๐๐๑๒๓๔๕๒", "digits only"),  # Thai digits look right but are not ASCII
    ],
)
def test_bad_shapes_are_refused_in_both_languages(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        clean_national_id(value)
    assert "เลขประจำตัวประชาชน" in str(err.value)


def test_wrong_check_digit_message_is_bilingual() -> None:
    with pytest.raises(ValueError) as err:
        clean_national_id(wrong_check_digit())
    assert "check digit" in str(err.value) and "เลขตรวจสอบ" in str(err.value)


def test_masking_keeps_the_last_three_digits() -> None:
    assert mask_national_id("523") == "x-xxxx-xxxxx-52-3"
    assert mask_national_id("") == ""
    assert format_national_id("1101700123456") == "1-1017-00123-45-6"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("081-234-5678", "+66812345678"),
        ("0812345678", "+66812345678"),
        ("+66 81 234 5678", "+66812345678"),
        ("66812345678", "+66812345678"),
        ("+66 081 234 5678", "+66812345678"),
        ("(056) 611-234", "+6656611234"),
        ("02-123-4567", "+6621234567"),
    ],
)
def test_thai_phones_normalise_to_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["1669", "081-234-567", "0812345678x", "+1 202 555 0100", "abc"])
def test_non_thai_phones_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="not a Thai phone number"):
        normalise_phone(raw)


def test_phone_query_drops_trunk_and_country_prefix() -> None:
    assert phone_query_digits("081-234-5678") == "812345678"
    assert phone_query_digits("+66812345678") == "812345678"
    assert phone_query_digits("5678") == "5678"


def test_postcodes() -> None:
    assert clean_postcode(" 66000 ") == "66000"
    for bad in ("6600", "660000", "06600", "66OOO"):
        with pytest.raises(ValueError, match="5 digits"):
            clean_postcode(bad)


def test_thai_names_are_segmented_and_kept_whole() -> None:
    stored = name_tokens(["สมศรี", "มีสุข", "Somsri", "MEESUK"])
    assert stored.startswith(" ") and stored.endswith(" ")
    tokens = stored.split()
    assert {"สมศรี", "มีสุข", "somsri", "meesuk"} <= set(tokens)
    for query in ("สมศรี", "มีสุข", "สมศรี มีสุข", "somsri"):
        assert all(f" {t}" in stored for t in query_tokens(query)), query


def test_query_tokens_drop_punctuation_and_wildcards() -> None:
    assert query_tokens("  (%_)  ") == []
    assert query_tokens("มีสุข%") == query_tokens("มีสุข")
