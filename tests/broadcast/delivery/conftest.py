"""Fixtures of the delivery tests: a live city with real agents (needs mosquitto, sox, ffmpeg)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.broadcast.delivery.harness import City, live_city
from tests.integrations.audio_support import need_tools


@pytest.fixture
def city(tmp_path: Path) -> Iterator[City]:
    """A running city: broker, server, background work; add speakers and agents in the test."""
    need_tools("ffmpeg", "ffprobe", "sox")
    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
        pytest.skip("mosquitto is not installed (scripts/system-deps installs it)")
    with live_city(tmp_path) as running:
        yield running
