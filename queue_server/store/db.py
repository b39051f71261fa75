"""The database: one connection factory, numbered migrations, one write path.

Every state change goes through :func:`write`, which runs the caller's function inside
``BEGIN IMMEDIATE`` (so a read-then-write never upgrades a deferred lock and fails with
SQLITE_BUSY), records audit events in the same transaction, and publishes live events only
after the commit succeeded.

The database is a SQLite file or, when its name is a ``postgresql://`` URL, a PostgreSQL
database (``store/pg.py``: connections that read like sqlite3's; ``store/dialect.py``: where
the two engines differ). There ``BEGIN IMMEDIATE`` is a transaction behind one advisory lock
that every HallQ writer of that database takes first, so the guarantees are the same.
"""
from __future__ import annotations

import contextvars
import json
import logging
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from queue_server.live.events import Event

import sqlite_utils

from queue_server.store import audit_chain, dialect
from queue_server.store.migrations import MIGRATIONS

T = TypeVar("T")


def connect(path: str) -> sqlite3.Connection:
    """Open a connection with the pragmas every HallQ connection needs (a PostgreSQL URL:
    a :class:`pg.PgConnection`, which reads the same)."""
    if dialect.is_pg(path):
        from queue_server.store import pg

        return pg.PgConnection(pg.raw_connect(path))
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
    schema = _schema(conn)
    schema.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at REAL NOT NULL)"
    )
    done = {r[0] for r in conn.execute("SELECT id FROM _migrations")}
    applied = []
    for number, fn in enumerate(MIGRATIONS, start=1):
        if number in done:
            continue
        _begin_migration(conn)
        try:
            # Re-check inside the lock: another process may have migrated meanwhile.
            if conn.execute("SELECT 1 FROM _migrations WHERE id = ?", (number,)).fetchone():
                conn.execute("ROLLBACK")
                continue
            fn(schema)
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


def _schema(conn):
    """What a migration function is given: sqlite-utils on SQLite, its stand-in
    (``store/pg_schema.py``) on PostgreSQL, with SQLite's built-in functions defined there."""
    if getattr(conn, "engine", "sqlite") == "sqlite":
        return sqlite_utils.Database(conn)
    from queue_server.store.pg_schema import Schema

    conn.execute(dialect.PG_BEGIN_LOCKED)
    conn.execute(f"SELECT pg_advisory_xact_lock({dialect.MIGRATE_LOCK_KEY})")
    for sql in dialect.PG_FUNCTIONS:
        conn.execute(sql)
    conn.execute("COMMIT")
    return Schema(conn)


def _begin_migration(conn) -> None:
    if getattr(conn, "engine", "sqlite") == "sqlite":
        conn.execute("BEGIN IMMEDIATE")
    else:  # one migrating process at a time; DDL is transactional on PostgreSQL
        conn.execute(dialect.PG_BEGIN_LOCKED)
        conn.execute(f"SELECT pg_advisory_xact_lock({dialect.MIGRATE_LOCK_KEY})")


WRITE_WAIT_S = 30.0  # how long a writer waits for another process's write lock


def begin_immediate(conn: sqlite3.Connection, wait_s: float = WRITE_WAIT_S) -> None:
    """``BEGIN IMMEDIATE``, waiting for another process's writer in Python, not in SQLite.

    SQLite's busy handler sleeps inside C: under gevent that would stop every greenlet of the
    process (every screen and phone) while another process holds the write lock. So the
    handler gets 10 ms, and the rest of the wait is ``time.sleep`` (a greenlet switch under
    gevent's monkey-patching, a released GIL under threads). On PostgreSQL: the write lock
    (``dialect.pg_begin_write``), waited for by psycopg's cooperative wait."""
    if getattr(conn, "engine", "sqlite") != "sqlite":
        for sql in dialect.pg_begin_write():
            conn.execute(sql)
        return
    deadline = time.monotonic() + wait_s
    conn.execute("PRAGMA busy_timeout = 10")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.002)
    finally:
        conn.execute("PRAGMA busy_timeout = 30000")


@dataclass
class Tx:
    """An open write transaction: the connection plus what to announce after commit."""

    conn: sqlite3.Connection
    actor: str
    now: float = field(default_factory=time.time)
    live: list[tuple[str, dict, list[str]]] = field(default_factory=list)
    touched_halls: set[str] = field(default_factory=set)
    tickets: set[int] = field(default_factory=set)
    # run once the transaction holding this one's changes has committed (never if it fails)
    on_commit: list[Callable[[], None]] = field(default_factory=list)

    def after_commit(self, fn: Callable[[], None]) -> None:
        self.on_commit.append(fn)

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
        """Append one audit event (the only writer of the ``events`` table), linked to the
        hall's chain (``store/audit_chain.py``). Its ``seq`` is chosen here, because it is part
        of what is hashed; under ``BEGIN IMMEDIATE`` no other writer can take it meanwhile."""
        event = {"seq": self.conn.execute(
                     "SELECT COALESCE(MAX(seq), 0) + 1 FROM events").fetchone()[0],
                 # as SQLite will give them back (REAL, INTEGER), so verify hashes the same
                 "hall": str(hall), "at": float(self.now), "actor": str(self.actor),
                 "action": str(action), "ticket": None if ticket is None else int(ticket),
                 "window": None if window is None else str(window),
                 "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)}
        prev = audit_chain.head(self.conn, hall)
        self.conn.execute(
            "INSERT INTO events (seq, hall, at, actor, action, ticket, window, detail,"
            " prev_hash, hash) VALUES (:seq, :hall, :at, :actor, :action, :ticket, :window,"
            " :detail, :prev, :hash)",
            {**event, "prev": prev, "hash": audit_chain.event_hash(prev, event)},
        )
        self.touched_halls.add(hall)
        return int(event["seq"])

    def emit(self, event: Event) -> None:
        """Queue a live event; it gets the hall's next ``seq`` now and is sent after commit."""
        seq = self.conn.execute(
            "UPDATE halls SET live_seq = live_seq + 1 WHERE id = ? RETURNING live_seq",
            (event.hall,)).fetchone()[0]
        self.live.append((event.NAME, {**event.payload(), "seq": seq}, event.rooms()))
        self.touched_halls.add(event.hall)


class Database:
    """Wraps the database file: a connection per thread or greenlet, the write path, reads.

    ``on_commit(tx)`` is called right after each COMMIT, still under the write lock, so it sees
    transactions in ``seq`` order; it must only hand the transaction on (the live publisher
    queues it), never send anything itself: a request never waits for the fan-out.
    """

    POOL_SIZE = 32  # idle connections kept for the next request (opening one costs ~0.2 ms)

    def __init__(self, path: str, on_commit: Callable[[Tx], None] | None = None):
        self.path = path
        self.engine = "postgresql" if dialect.is_pg(path) else "sqlite"
        self.on_commit = on_commit
        self._pg = None
        if self.engine == "postgresql":  # psycopg_pool's pool instead of the list below
            from queue_server.store import pg

            self._pg = pg.Pool(path, self.POOL_SIZE)
        # threading.local is per greenlet under gevent's monkey-patching, so no connection is
        # ever shared by two greenlets or threads; the pool lets the short-lived request
        # greenlets reuse connections instead of opening one each.
        self._local = threading.local()
        self._pool: list[sqlite3.Connection] = []
        self._write_lock = threading.Lock()
        self._pending_lock = threading.Lock()
        self._pending: list[_Job] = []

    def conn(self) -> sqlite3.Connection:
        """This thread's (greenlet's) connection: its own until :meth:`release`."""
        c = getattr(self._local, "conn", None)
        if c is None:
            if self._pg is not None:
                c = self._pg.get()
            else:
                try:
                    c = self._pool.pop()
                except IndexError:
                    c = connect(self.path)
            self._local.conn = c
        return c

    def release(self) -> None:
        """Give this thread's connection back to the pool (at the end of each request)."""
        c = getattr(self._local, "conn", None)
        if c is None:
            return
        self._local.conn = None
        if c.in_transaction:  # never hand on an open transaction
            c.rollback()
        if self._pg is not None:
            c.close()  # back to psycopg_pool
        elif len(self._pool) < self.POOL_SIZE:
            self._pool.append(c)
        else:
            c.close()

    def close(self) -> None:
        """Close this thread's connection and the pooled ones."""
        c = getattr(self._local, "conn", None)
        if c is not None:
            c.close()
            self._local.conn = None
        while self._pool:
            self._pool.pop().close()
        if self._pg is not None:
            self._pg.close()

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
        """Run ``fn`` in a ``BEGIN IMMEDIATE`` transaction; hand it on after commit.

        Group commit: writers of this process queue their functions; whoever takes the write
        lock runs every queued one, each in its own savepoint (a failure undoes only its own
        changes and is raised to its own caller), then COMMITs them together (one fsync) and
        hands each transaction on in order. Every caller returns only after the COMMIT that
        holds its changes: acknowledged is still durable (synchronous=FULL). Under gevent the
        COMMIT's fsync runs in a native thread, so the event loop parses the next requests
        meanwhile, and those are the next group."""
        job = _Job(actor, fn, contextvars.copy_context())
        with self._pending_lock:
            self._pending.append(job)
        # Writers of this process queue on a lock rather than in SQLite's busy handler, which
        # sleeps in steps of up to 100 ms; other processes still meet busy_timeout.
        with self._write_lock:
            if not job.done:  # nobody took it while this caller waited: lead a group
                with self._pending_lock:
                    group, self._pending = self._pending[:GROUP_MAX], self._pending[GROUP_MAX:]
                self._run_group(group)
        if job.error is not None:
            raise job.error
        return job.result

    def _run_group(self, group: list[_Job]) -> None:
        """One transaction for ``group``; each job ends with its result or its error."""
        c = self.conn()
        try:
            begin_immediate(c)
            try:
                ran = self._run_jobs(c, group)
                self._commit(c)
            except BaseException:
                if c.in_transaction:
                    c.execute("ROLLBACK")
                raise
        # BEGIN, a savepoint or the COMMIT failed: none is durable, each caller is told why
        except BaseException as e:  # noqa: BLE001 - raised to every caller of the group
            for job in group:
                if job.error is None:
                    job.error, job.result = e, None
                job.done = True
            return
        for job in group:
            job.done = True
        # Still under the lock: transactions reach the publisher in the order of their seq.
        for tx in ran:
            self._committed(tx)

    def _committed(self, tx: Tx) -> None:
        """What follows one committed transaction: its own after-commit steps, then its live
        events to the publisher."""
        steps = list(tx.on_commit)
        if self.on_commit is not None and (tx.live or tx.tickets):
            steps.append(lambda: self.on_commit(tx))
        for fn in steps:
            try:
                fn()
            except Exception:  # committed is committed: a lost push is healed by resync
                logging.getLogger(__name__).exception("a step after COMMIT failed")

    @staticmethod
    def _run_jobs(c: sqlite3.Connection, group: list[_Job]) -> list[Tx]:
        """Each job in its own savepoint; the transactions of those that succeeded."""
        ran: list[Tx] = []
        for job in group:
            tx = Tx(conn=c, actor=job.actor)
            c.execute("SAVEPOINT hallq_write")
            try:
                # in the caller's own context (its Flask request), not the leader's
                job.result = job.context.run(job.fn, tx)
            except Exception as e:  # noqa: BLE001 - this caller's refusal, raised to it
                c.execute("ROLLBACK TO hallq_write")  # undo only its changes
                job.error = e
            else:
                ran.append(tx)
            c.execute("RELEASE hallq_write")
        return ran

    @staticmethod
    def _commit(c: sqlite3.Connection) -> None:
        """COMMIT; under gevent in a native thread (sqlite3 lets go of the GIL for the fsync),
        the greenlet waiting for it. No other greenlet uses ``c`` meanwhile: it is this one's.
        psycopg waits for PostgreSQL's COMMIT cooperatively itself (``store/pg.py``)."""
        if _gevent_patched() and getattr(c, "engine", "sqlite") == "sqlite":
            import gevent

            gevent.get_hub().threadpool.apply(c.execute, ("COMMIT",))
        else:
            c.execute("COMMIT")


GROUP_MAX = 64  # transactions in one group commit at most (bounds the leader's extra wait)


@dataclass
class _Job:
    """One caller's write, queued for a group commit."""

    actor: str
    fn: Callable[[Tx], Any]
    context: contextvars.Context
    result: Any = None
    error: BaseException | None = None
    done: bool = False


def _gevent_patched() -> bool:
    """Whether this process runs under gevent's monkey-patching (the production worker)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("threading")


def loads(value: Any, default: Any = None) -> Any:
    """Decode a JSON column, tolerating NULL."""
    if value is None or value == "":
        return default
    return json.loads(value)
