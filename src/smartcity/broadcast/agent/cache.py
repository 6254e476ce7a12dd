"""A size-bounded cache of verified audio files, named by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from pathlib import Path
from typing import Final

CHUNK: Final = 1 << 16
HEX: Final = frozenset("0123456789abcdef")


class AudioProblem(Exception):
    """The audio could not be fetched or is not the expected file; ``reason`` goes in the ack."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AudioCache:
    """Files under ``root`` as <sha256>.audio; the least recently used go first when full."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root, self.max_bytes = root, max_bytes
        root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        """Where a file with this checksum lives."""
        return self.root / f"{sha256}.audio"

    def fetch(self, url: str, sha256: str, token: str, timeout: float) -> Path:
        """The verified file: from the cache, or downloaded and checked against ``sha256``."""
        sha256 = sha256.lower()
        if len(sha256) != 64 or not set(sha256) <= HEX:
            raise AudioProblem("bad-command: sha256 is not a SHA-256 hex digest")
        cached = self.path(sha256)
        if cached.is_file() and _digest(cached) == sha256:
            os.utime(cached)  # recently used: evicted last
            return cached
        got, tmp = self._download(url, token, timeout)
        if got != sha256:
            tmp.unlink(missing_ok=True)
            raise AudioProblem(f"checksum-mismatch: expected {sha256[:12]}…, got {got[:12]}…")
        tmp.replace(cached)
        self.evict(keep=cached)
        return cached

    def _download(self, url: str, token: str, timeout: float) -> tuple[str, Path]:
        """Stream the URL to a temporary file in the cache; returns (sha256, path)."""
        if not url.startswith(("http://", "https://")):
            raise AudioProblem("bad-command: audio_url must be http(s)")
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
        fd, name = tempfile.mkstemp(dir=self.root, suffix=".part")
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as r:  # noqa: S310
                for chunk in iter(lambda: r.read(CHUNK), b""):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise AudioProblem("download-failed: file larger than the cache")
                    digest.update(chunk)
                    out.write(chunk)
        except AudioProblem:
            Path(name).unlink(missing_ok=True)
            raise
        except OSError as exc:  # URLError and HTTPError are OSErrors
            Path(name).unlink(missing_ok=True)
            raise AudioProblem(f"download-failed: {exc}"[:250]) from exc
        return digest.hexdigest(), Path(name)

    def evict(self, keep: Path) -> None:
        """Delete least recently used files until the cache fits its bound."""
        files = sorted(self.root.glob("*.audio"), key=lambda p: p.stat().st_mtime)
        total = sum(p.stat().st_size for p in files)
        for old in files:
            if total <= self.max_bytes:
                return
            if old != keep:
                total -= old.stat().st_size
                old.unlink(missing_ok=True)


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
