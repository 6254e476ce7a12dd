"""Configuration refuses unsafe production settings."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pydantic import ValidationError

from smartcity.config import DEMO_DATA_KEY, DEMO_SECRET_KEY, Settings

REAL_KEY = base64.b64encode(b"k" * 32).decode()
REAL_SECRET = "s" * 40


def test_production_refuses_demo_secret() -> None:
    with pytest.raises(ValidationError, match="SMARTCITY_SECRET_KEY is the demo value"):
        Settings(mode="production", secret_key=DEMO_SECRET_KEY, data_key=REAL_KEY)


def test_production_refuses_demo_data_key() -> None:
    with pytest.raises(ValidationError, match="SMARTCITY_DATA_KEY is the demo value"):
        Settings(mode="production", secret_key=REAL_SECRET, data_key=DEMO_DATA_KEY)


def test_short_secret_and_bad_key_are_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(mode="demo", secret_key="short")
    with pytest.raises(ValidationError, match="32 random bytes"):
        Settings(mode="demo", data_key="bm90LWEta2V5")


def test_production_with_real_secrets_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTCITY_MODE", "production")
    monkeypatch.setenv("SMARTCITY_SECRET_KEY", REAL_SECRET)
    monkeypatch.setenv("SMARTCITY_DATA_KEY", REAL_KEY)
    monkeypatch.setenv("SMARTCITY_PORT", "8080")
    s = Settings()
    assert s.port == 8080 and s.cookie_secure is True


def test_every_setting_is_documented() -> None:
    assert all(f.description for f in Settings.model_fields.values())


ROOT = Path(__file__).resolve().parents[1]


def test_env_example_and_operations_table_list_every_setting() -> None:
    env = (ROOT / ".env.example").read_text(encoding="utf-8")
    table = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        var = f"SMARTCITY_{name.upper()}"
        assert f"# {field.description}\n{var}=" in env, var
        assert f"| `{var}` |" in table and f" | {field.description} |" in table, var
