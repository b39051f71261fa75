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
shorter, not broken). So the chain's head is also kept outside the database: the server logs
each chain's :func:`anchor` line once a day, and ``hallq audit verify`` prints the same lines;
``hallq audit verify --against FILE`` (any earlier output, or the server's log) checks that
every head saved there is still in its chain (:func:`still_there`).
"""
from __future__ import annotations

import hashlib
import json
import re
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


ANCHOR = re.compile(r"^(?:.*\s)?(\S+)\tok\t(\d+) events\thead ([0-9a-f]{64})\s*$")


def anchor(result: Mapping[str, Any]) -> str:
    """A verified chain's head as one line (what ``hallq audit verify`` prints and the server
    logs daily): hall, event count and head hash; no personal data."""
    return f"{result['hall']}\tok\t{result['checked']} events\thead {result['head']}"


def anchors(lines: Iterable[str]) -> list[tuple[str, int, str]]:
    """The ``(hall, events, head)`` of every :func:`anchor` line among ``lines`` (a saved
    output or a log file, other lines ignored)."""
    found = []
    for line in lines:
        m = ANCHOR.match(line.rstrip("\n"))
        if m:
            found.append((m.group(1), int(m.group(2)), m.group(3)))
    return found


def heads(conn: sqlite3.Connection) -> list[dict]:
    """Every chain's event count and newest hash now, unverified (the daily log anchor)."""
    return [{"hall": r[0], "checked": r[1], "head": r[2] or GENESIS} for r in conn.execute(
        "SELECT hall, COUNT(*), (SELECT hash FROM events l WHERE l.hall = e.hall"
        " ORDER BY seq DESC LIMIT 1) FROM events e GROUP BY hall ORDER BY hall")]


def still_there(conn: sqlite3.Connection, hall: str, events: int, head_hash: str) -> bool:
    """Whether a head saved earlier (``events`` events, ending in ``head_hash``) is still the
    ``events``-th event of the hall's chain: false when events were deleted or rewritten."""
    if head_hash == GENESIS:
        return True
    row = conn.execute("SELECT COUNT(*) FROM events WHERE hall = ? AND seq <= (SELECT seq FROM"
                       " events WHERE hall = ? AND hash = ?)", (hall, hall, head_hash)).fetchone()
    return row is not None and row[0] == events


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
