"""One typed configuration for the whole platform, read from SMARTCITY_* variables and .env."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that ship with the demo; production refuses to start while any of them is in use.
DEMO_SECRET_KEY = "demo-secret-key-not-for-production-0000000000"  # noqa: S105 (published on purpose)
DEMO_DATA_KEY = "ZGVtby1kYXRhLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24="  # base64 of 32 ASCII bytes


class ConfigError(ValueError):
    """Raised when settings are unsafe or inconsistent."""


class Settings(BaseSettings):
    """Platform settings; every field is documented because a small city IT team maintains them."""

    model_config = SettingsConfigDict(
        env_prefix="SMARTCITY_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    mode: Literal["demo", "production", "test"] = Field(
        "production",
        description="demo: sample data and demo secrets allowed; production: refuses demo secrets.",
    )
    database_url: str = Field(
        "sqlite:///./var/smartcity.db",
        description="SQLAlchemy URL. SQLite (embedded) or postgresql+psycopg://user@host/db.",
    )
    data_dir: Path = Field(Path("./var"), description="Folder for the SQLite file and uploads.")
    secret_key: SecretStr = Field(
        SecretStr(DEMO_SECRET_KEY),
        description="Secret for keyed hashes of tokens and look-ups. At least 32 characters.",
    )
    data_key: SecretStr = Field(
        SecretStr(DEMO_DATA_KEY),
        description="Base64 of a 32-byte AES-GCM key for sensitive fields at rest.",
    )
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the web server listens on.")
    public_url: str = Field("", description="URL people use to reach the service (for links).")
    cookie_secure: bool = Field(
        True, description="Send session cookies only over HTTPS. Off only for the local demo."
    )
    session_hours: int = Field(12, ge=1, le=720, description="Web session lifetime in hours.")
    login_max_failures: int = Field(
        5, ge=1, le=100, description="Failed log-ins in a row before an account is locked."
    )
    login_lock_minutes: int = Field(
        15, ge=1, le=10080, description="How long an account stays locked after too many failures."
    )
    max_body_bytes: int = Field(
        2_000_000, ge=1024, description="Largest request body accepted (bytes); larger gets 413."
    )
    mqtt_url: str = Field(
        "",
        description="MQTT broker, e.g. mqtt://127.0.0.1:1883. Empty: no broker configured.",
    )
    site_code: str = Field(
        "phichit",
        description="Short code of this city in MQTT topics: city/{site_code}/devices/...",
        pattern=r"^[a-z0-9][a-z0-9-]*$",
    )
    readings_retention_days: int = Field(
        730, ge=1, description="Days device readings are kept (downsampled views read them)."
    )
    dead_letter_retention_days: int = Field(
        90, ge=1, description="Days refused device messages are kept for the operators."
    )
    mqtt_share_group: str = Field(
        "smartcity-ingest",
        description="MQTT 5 shared-subscription group: app processes in one group split the load.",
        pattern=r"^[A-Za-z0-9_-]+$",
    )
    mqtt_client_id: str = Field(
        "",
        description="MQTT client id of this process (keep it stable: the broker keeps its "
        "unacknowledged messages under it). Empty: smartcity-<host name>.",
    )
    mqtt_session_expiry: int = Field(
        86400,
        ge=0,
        description="Seconds the broker keeps this process's session (and its unacknowledged "
        "messages) while it is away.",
    )
    mqtt_ingest: bool = Field(
        True, description="Run MQTT ingest inside the web process when a broker is configured."
    )
    map_tile_url: str = Field(
        "",
        description="Leaflet tile URL template for the base map; empty shows zones without tiles.",
    )
    map_tile_attribution: str = Field("", description="Attribution text for the tile server.")
    default_language: Literal["th", "en"] = Field("th", description="UI language for new visitors.")
    timezone: str = Field("Asia/Bangkok", description="Time zone used to show dates.")
    # --- incidents and dispatch ---
    dispatch_offer_seconds: int = Field(
        60, ge=5, le=3600, description="Seconds a unit has to accept an offer before the next one."
    )
    dispatch_sweep_seconds: float = Field(
        5.0, gt=0, le=300, description="How often offer time-outs and notification retries run."
    )
    dispatch_max_offers: int = Field(
        5, ge=1, le=100, description="Offers made for one incident before a supervisor is told."
    )
    road_graph: str = Field(
        "",
        description="GeoJSON file of road lines; dispatch then measures along the roads. "
        "Empty: straight-line distance.",
    )
    help_rate_per_minute: float = Field(
        6.0, gt=0, description="Public help requests allowed per minute from one IP address."
    )
    help_rate_burst: int = Field(
        10, ge=1, description="Public help requests one IP address may send at once."
    )
    # --- notifications ---
    line_channel_access_token: SecretStr = Field(
        SecretStr(""), description="LINE Messaging API channel access token; empty: LINE off."
    )
    line_api_url: str = Field(
        "https://api.line.me/v2/bot/message/push", description="LINE Messaging API push endpoint."
    )
    sms_gateway_url: str = Field(
        "", description="SMS HTTP gateway URL (JSON POST to, text, sender); empty: SMS off."
    )
    sms_api_key: SecretStr = Field(SecretStr(""), description="API key sent to the SMS gateway.")
    sms_sender: str = Field("SmartCity", description="Sender name shown on SMS messages.")
    notify_supervisor_phone: str = Field(
        "", description="Phone number for dispatch escalations by SMS; empty: none."
    )
    notify_supervisor_line_id: str = Field(
        "", description="LINE user id for dispatch escalations; empty: none."
    )
    notify_max_attempts: int = Field(
        6, ge=1, le=50, description="Delivery attempts for LINE/SMS before a message is failed."
    )
    notify_retry_seconds: float = Field(
        10.0, gt=0, description="First retry delay; each further retry waits twice as long."
    )

    @model_validator(mode="after")
    def _refuse_demo_secrets(self) -> Settings:
        """Production must never run with the published demo secrets."""
        if self.mode == "production":
            if self.secret_key.get_secret_value() == DEMO_SECRET_KEY:
                raise ConfigError("SMARTCITY_SECRET_KEY is the demo value; set a real secret")
            if self.data_key.get_secret_value() == DEMO_DATA_KEY:
                raise ConfigError("SMARTCITY_DATA_KEY is the demo value; set a real key")
        if len(self.secret_key.get_secret_value()) < 32:
            raise ConfigError("SMARTCITY_SECRET_KEY must be at least 32 characters")
        if not _is_aes256_key(self.data_key.get_secret_value()):
            raise ConfigError("SMARTCITY_DATA_KEY must be the base64 encoding of 32 random bytes")
        return self


def _is_aes256_key(value: str) -> bool:
    try:
        return len(base64.b64decode(value, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()
