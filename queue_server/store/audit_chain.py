"""The audit log's hash chain: each hall's events link to the one before.

An event's ``hash`` is SHA-256 over the previous event's hash (of the same hall) and the event's
canonical content: its ``seq``, hall, time, actor, action, ticket, window and the ``detail``
text exactly as stored. ``Tx.audit`` computes it inside the write transaction (``BEGIN
IMMEDIATE``, under the write lock), so two writers never link to the same predecessor.
Editing, deleting or inserting an event in the middle of a chain, or swapping two, breaks the
chain at that event; :func:`verify` names the first one.

Audit details never hold personal data (see ``domain/privacy.py``), so the personal-data purge
never touches ``events`` and the chain stays verifiable after it.

What a chain alone cannot show: the newest events of a hall deleted together (the chain is
shorter, not broken). Keep copies of ``hallq audit verify``'s output (it prints each chain's
head hash) to compare against.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS = "0" * 64  # the prev_hash of a hall's first event

# Events of no hall: failed logins with an unknown username, and the sign-ins of accounts that
# work in every hall (their one event would otherwise have to be copied into every hall).
SERVER_CHAIN = "*"

FIELDS = ("seq", "hall", "at", "actor", "action", "ticket", "window", "detail")


def canonical(event: Mapping[str, Any]) -> str:
    """The event's content as one deterministic string (``detail`` as its stored text)."""
    return json.dumps([event[k] for k in FIELDS], ensure_ascii=False, separators=(",", ":"))


def event_hash(prev_hash: str, event: Mapping[str, Any]) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical(event)}".encode()).hexdigest()


def head(conn: sqlite3.Connection, hall: str) -> str:
    """The hash of ``hall``'s newest event (GENESIS before its first)."""
    row = conn.execute("SELECT hash FROM events WHERE hall = ? ORDER BY seq DESC LIMIT 1",
                       (hall,)).fetchone()
    return row[0] if row is not None and row[0] else GENESIS


def chain_rows(rows: Iterable[Mapping[str, Any]], heads: dict[str, str]
               ) -> Iterable[tuple[str, str, int]]:
    """For rows in ``seq`` order (any halls): ``(prev_hash, hash, seq)`` of each, as the write
    path would have linked them, continuing from ``heads`` (each hall's last hash so far,
    updated; used by the migration that chains existing events, a batch at a time)."""
    for row in rows:
        prev = heads.get(row["hall"], GENESIS)
        h = event_hash(prev, row)
        heads[row["hall"]] = h
        yield prev, h, row["seq"]


def halls(conn: sqlite3.Connection) -> list[str]:
    """Every chain in the log: each hall's, and the server's if it has events."""
    return [r[0] for r in conn.execute("SELECT DISTINCT hall FROM events ORDER BY hall")]


def verify(conn: sqlite3.Connection, hall: str) -> dict:
    """Walk ``hall``'s chain from its first event: ``ok``, how many events were ``checked``
    (all of them, or those before the break), ``broken_at`` (the first event whose link or
    content does not match, or None) and the chain's ``head`` hash."""
    prev = GENESIS
    checked = 0
    cur = conn.execute(f"SELECT {', '.join(FIELDS)}, prev_hash, hash FROM events"
                       " WHERE hall = ? ORDER BY seq", (hall,))
    for row in cur:
        if row["prev_hash"] != prev or row["hash"] != event_hash(prev, row):
            cur.close()
            return {"hall": hall, "ok": False, "checked": checked, "broken_at": row["seq"],
                    "head": prev}
        prev = row["hash"]
        checked += 1
    return {"hall": hall, "ok": True, "checked": checked, "broken_at": None, "head": prev}
