"""The database: one connection factory, numbered migrations, one write path.

Every state change goes through :func:`write`, which runs the caller's function inside
``BEGIN IMMEDIATE`` (so a read-then-write never upgrades a deferred lock and fails with
SQLITE_BUSY), records audit events in the same transaction, and publishes live events only
after the commit succeeded.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlite_utils

from .migrations import MIGRATIONS

T = TypeVar("T")


def connect(path: str) -> sqlite3.Connection:
    """Open a connection with the pragmas every HallQ connection needs."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a printed ticket must survive a power cut, not only a process crash.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded in ``_migrations``; return their names."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at REAL NOT NULL)"
    )
    done = {r[0] for r in conn.execute("SELECT id FROM _migrations")}
    applied = []
    for number, fn in enumerate(MIGRATIONS, start=1):
        if number in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-check inside the lock: another process may have migrated meanwhile.
            if conn.execute("SELECT 1 FROM _migrations WHERE id = ?", (number,)).fetchone():
                conn.execute("ROLLBACK")
                continue
            fn(sqlite_utils.Database(conn))
            conn.execute(
                "INSERT INTO _migrations (id, name, applied_at) VALUES (?, ?, ?)",
                (number, fn.__name__, time.time()),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(fn.__name__)
    return applied


@dataclass
class Tx:
    """An open write transaction: the connection plus what to announce after commit."""

    conn: sqlite3.Connection
    actor: str
    now: float = field(default_factory=time.time)
    live: list[tuple[str, dict, list[str]]] = field(default_factory=list)
    touched_halls: set[str] = field(default_factory=set)
    tickets: set[int] = field(default_factory=set)

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def run(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def audit(
        self,
        hall: str,
        action: str,
        *,
        ticket: int | None = None,
        window: str | None = None,
        detail: dict | None = None,
    ) -> int:
        """Append one audit event (the only writer of the ``events`` table)."""
        cur = self.conn.execute(
            "INSERT INTO events (hall, at, actor, action, ticket, window, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (hall, self.now, self.actor, action, ticket, window,
             json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)),
        )
        self.touched_halls.add(hall)
        return int(cur.lastrowid)

    def emit(self, hall: str, name: str, payload: dict, rooms: list[str]) -> None:
        """Queue a live event; it gets the hall's next ``seq`` now and is sent after commit."""
        seq = self.conn.execute(
            "UPDATE halls SET live_seq = live_seq + 1 WHERE id = ? RETURNING live_seq", (hall,)
        ).fetchone()[0]
        self.live.append((name, {**payload, "seq": seq}, rooms))
        self.touched_halls.add(hall)


class Database:
    """Wraps the database file: connections per thread, the write path, read helpers."""

    def __init__(self, path: str, publish: Callable[[Tx], None] | None = None,
                 send_live: Callable[[Tx], None] | None = None):
        self.path = path
        self.publish = publish
        self.send_live = send_live
        self._local = threading.local()
        self._write_lock = threading.Lock()

    def conn(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections must not be shared across threads)."""
        c = getattr(self._local, "conn", None)
        if c is None:
            c = connect(self.path)
            self._local.conn = c
        return c

    def close(self) -> None:
        c = getattr(self._local, "conn", None)
        if c is not None:
            c.close()
            self._local.conn = None

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.conn().execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn().execute(sql, params).fetchall()

    @contextmanager
    def read(self):
        """A consistent read snapshot across several queries."""
        c = self.conn()
        c.execute("BEGIN")
        try:
            yield c
        finally:
            c.execute("COMMIT")

    def write(self, actor: str, fn: Callable[[Tx], T]) -> T:
        """Run ``fn`` in one ``BEGIN IMMEDIATE`` transaction; publish its events after commit."""
        c = self.conn()
        # Writers of this process queue on a lock rather than in SQLite's busy handler, which
        # sleeps in steps of up to 100 ms; other processes still meet busy_timeout.
        with self._write_lock:
            c.execute("BEGIN IMMEDIATE")
            tx = Tx(conn=c, actor=actor)
            try:
                result = fn(tx)
                c.execute("COMMIT")
            except BaseException:
                if c.in_transaction:
                    c.execute("ROLLBACK")
                raise
            # Still under the lock: live events leave in the order of their ``seq``.
            if self.send_live is not None and tx.live:
                try:
                    self.send_live(tx)
                except Exception:  # committed is committed: a lost push is healed by resync
                    logging.getLogger(__name__).exception("sending live events failed")
        if self.publish is not None and (tx.live or tx.tickets):
            try:
                self.publish(tx)
            except Exception:  # committed is committed: a lost push is healed by resync
                logging.getLogger(__name__).exception("publishing live events failed")
        return result


def loads(value: Any, default: Any = None) -> Any:
    """Decode a JSON column, tolerating NULL."""
    if value is None or value == "":
        return default
    return json.loads(value)
