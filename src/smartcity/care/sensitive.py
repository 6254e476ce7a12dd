"""Sensitive fields at rest: AES-GCM per column, and the keyed hash that finds a national ID."""

from __future__ import annotations

import json
from typing import Final

from smartcity.config import Settings
from smartcity.kit.crypto import FieldCipher, keyed_hash

# Health and disability data (PDPA s.26) and the national ID: never stored in the clear.
HEALTH_FIELDS: Final = ("disability_type", "chronic_conditions", "hearing_notes", "care_notes")
SENSITIVE_FIELDS: Final = ("national_id", *HEALTH_FIELDS)
_TABLE = "care_people"


class Vault:
    """Seals and opens the sensitive columns of a person with the deployment's keys."""

    def __init__(self, settings: Settings) -> None:
        self._cipher = FieldCipher(settings.data_key.get_secret_value())
        self._secret = settings.secret_key.get_secret_value()

    def seal(self, field: str, value: str) -> bytes | None:
        """Ciphertext bound to its column, or None for an empty value."""
        return self._cipher.encrypt(value, _context(field)) if value else None

    def open(self, field: str, blob: bytes | None) -> str:
        """The plain text of a sealed column ('' when empty)."""
        return self._cipher.decrypt(bytes(blob), _context(field)) if blob else ""

    def seal_list(self, field: str, values: list[str]) -> bytes | None:
        """A list sealed as one JSON text."""
        return self.seal(field, json.dumps(values, ensure_ascii=False)) if values else None

    def open_list(self, field: str, blob: bytes | None) -> list[str]:
        """A list sealed by ``seal_list``."""
        text = self.open(field, blob)
        return [str(v) for v in json.loads(text)] if text else []

    def id_hash(self, digits: str) -> str:
        """The keyed hash a national ID is looked up by."""
        # A prefix keeps this hash apart from other keyed hashes made with the same secret.
        return keyed_hash(self._secret, f"care.national_id:{digits}")


def _context(field: str) -> str:
    """Associated data: a value sealed for one column will not open in another."""
    return f"{_TABLE}.{field}"
