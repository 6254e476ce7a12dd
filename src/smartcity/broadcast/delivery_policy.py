"""Settings of announcement delivery to speakers (SMARTCITY_BROADCAST_DELIVERY_*)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DeliverySettings(BaseSettings):
    """How play commands are timed, retried and signed, and what a flood alert does."""

    model_config = SettingsConfigDict(
        env_prefix="SMARTCITY_BROADCAST_DELIVERY_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    lead_s: float = Field(
        3.0,
        ge=0,
        le=600,
        description="Seconds between sending and start_at, so every speaker can download first.",
    )
    ack_grace_s: int = Field(
        60,
        ge=1,
        description="Seconds after the expected end before a silent speaker counts as silent.",
    )
    retries: int = Field(
        2, ge=0, le=10, description="Resends to speakers that failed or never answered."
    )
    url_ttl_s: int = Field(
        3600, ge=60, description="How long a signed audio URL in a play command stays valid."
    )
    slot_lead_s: int = Field(
        30, ge=0, le=3600, description="How early a due schedule slot is sent to the speakers."
    )
    flagged_hours: int = Field(
        24, ge=1, le=720, description="How far back failed zones stay flagged on the map."
    )
    alert_metrics: list[str] = Field(
        default_factory=lambda: ["level_m"],
        description="Metrics whose alerts are floods and turn into emergency announcements.",
    )
    alert_mode: Literal["off", "draft", "send"] = Field(
        "draft",
        description=(
            "What a flood alert does: nothing, a draft emergency announcement for the PA zones "
            "around the device, or a direct send of alert_announcement_id."
        ),
    )
    alert_announcement_id: int | None = Field(
        None,
        description="Approved, recorded emergency announcement sent directly in 'send' mode.",
    )


@lru_cache(maxsize=1)
def get_delivery_settings() -> DeliverySettings:
    """Delivery settings read once from the environment."""
    return DeliverySettings()
