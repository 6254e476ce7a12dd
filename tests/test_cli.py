"""The `smartcity` command against a real database file: users, tokens, audit verify, import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from smartcity.cli import app
from smartcity.config import get_settings
from tests.support import BACKEND, fresh_database

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database the CLI is pointed at through the environment."""
    with fresh_database(tmp_path) as (engine, url):
        monkeypatch.setenv("SMARTCITY_MODE", "test")
        monkeypatch.setenv("SMARTCITY_DATABASE_URL", url)
        monkeypatch.setenv("SMARTCITY_NEW_PASSWORD", "a-long-cli-password")
        get_settings.cache_clear()
        yield url
        get_settings.cache_clear()
        engine.dispose()


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_agency_user_token_and_verify(database: str) -> None:
    _ok("db", "upgrade")
    _ok("agencies", "create", "muni", "--name-th", "เทศบาล", "--kind", "municipality")
    assert "created" in _ok("users", "create", "ops1", "--role", "operator", "--agency", "muni")
    token = _ok("tokens", "create", "--user", "ops1", "--name", "gateway").splitlines()[0]
    assert token.startswith("sct_")
    assert "intact" in _ok("audit", "verify")


def test_bad_input_gives_clear_errors(database: str) -> None:
    bad_kind = runner.invoke(app, ["agencies", "create", "x1", "--name-th", "x", "--kind", "zoo"])
    assert bad_kind.exit_code == 1 and "kind" in bad_kind.output
    no_agency = runner.invoke(app, ["users", "create", "u1", "--role", "admin", "--agency", "none"])
    assert no_agency.exit_code == 1 and "ไม่พบหน่วยงาน" in no_agency.output


def test_audit_verify_finds_an_edited_row(database: str) -> None:
    _ok("agencies", "create", "a1", "--name-th", "หนึ่ง", "--kind", "other")
    _ok("agencies", "create", "a2", "--name-th", "สอง", "--kind", "other")
    from smartcity.db import make_engine

    engine = make_engine(database)
    with engine.begin() as conn:
        if BACKEND == "postgresql":
            conn.execute(text("DROP TRIGGER audit_log_no_change ON audit_log"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 1"))
    engine.dispose()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at entry 1" in result.output


def test_site_import_reports_bad_features(database: str, tmp_path: Path) -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"layer": "site", "code": "town", "name_th": "เทศบาลทดสอบ"},
                "geometry": {"type": "Point", "coordinates": [100.347, 16.443]},
            },
            {
                "type": "Feature",
                "properties": {"layer": "place", "kind": "market", "code": "m1", "name_th": "ตลาด"},
                "geometry": {"type": "Point", "coordinates": [100.35, 16.44]},
            },
            {
                "type": "Feature",
                "properties": {"layer": "place", "kind": "market", "code": "m2", "name_th": "ผิด"},
                "geometry": {"type": "Point", "coordinates": [500, 16.44]},
            },
        ],
    }
    path = tmp_path / "places.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(app, ["site", "import", str(path)])
    assert result.exit_code == 2
    assert "created 2" in result.output and "m2" in result.output
    exported = json.loads(_ok("site", "export"))
    assert sorted(f["properties"]["code"] for f in exported["features"]) == ["m1", "town"]


def test_sqlite_backup_copies_a_live_database(database: str, tmp_path: Path) -> None:
    if BACKEND != "sqlite":
        pytest.skip("online file back-up applies to SQLite; PostgreSQL uses pg_dump")
    _ok("agencies", "create", "a1", "--name-th", "หนึ่ง", "--kind", "other")
    target = tmp_path / "copy.db"
    _ok("db", "backup", str(target))
    import sqlite3

    with sqlite3.connect(target) as conn:
        assert conn.execute("select code from agencies").fetchall() == [("a1",)]
