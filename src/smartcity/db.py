"""Database engine, sessions and the declarative base shared by every domain."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every table."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC on every backend and always hands back aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes: a time without a zone is a bug waiting to happen."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """SQLite forgets the zone; put UTC back."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in_memory(url: URL) -> bool:
    """True for an SQLite database that lives in memory (no file, no WAL)."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _sqlite_setup(engine: Engine) -> None:
    """WAL, foreign keys, and transactions that take the write lock at BEGIN.

    pysqlite's own transaction handling defers BEGIN and breaks savepoints, so SQLAlchemy
    emits BEGIN itself. IMMEDIATE avoids 'database is locked' when a read turns into a write.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        if not _in_memory(engine.url):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# A commit that finds the write-ahead log past this many pages copies it into the database file
# itself, with an fsync, while the writer waits: about 120 ms in the middle of an ingest batch
# (bench/README.md). Where the WalCheckpointer runs it does that work first, in its own
# thread; this is the backstop where it does not (command-line tools, tests): about 40 MB.
WAL_BACKSTOP_PAGES = 10_000


class WalCheckpointer:
    """Copies SQLite's write-ahead log into the database file in the background.

    A PASSIVE checkpoint never blocks writers, and the thread sleeps in SQLite with the GIL
    released, so the ingest writer keeps writing while the file is synced. A no-op for
    PostgreSQL and in-memory SQLite.
    """

    def __init__(self, engine: Engine, every: float = 0.5) -> None:
        self.engine, self.every = engine, every
        self.rounds = 0  # checkpoints completed, for tests and diagnostics
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.enabled = engine.dialect.name == "sqlite" and not _in_memory(engine.url)

    def start(self) -> None:
        """Start checkpointing every ``every`` seconds (SQLite files only)."""
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for a checkpoint in progress to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def checkpoint(self) -> None:
        """One PASSIVE checkpoint on a connection of its own, outside any transaction."""
        raw = self.engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # type: ignore[union-attr]
        finally:
            raw.close()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.checkpoint()
                self.rounds += 1
            except Exception:  # a busy or missing file: the next round tries again
                log.exception("WAL checkpoint failed")


# Sync routes and dependencies run on a thread pool of 40; a request that holds a connection
# needs a thread again to commit. With fewer connections than threads, a burst can leave every
# thread waiting for a connection while the connection holders wait for a thread (deadlock),
# so the pool can always grow past the thread count.
POOL_SIZE = 10
MAX_OVERFLOW = 40


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for the URL with the platform's SQLite settings applied."""
    parsed = make_url(url)
    in_memory = _in_memory(parsed)
    if not in_memory and "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", POOL_SIZE)
        kwargs.setdefault("max_overflow", MAX_OVERFLOW)
    if parsed.get_backend_name() == "sqlite":
        if in_memory:
            kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        engine = create_engine(url, **kwargs)
        _sqlite_setup(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (events read them)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


def driver_rows(session: Session, statements: dict[str, str], *params: Any) -> Sequence[Any]:
    """Run a read straight through the driver (the SQL given per dialect); every row.

    For the hot reads of ingest, where SQLAlchemy's statement and row handling cost more
    than the query. A list parameter goes to SQLite as a JSON array (read it with
    ``json_each``) and to PostgreSQL as an array (``= ANY``).
    """
    conn = session.connection()
    name = conn.dialect.name
    if name not in statements:
        raise NotImplementedError(f"no driver SQL for the {name} dialect")
    if name == "sqlite":
        params = tuple(json.dumps(p) if isinstance(p, list) else p for p in params)
    return conn.exec_driver_sql(statements[name], params).fetchall()


def bulk_write(
    session: Session, statements: dict[str, str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Run one statement for many rows, straight through the driver.

    ``statements`` holds the SQL per dialect: SQLite gets an executemany of the tuples;
    PostgreSQL gets one execution with a column array per placeholder (``unnest``).
    """
    if not rows:
        return
    conn = session.connection()
    name = conn.dialect.name
    if name == "postgresql":
        columns = tuple(list(column) for column in zip(*rows, strict=True))
        conn.exec_driver_sql(statements[name], columns)
    elif name == "sqlite":
        conn.exec_driver_sql(statements[name], list(rows))
    else:
        raise NotImplementedError(f"no bulk write for the {name} dialect")
