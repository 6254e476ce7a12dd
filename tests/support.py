"""Test databases: a fresh, migrated SQLite file or PostgreSQL schema per use."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from smartcity.migrate import scratch_database

PG_URL = os.environ.get("SMARTCITY_TEST_POSTGRES_URL", "")
BACKEND = "postgresql" if PG_URL else "sqlite"


def wait_until(cond: Callable[[], bool], seconds: float = 15.0, step: float = 0.02) -> bool:
    """Poll ``cond`` until it holds or ``seconds`` pass; its last answer."""
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


@contextmanager
def fresh_database(tmp_dir: Path) -> Iterator[tuple[Engine, str]]:
    """A migrated, empty database on the backend under test, and its URL; dropped afterwards."""
    with scratch_database(tmp_dir, PG_URL) as found:
        yield found


DEPLOY_CONF = Path(__file__).resolve().parents[1] / "deploy" / "mosquitto" / "smartcity.conf"


class Broker:
    """A private Mosquitto with the project's settings, restartable on the same port."""

    def __init__(self, folder: Path) -> None:
        import tempfile

        self.port = free_port()
        # Mosquitto started as root drops to its own user, which must be able to save the
        # sessions on shutdown (or a restart would lose every queued message).
        store = Path(tempfile.mkdtemp(prefix="mosquitto-"))
        store.chmod(0o777)
        self.conf = folder / "mosquitto.conf"
        self.conf.write_text(
            DEPLOY_CONF.read_text()
            + f"\nlistener {self.port} 127.0.0.1\nallow_anonymous true\n"
            + f"persistence_location {store}/\n",
            encoding="utf-8",
        )
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Where clients connect."""
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        import shutil
        import socket
        import time

        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        with (self.conf.parent / "mosquitto.log").open("ab") as log:
            self.proc = subprocess.Popen([binary, "-c", str(self.conf)], stderr=log)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        """Stop it (it saves its sessions to disk)."""
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@contextmanager
def mosquitto(tmp_dir: Path) -> Iterator[str]:
    """A Mosquitto of our own, on a free port, with the project's recommended settings."""
    broker = Broker(tmp_dir)
    broker.start()
    try:
        yield broker.url
    finally:
        broker.stop()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run an ASGI app in uvicorn on a free port in a thread; yields its base URL."""
    import threading
    import time

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True  # open event streams must not hold the test run
        thread.join(timeout=10)


@contextmanager
def live_app(tmp_dir: Path, seed: Callable[[Any, Any], None]) -> Iterator[str]:
    """The real app in uvicorn over a fresh database that ``seed(uow, settings)`` filled."""
    from smartcity.app import build_bus, create_app
    from smartcity.config import Settings
    from smartcity.db import make_session_factory
    from smartcity.events import Actor, UnitOfWork

    with fresh_database(tmp_dir) as (engine, url):
        settings = Settings(
            mode="test", database_url=url, data_dir=tmp_dir, cookie_secure=False,
            default_language="th",
        )  # fmt: skip
        with make_session_factory(engine)() as session:
            uow = UnitOfWork(session, build_bus(settings), Actor.system("e2e"))
            seed(uow, settings)
            uow.commit()
        with serve(create_app(settings, engine)) as base:
            yield base
