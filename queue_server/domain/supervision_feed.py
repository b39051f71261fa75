"""The 电子监察 feed's outbox: a notice is a row of ``supervision_outbox`` written in the same
transaction as the event it reports, so it exists exactly when the event committed; the sender
(``live/feed.py``) delivers it later, off the write path.

Kinds (``HALLQ_SUPERVISION_EVENTS`` chooses; all by default): ``wait.overdue`` (a waiting
ticket passed its wait limit), ``service.overtime`` (办理超时), ``rating.bad`` (a 1- or 2-star
rating), ``rectification.overdue`` (a case past its due time). Nothing is written while no
``HALLQ_SUPERVISION_URL`` is set. Bodies carry ticket numbers, services, windows and staff
usernames, and a bad rating's screened reason; never an ID or phone number or a comment.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

from queue_server.domain import clock
from queue_server.store.db import Tx

KINDS = ("wait.overdue", "service.overtime", "rating.bad", "rectification.overdue")


def kinds(config: Mapping) -> frozenset[str]:
    """The kinds to feed under ``config`` (empty: no feed configured)."""
    if not config.get("SUPERVISION_URL"):
        return frozenset()
    chosen = config.get("SUPERVISION_EVENTS") or ",".join(KINDS)
    return frozenset(k.strip() for k in str(chosen).split(",") if k.strip() in KINDS)


def check_kinds(value: object) -> object:
    """``HALLQ_SUPERVISION_EVENTS``: a comma list of :data:`KINDS` (an unknown one stops the
    start rather than silently feeding nothing)."""
    if value:
        unknown = [k.strip() for k in str(value).split(",") if k.strip() not in KINDS]
        if unknown:
            raise ValueError(f"HALLQ_SUPERVISION_EVENTS: unknown kinds {unknown};"
                             f" known: {', '.join(KINDS)}")
    return value


def ticket_ref(tx: Tx, ticket: sqlite3.Row) -> dict:
    """A ticket as the feed names it: number, day, service, window and clerk."""
    svc = tx.one("SELECT name FROM services WHERE id = ?", (ticket["service"],))
    win = tx.one("SELECT name, clerk FROM windows WHERE id = ?", (ticket["window"],)) \
        if ticket["window"] else None
    # served_by is set when the ticket ends; while it is served, the window's clerk serves it
    clerk = ticket["served_by"] or (win["clerk"] if win else None)
    return {"number": ticket["number"], "day": ticket["day"], "service": ticket["service"],
            "service_name": svc["name"] if svc else ticket["service"],
            "window": ticket["window"], "window_name": win["name"] if win else None,
            "clerk": clerk}


def enqueue(tx: Tx, feed: frozenset[str], hall: str, kind: str, data: dict) -> int | None:
    """Write one notice of ``kind`` into the outbox in this transaction (if fed)."""
    if kind not in feed:
        return None
    tz = tx.one("SELECT tz FROM halls WHERE id = ?", (hall,))
    cur = tx.run("INSERT INTO supervision_outbox (hall, kind, body, created_at, attempts,"
                 " next_at) VALUES (?, ?, '', ?, 0, ?)", (hall, kind, tx.now, tx.now))
    notice_id = int(cur.lastrowid)
    body = {"id": notice_id, "event": kind, "hall": hall,
            "at": clock.iso(tx.now, tz["tz"] if tz else None), **data}
    tx.run("UPDATE supervision_outbox SET body = ? WHERE id = ?",
           (json.dumps(body, ensure_ascii=False, sort_keys=True), notice_id))
    return notice_id
