"""Test databases: a fresh, migrated SQLite file or PostgreSQL schema per use."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from smartcity.db import make_engine
from smartcity.migrate import upgrade

PG_URL = os.environ.get("SMARTCITY_TEST_POSTGRES_URL", "")
BACKEND = "postgresql" if PG_URL else "sqlite"


@contextmanager
def fresh_database(tmp_dir: Path) -> Iterator[tuple[Engine, str]]:
    """A migrated, empty database on the backend under test, and its URL; dropped afterwards."""
    if not PG_URL:
        path = tmp_dir / f"test-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        upgrade(engine)
        yield engine, url
        engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield engine, url
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


DEPLOY_CONF = Path(__file__).resolve().parents[1] / "deploy" / "mosquitto" / "smartcity.conf"


@contextmanager
def mosquitto(tmp_dir: Path) -> Iterator[str]:
    """A Mosquitto of our own, on a free port, with the project's recommended settings."""
    import shutil
    import socket
    import subprocess
    import time

    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conf = tmp_dir / "mosquitto.conf"
    conf.write_text(
        DEPLOY_CONF.read_text()
        + f"\nlistener {port} 127.0.0.1\nallow_anonymous true\n"
        + f"persistence_location {tmp_dir}/\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen([binary, "-c", str(conf)], stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("mosquitto did not start")
        yield f"mqtt://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
