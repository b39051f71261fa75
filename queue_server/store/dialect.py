"""Where SQLite and PostgreSQL differ: the one place that knows.

HallQ's SQL is written once, in SQLite's spelling (``?`` and ``:name`` placeholders, the column
``window`` unquoted, ``group_concat``, ``REAL``). On PostgreSQL each statement passes through
:func:`to_pg` (cached) on its way to the server; migrations' DDL through :func:`ddl_to_pg`,
which also turns SQLite's ``CREATE TRIGGER ... BEGIN ... END`` into a PL/pgSQL function and
its trigger. Everything else is the same SQL on both engines.
"""
from __future__ import annotations

import re
from functools import lru_cache

# The URL schemes that select PostgreSQL (anything else is a SQLite file path).
PG_SCHEMES = ("postgresql://", "postgres://")

# One advisory lock serialises every HallQ writer on a PostgreSQL database (all halls): the
# write path's group commit already makes one transaction per group, so a per-hall lock would
# need the hall before the group's functions ran. Stated in docs/deployment.md.
WRITE_LOCK_KEY = 0x4A11_0001
MIGRATE_LOCK_KEY = 0x4A11_0002

# Identifiers SQLite takes bare and PostgreSQL reserves: quoted on the way to PostgreSQL.
_RESERVED = {"window"}

_TOKEN = re.compile(r"""('(?:[^']|'')*')      # a string literal
                       |("(?:[^"]|"")*")     # a quoted identifier
                       |(::)                 # a PostgreSQL cast, never a placeholder
                       |(\?)                 # a positional placeholder
                       |:([A-Za-z_]\w*)      # a named placeholder
                       |(%)                  # a literal percent sign
                       |([A-Za-z_]\w*)       # a word
                    """, re.VERBOSE)


def is_pg(db: str) -> bool:
    """Whether ``db`` (``HALLQ_DB``, ``--db``) names a PostgreSQL database."""
    return db.startswith(PG_SCHEMES)


@lru_cache(maxsize=4096)
def to_pg(sql: str) -> str:
    """``sql`` in psycopg's spelling: ``%s``/``%(name)s`` placeholders, every other ``%``
    doubled, reserved words quoted, SQLite-only names replaced; inside string literals only
    ``%`` changes."""
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(sql):
        out.append(sql[pos:m.start()])
        pos = m.end()
        literal, quoted, cast, qmark, name, percent, word = m.groups()
        if literal or quoted:  # psycopg reads every % as a placeholder, in quotes too
            out.append(m.group(0).replace("%", "%%"))
        elif cast:
            out.append(m.group(0))
        elif qmark:
            out.append("%s")
        elif name:
            out.append(f"%({name})s")
        elif percent:
            out.append("%%")
        elif word.lower() in _RESERVED:
            out.append(f'"{word}"')
        elif word.lower() == "group_concat":
            out.append("hallq_group_concat")
        elif word.upper() == "REAL":
            out.append("DOUBLE PRECISION")
        else:
            out.append(word)
    out.append(sql[pos:])
    return "".join(out)


# What SQLite's BEGIN means on each engine. A read (db.read, the forecast cache) wants one
# snapshot across its queries, which PostgreSQL gives only at REPEATABLE READ.
PG_BEGIN = {"BEGIN": "BEGIN ISOLATION LEVEL REPEATABLE READ", "BEGIN DEFERRED":
            "BEGIN ISOLATION LEVEL REPEATABLE READ"}


# A transaction behind an advisory lock must see what was committed while it waited, so it is
# READ COMMITTED (a REPEATABLE READ snapshot would be taken before the lock was had).
PG_BEGIN_LOCKED = "BEGIN ISOLATION LEVEL READ COMMITTED"


def pg_begin_write() -> list[str]:
    """``BEGIN IMMEDIATE`` on PostgreSQL: READ COMMITTED (each statement sees every commit
    before it) behind the one write lock, waited for at most as long as SQLite's writers."""
    return [PG_BEGIN_LOCKED, "SET LOCAL lock_timeout = '30s'",
            f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"]


# Functions SQLite has built in, defined on a PostgreSQL database by every migrate().
PG_FUNCTIONS = [
    # group_concat(x): SQLite's comma-joined aggregate (NULLs skipped, NULL when none)
    "CREATE OR REPLACE FUNCTION hallq_concat_step(acc text, x text) RETURNS text"
    " LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN x IS NULL THEN acc WHEN acc IS NULL"
    " THEN x ELSE acc || ',' || x END $$",
    "CREATE OR REPLACE AGGREGATE hallq_group_concat(text) (SFUNC = hallq_concat_step,"
    " STYPE = text)",
]

# SQLite column types (as sqlite-utils and the migrations write them) -> PostgreSQL's. Integers
# are 64-bit in SQLite; REAL is a double.
PG_TYPES = {str: "TEXT", int: "BIGINT", float: "DOUBLE PRECISION", bytes: "BYTEA",
            bool: "BIGINT", "TEXT": "TEXT", "INTEGER": "BIGINT", "REAL": "DOUBLE PRECISION",
            "FLOAT": "DOUBLE PRECISION", "BLOB": "BYTEA", "NUMERIC": "NUMERIC"}

_TRIGGER = re.compile(
    r"^\s*CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s+(BEFORE|AFTER)\s+"
    r"(INSERT|UPDATE|DELETE)(?:\s+OF\s+([\w\s,]+?))?\s+ON\s+(\w+)"
    r"(?:\s+FOR\s+EACH\s+ROW)?(?:\s+WHEN\s+(.+?))?\s+BEGIN\s+(.*)\s+END\s*;?\s*$",
    re.IGNORECASE | re.DOTALL)
_RAISE = re.compile(r"^SELECT\s+RAISE\s*\(\s*ABORT\s*,\s*('(?:[^']|'')*')\s*\)$", re.I)
_DROP_TRIGGER = re.compile(r"^\s*DROP\s+TRIGGER\s+(IF\s+EXISTS\s+)?(\w+)\s*;?\s*$", re.I)
_ROWID_PK = re.compile(r"\bINTEGER\s+PRIMARY\s+KEY\b", re.I)
_ADD_COLUMN_TYPE = re.compile(r"\b(INTEGER|REAL|FLOAT|BLOB)\b", re.I)


def pg_trigger(sql: str) -> list[str] | None:
    """SQLite's ``CREATE TRIGGER`` as PostgreSQL statements (a PL/pgSQL function and its row
    trigger), or None when ``sql`` is no trigger."""
    m = _TRIGGER.match(sql)
    if m is None:
        return None
    name, timing, event, columns, table, when, body = m.groups()
    steps = []
    for stmt in (s.strip() for s in body.split(";")):
        if not stmt:
            continue
        r = _RAISE.match(stmt)
        steps.append(f"RAISE EXCEPTION {r.group(1)}" if r else to_pg(stmt))
    # a BEFORE trigger's row goes on; an AFTER trigger's return value is ignored
    ret = "NULL" if timing.upper() == "AFTER" else ("OLD" if event.upper() == "DELETE"
                                                      else "NEW")
    of = f" OF {to_pg(columns)}" if columns else ""
    cond = f" WHEN ({to_pg(when)})" if when else ""
    return [
        f"CREATE OR REPLACE FUNCTION hallq_trg_{name}() RETURNS trigger LANGUAGE plpgsql AS"
        f" $$ BEGIN {'; '.join(steps)}; RETURN {ret}; END $$",
        f"CREATE TRIGGER {name} {timing} {event}{of} ON {table} FOR EACH ROW{cond}"
        f" EXECUTE FUNCTION hallq_trg_{name}()",
    ]


def ddl_to_pg(sql: str, trigger_table) -> list[str]:
    """One migration statement as PostgreSQL statements. ``trigger_table(name)`` gives the
    table of an existing trigger (PostgreSQL names a trigger per table, SQLite per schema)."""
    made = pg_trigger(sql)
    if made is not None:
        return made
    m = _DROP_TRIGGER.match(sql)
    if m is not None:
        table = trigger_table(m.group(2))
        if table is None:
            if m.group(1):
                return []
            raise ValueError(f"no trigger {m.group(2)}")
        return [f"DROP TRIGGER {m.group(1) or ''}{m.group(2)} ON {table}"]
    stripped = sql.lstrip().upper()
    if stripped.startswith(("ALTER TABLE", "CREATE TABLE")):
        # SQLite's rowid alias: an id given when the INSERT leaves it out
        sql = _ROWID_PK.sub("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", sql)
        # the column types of SQLite's DDL (REAL is a 4-byte float on PostgreSQL)
        sql = _ADD_COLUMN_TYPE.sub(lambda t: PG_TYPES[t.group(1).upper()], sql)
    return [to_pg(sql)]
