"""The forecast's inputs per hall, kept between requests: what an issue's answer needs.

An issue's answer (the new ticket's position and ETA) is the dispatcher's forward run over
the hall's windows and waiting tickets. Reading and parsing those from SQL on every request
cost more than the run itself, so each process keeps them per hall, labelled with the hall's
``forecast_version``: a counter that triggers (migration m007) bump in the very transaction
that changes anything the forecast reads, whichever process or code path wrote it.

- A request reads the counter (one indexed row) and uses the kept inputs only when the label
  equals it; otherwise it reads everything again. A stale entry is never used.
- An issue or a cancel in this process tells the cache its own change (``Change``): the
  counter before and after its statements, read inside its ``BEGIN IMMEDIATE``. When exactly
  one counted change happened (after = before + 1) it was that ticket's insert or status
  update, so the new entry is the old one with the ticket added or removed; anything else
  (a call, a skills edit, another process) just leaves the next reader to re-read.
- Entries are immutable and replaced whole, so greenlets (or threads) never see one half
  made; a lost race between two writers costs a re-read, never a wrong answer.

Only the waiting tickets and the hall's other rows are kept; everything that moves with the
clock (busy windows' ends, idle times, the day) is worked out again per request from them.
"""
from __future__ import annotations

import bisect
import sqlite3
import weakref
from dataclasses import dataclass
from typing import NamedTuple

from dispatcher import rules
from queue_server.domain import clock, planner


class Change(NamedTuple):
    """What one write transaction did to a hall's forecast inputs: the counter around it."""

    hall: str
    before: int
    after: int


@dataclass(frozen=True, slots=True)
class Entry:
    """A hall's forecast inputs at one ``forecast_version`` (never mutated)."""

    version: int
    tz: str | None
    day: str
    hall_state: dict  # planner.read_hall(): services, windows, skills, today's load
    keys: tuple[tuple[float, int], ...]  # (order_at, id) of each waiting ticket, in line order
    tickets: tuple[rules.Ticket, ...]  # the same tickets, parsed as the dispatcher parses them


def version(conn: sqlite3.Connection, hall: str) -> int:
    """The hall's forecast counter as this connection sees it (-1 for an unknown hall)."""
    row = conn.execute("SELECT forecast_version FROM halls WHERE id = ?", (hall,)).fetchone()
    return -1 if row is None else int(row[0])


def change(conn: sqlite3.Connection, hall: str, before: int) -> Change:
    """Close a ``Change`` opened by reading :func:`version` earlier in the same transaction."""
    return Change(hall, before, version(conn, hall))


def _parse_ticket(row: sqlite3.Row | dict) -> rules.Ticket:
    # through rules.parse itself, so a kept ticket is exactly what a fresh parse would give
    # (order_at is NOT NULL, so the clock passed here never shows through)
    return rules.parse({"now": 0.0, "tickets": [planner.ticket_item(row)]})[2][0]


class ForecastCache:
    """One process's kept forecast inputs for the halls of one database."""

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}

    def entry(self, conn: sqlite3.Connection, hall: str, now: float) -> Entry | None:
        """The hall's inputs valid now: the kept entry if its label is the database's
        current counter and its day is today's, else read again (and kept)."""
        row = conn.execute("SELECT forecast_version, tz FROM halls WHERE id = ?",
                           (hall,)).fetchone()
        if row is None:
            return None
        day = clock.day_of(now, row["tz"])
        kept = self._entries.get(hall)
        if (kept is not None and kept.version == row["forecast_version"]
                and kept.day == day and kept.tz == row["tz"]):
            return kept
        fresh = self._read(conn, hall, now)
        if fresh is not None:
            self._entries[hall] = fresh
        return fresh

    def _read(self, conn: sqlite3.Connection, hall: str, now: float) -> Entry | None:
        """Everything from SQL in one read transaction, labelled with the counter it saw."""
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            row = conn.execute("SELECT forecast_version, tz FROM halls WHERE id = ?",
                               (hall,)).fetchone()
            if row is None:
                return None
            day = clock.day_of(now, row["tz"])
            waiting = planner.read_waiting(conn, hall, day)
            return Entry(version=int(row["forecast_version"]), tz=row["tz"], day=day,
                         hall_state=planner.read_hall(conn, hall, day),
                         keys=tuple((t["order_at"], t["id"]) for t in waiting),
                         tickets=tuple(_parse_ticket(t) for t in waiting))
        finally:
            if own and conn.in_transaction:  # never mask the error that may have ended it
                conn.execute("COMMIT")

    def inputs(self, conn: sqlite3.Connection, hall: str, now: float) -> planner.Inputs | None:
        """The forward run's inputs at ``now``: equal to ``planner.parsed(planner.snapshot(
        conn, hall, now))`` (tests/test_issue_forecast.py)."""
        e = self.entry(conn, hall, now)
        if e is None:
            return None
        # windows and services are few: composed and parsed per request, since busy ends and
        # idle times move with the clock; the many tickets are kept parsed
        fresh = planner.parsed(planner.compose(e.hall_state, now, []))
        return fresh._replace(tickets=list(e.tickets))

    def added(self, ch: Change, row: sqlite3.Row) -> None:
        """After COMMIT: the transaction ``ch`` inserted the waiting ticket ``row``."""
        kept = self._entries.get(ch.hall)
        if (kept is None or ch.after != ch.before + 1 or kept.version != ch.before
                or row["status"] != "waiting" or row["hall"] != ch.hall
                or row["day"] != kept.day):
            return  # not provably that one change: the next reader re-reads
        key = (row["order_at"], row["id"])
        i = bisect.bisect_left(kept.keys, key)
        if i < len(kept.keys) and kept.keys[i] == key:
            return
        self._entries[ch.hall] = Entry(
            version=ch.after, tz=kept.tz, day=kept.day, hall_state=kept.hall_state,
            keys=(*kept.keys[:i], key, *kept.keys[i:]),
            tickets=(*kept.tickets[:i], _parse_ticket(row), *kept.tickets[i:]))

    def removed(self, ch: Change, row: sqlite3.Row) -> None:
        """After COMMIT: the transaction ``ch`` cancelled the waiting ticket ``row`` (no
        window holds a cancelled ticket, and the day's load counts only finished ones)."""
        kept = self._entries.get(ch.hall)
        if (kept is None or ch.after != ch.before + 1 or kept.version != ch.before
                or row["status"] != "cancelled" or row["window"] is not None
                or row["hall"] != ch.hall):
            return  # not provably that one change: the next reader re-reads
        key = (row["order_at"], row["id"])
        i = bisect.bisect_left(kept.keys, key)
        if i == len(kept.keys) or kept.keys[i] != key:
            return  # it was not among the kept waiting tickets: re-read rather than guess
        self._entries[ch.hall] = Entry(
            version=ch.after, tz=kept.tz, day=kept.day, hall_state=kept.hall_state,
            keys=kept.keys[:i] + kept.keys[i + 1:], tickets=kept.tickets[:i] + kept.tickets[i + 1:])


_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def of(database: object) -> ForecastCache:
    """The cache of one ``Database`` (one per app and process: never shared across files)."""
    cache = _CACHES.get(database)
    if cache is None:
        cache = _CACHES[database] = ForecastCache()
    return cache
