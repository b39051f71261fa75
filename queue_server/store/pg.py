"""PostgreSQL through psycopg 3: connections that read like sqlite3's.

The rest of HallQ calls ``conn.execute(sql, params)`` and reads ``row["col"]`` or ``row[0]``
(sqlite3.Row). :class:`PgConnection` gives the same on a psycopg connection in autocommit mode
(HallQ's own ``BEGIN``/``SAVEPOINT``/``COMMIT`` statements run as written), each statement
translated once by :func:`dialect.to_pg`. Rows are :class:`Row`; ``cursor.lastrowid`` is
``lastval()``; ``numeric`` results (``SUM`` of integers) come back as int or float, as SQLite
gives them.

Under gevent: psycopg chooses how it waits for the socket when it is first imported, and picks
a select()/poll() based wait (a greenlet switch) when gevent has patched ``select``
(``psycopg.waiting._is_select_patched``). The production worker patches before importing the
app, and this module is imported only when a PostgreSQL URL is used, so every wait there is
cooperative; the pool's worker threads are greenlets too.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg import adapt, pq
from psycopg.types.numeric import IntDumper

from queue_server.store import dialect


class Row:
    """A result row as sqlite3.Row: by position, by (case-insensitive) name, ``keys()``."""

    __slots__ = ("_cols", "_values")

    def __init__(self, cols: tuple[tuple[str, ...], dict[str, int]], values: Sequence[Any]):
        self._cols = cols
        self._values = tuple(values)

    def __getitem__(self, key):
        if isinstance(key, str):
            index = self._cols[1]
            i = index.get(key)
            return self._values[index[key.lower()] if i is None else i]
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._cols[0])

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self._values == other._values and self._cols[0] == other._cols[0]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._cols[0], self._values, strict=True))!r})"


def _row_factory(cursor: psycopg.Cursor):
    names = tuple(c.name for c in cursor.description or ())
    index: dict[str, int] = {}
    for i, n in enumerate(names):
        index.setdefault(n, i)
    for i, n in enumerate(names):
        index.setdefault(n.lower(), i)
    cols = (names, index)
    return lambda values: Row(cols, values)


class PgCursor(psycopg.Cursor):
    """psycopg's cursor with sqlite3's ``lastrowid``: the id the last INSERT took from its
    table's identity sequence, in this session."""

    @property
    def lastrowid(self) -> int | None:
        return self.connection.execute("SELECT lastval()").fetchone()[0]


class _NumericLoader(adapt.Loader):
    """``numeric`` as SQLite would give it: an int when whole, else a float (never Decimal,
    which neither JSON nor the dispatcher takes)."""

    def load(self, data) -> int | float:
        text = bytes(data)
        if b"." in text or b"e" in text.lower() or b"N" in text:
            return float(text)
        return int(text)


class _BoolDumper(IntDumper):
    """A Python bool as 0/1: SQLite has no boolean, so HallQ's flag columns are integers."""

    def dump(self, obj: bool) -> bytes:
        return b"1" if obj else b"0"


def configure(conn: psycopg.Connection) -> None:
    """What every HallQ connection to PostgreSQL needs."""
    conn.adapters.register_loader("numeric", _NumericLoader)
    conn.adapters.register_dumper(bool, _BoolDumper)
    conn.row_factory = _row_factory
    conn.cursor_factory = PgCursor


def raw_connect(url: str) -> psycopg.Connection:
    conn = psycopg.connect(url, autocommit=True)
    configure(conn)
    return conn


class PgConnection:
    """A psycopg connection with sqlite3.Connection's surface as HallQ uses it."""

    engine = "postgresql"

    def __init__(self, raw: psycopg.Connection, release=None):
        self.raw = raw
        self._release = release

    def execute(self, sql: str, params: Sequence | dict = ()) -> PgCursor:
        sql = dialect.PG_BEGIN.get(sql.strip().upper(), sql)
        return self.raw.execute(dialect.to_pg(sql), params if params is not None else ())

    def executemany(self, sql: str, seq) -> PgCursor:
        cur = self.raw.cursor()
        cur.executemany(dialect.to_pg(sql), list(seq))
        return cur

    @property
    def in_transaction(self) -> bool:
        status = self.raw.info.transaction_status
        return status in (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR,
                          pq.TransactionStatus.ACTIVE)

    def rollback(self) -> None:
        if self.in_transaction:
            self.raw.execute("ROLLBACK")

    def commit(self) -> None:
        if self.in_transaction:
            self.raw.execute("COMMIT")

    def close(self) -> None:
        if self._release is not None:
            release, self._release = self._release, None
            release(self.raw)
        else:
            self.raw.close()


class Pool:
    """A psycopg_pool of one database's connections (opened at first use, so a process that
    forks after creating the app opens its own)."""

    def __init__(self, url: str, max_size: int):
        self.url = url
        self.max_size = max_size
        self._pool = None
        self._lock = threading.Lock()

    def get(self) -> PgConnection:
        with self._lock:
            if self._pool is None:
                from psycopg_pool import ConnectionPool

                self._pool = ConnectionPool(
                    self.url, min_size=1, max_size=self.max_size, open=True,
                    kwargs={"autocommit": True}, configure=configure, timeout=30)
            pool = self._pool
        return PgConnection(pool.getconn(), release=pool.putconn)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
