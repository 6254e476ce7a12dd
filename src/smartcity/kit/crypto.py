"""Keyed hashes, random tokens and AES-GCM field encryption."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def keyed_hash(secret: str, value: str) -> str:
    """HMAC-SHA256 of a value: look-ups without storing the value (tokens, national IDs)."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def new_token(prefix: str, nbytes: int = 32) -> str:
    """A random token with a readable prefix so leaked tokens are recognisable."""
    return f"{prefix}_{secrets.token_urlsafe(nbytes)}"


def sha256_hex(data: bytes) -> str:
    """Plain SHA-256 in hex."""
    return hashlib.sha256(data).hexdigest()


class FieldCipher:
    """AES-256-GCM for sensitive fields; the nonce travels with the ciphertext."""

    VERSION = b"\x01"

    def __init__(self, key_b64: str) -> None:
        key = base64.b64decode(key_b64)
        if len(key) != 32:
            raise ValueError("data key must be 32 bytes (base64 encoded)")
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: str, context: str = "") -> bytes:
        """Encrypt text; ``context`` binds the ciphertext to its column."""
        nonce = os.urandom(12)
        return (
            self.VERSION + nonce + self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        )

    def decrypt(self, blob: bytes, context: str = "") -> str:
        """Decrypt what ``encrypt`` produced with the same context."""
        if blob[:1] != self.VERSION:
            raise ValueError("unknown ciphertext version")
        nonce, body = blob[1:13], blob[13:]
        return self._aead.decrypt(nonce, body, context.encode()).decode()
