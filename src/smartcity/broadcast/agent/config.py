"""What a speaker agent needs to know: its identity, broker, cache, player and clock tolerance."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Final

DEFAULT_PLAYER: Final = "ffplay -nodisp -autoexit -loglevel error {file}"


@dataclass(frozen=True)
class AgentConfig:
    """Settings of one agent (from the command line or SMARTCITY_SPEAKER_* variables)."""

    code: str
    token: str
    mqtt_url: str
    site: str = "phichit"
    cache_dir: Path = Path("./speaker-cache")
    cache_max_bytes: int = 200_000_000
    player: str = DEFAULT_PLAYER
    # A start time this far in the past still plays at once (clocks drift, links lag);
    # further back, the announcement is stale and the agent reports it failed ("expired").
    late_tolerance_s: float = 30.0
    heartbeat_s: float = 30.0
    download_timeout_s: float = 30.0
    # After a reconnect, the last final answers are sent again this much later (see core).
    replay_after_s: float = 5.0
    # Added to the local clock: for boards known to run off, and for skew tests.
    clock_offset_s: float = 0.0

    def player_argv(self, file: Path) -> list[str]:
        """The player command for one file; the file is appended when there is no {file}."""
        parts = shlex.split(self.player)
        if any("{file}" in p for p in parts):
            return [p.replace("{file}", str(file)) for p in parts]
        return [*parts, str(file)]
