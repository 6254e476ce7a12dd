"""Test databases: a fresh, migrated SQLite file or PostgreSQL schema per use."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from smartcity.migrate import scratch_database

PG_URL = os.environ.get("SMARTCITY_TEST_POSTGRES_URL", "")
BACKEND = "postgresql" if PG_URL else "sqlite"


@contextmanager
def fresh_database(tmp_dir: Path) -> Iterator[tuple[Engine, str]]:
    """A migrated, empty database on the backend under test, and its URL; dropped afterwards."""
    with scratch_database(tmp_dir, PG_URL) as found:
        yield found


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
