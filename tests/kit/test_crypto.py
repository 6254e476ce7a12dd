"""Field encryption and keyed hashes."""

from __future__ import annotations

import base64

import pytest
from cryptography.exceptions import InvalidTag

from smartcity.kit.crypto import FieldCipher, keyed_hash, new_token

KEY = base64.b64encode(bytes(range(32))).decode()


def test_round_trip_and_random_nonce() -> None:
    cipher = FieldCipher(KEY)
    a, b = (
        cipher.encrypt("3100500123456", "person.national_id"),
        cipher.encrypt("3100500123456", "person.national_id"),
    )
    assert a != b and b"3100500123456" not in a
    assert cipher.decrypt(a, "person.national_id") == "3100500123456"


def test_ciphertext_is_bound_to_its_column_and_tamper_evident() -> None:
    cipher = FieldCipher(KEY)
    blob = cipher.encrypt("เบาหวาน", "person.conditions")
    with pytest.raises(InvalidTag):
        cipher.decrypt(blob, "person.name")
    with pytest.raises(InvalidTag):
        cipher.decrypt(blob[:-1] + bytes([blob[-1] ^ 1]), "person.conditions")


def test_wrong_key_length_and_unknown_version_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        FieldCipher(base64.b64encode(b"short").decode())
    with pytest.raises(ValueError, match="version"):
        FieldCipher(KEY).decrypt(b"\x09" + b"0" * 40)


def test_keyed_hash_depends_on_the_secret_and_tokens_are_prefixed() -> None:
    assert keyed_hash("a" * 32, "x") != keyed_hash("b" * 32, "x")
    assert keyed_hash("a" * 32, "x") == keyed_hash("a" * 32, "x")
    assert new_token("sct").startswith("sct_") and new_token("sct") != new_token("sct")
