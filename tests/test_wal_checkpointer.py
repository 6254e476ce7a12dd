"""The WAL checkpointer copies SQLite's write-ahead log into the database file off the writer."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import text

from smartcity.db import WalCheckpointer, make_engine


def _rows_in_file(path: Path) -> int:
    """Rows in the database file itself: ``immutable`` reads the file and ignores the WAL."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        found = conn.execute("SELECT name FROM sqlite_master WHERE name = 't'").fetchone()
        return int(conn.execute("SELECT count(*) FROM t").fetchone()[0]) if found else 0
    finally:
        conn.close()


def _write(path: Path, rows: int) -> WalCheckpointer:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (:n)"), [{"n": i} for i in range(rows)])
    return WalCheckpointer(engine, every=0.05)


def test_a_checkpoint_moves_committed_rows_from_the_log_into_the_file(tmp_path: Path) -> None:
    db = tmp_path / "city.db"
    checkpointer = _write(db, 500)
    assert _rows_in_file(db) == 0  # committed, but only in the log: the writer did not copy it
    checkpointer.checkpoint()
    assert _rows_in_file(db) == 500
    checkpointer.engine.dispose()


def test_the_thread_checkpoints_until_stopped(tmp_path: Path) -> None:
    db = tmp_path / "city.db"
    checkpointer = _write(db, 50)
    checkpointer.start()
    try:
        deadline = time.monotonic() + 10
        while checkpointer.rounds == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        checkpointer.stop()  # waits for the thread: the file is not read while it is written
        checkpointer.engine.dispose()
    assert checkpointer.rounds >= 1
    assert _rows_in_file(db) == 50


def test_it_does_nothing_for_an_in_memory_database() -> None:
    checkpointer = WalCheckpointer(make_engine("sqlite://"))
    assert not checkpointer.enabled
    checkpointer.start()  # no thread, no error
    checkpointer.stop()
