"""Settings of the broadcast domain (SMARTCITY_BROADCAST_*), each with its reason."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from smartcity.integrations.audio import AudioLimits


class BroadcastSettings(BaseSettings):
    """How announcements are checked, approved and scheduled."""

    model_config = SettingsConfigDict(
        env_prefix="SMARTCITY_BROADCAST_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    emergency_second_approver: bool = Field(
        True,
        description="Emergency announcements need approval by someone other than their creator.",
    )
    max_upload_bytes: int = Field(
        25_000_000,
        ge=1024,
        description="Largest audio upload (bytes). The app-wide request limit applies first.",
    )
    max_seconds: float = Field(600.0, gt=0, description="Longest announcement (seconds).")
    target_lufs: float = Field(
        -16.0, ge=-40, le=-5, description="Integrated loudness of delivered audio (EBU R128)."
    )
    tool_timeout_s: float = Field(120.0, gt=0, description="Limit for one ffmpeg/TTS run.")
    conflict_days: int = Field(
        14, ge=1, le=366, description="How far ahead schedule conflicts are looked for (days)."
    )
    missed_grace_s: int = Field(
        300, ge=0, description="How late a slot may start before it is reported as missed."
    )
    timezone: str = Field("Asia/Bangkok", description="Zone in which schedule times are given.")
    cap_sender: str = Field(
        "broadcast@phichit-town.example",
        description="CAP <sender> of alerts this platform exports.",
    )

    def audio_limits(self) -> AudioLimits:
        """The limits handed to the audio tools."""
        return AudioLimits(
            max_bytes=self.max_upload_bytes,
            max_seconds=self.max_seconds,
            timeout_s=self.tool_timeout_s,
            target_lufs=self.target_lufs,
        )


@lru_cache(maxsize=1)
def get_broadcast_settings() -> BroadcastSettings:
    """Broadcast settings read once from the environment."""
    return BroadcastSettings()
