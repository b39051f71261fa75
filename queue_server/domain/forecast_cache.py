"""The dispatcher's inputs per hall, kept between requests and brought up to date by deltas.

Every call-next plans over the hall's waiting tickets, every issue answers with the new
ticket's place in the forward run over them, and the phones' positions run over them once a
second. Reading and parsing hundreds of waiting tickets from SQL each time cost more than the
plan or the run itself (docs/benchmarks.md), so each process keeps them per hall, labelled with
the hall's ``forecast_version``: a counter that triggers bump in the very transaction that
changes anything the forecast reads, whichever process or code path wrote it (migration m007).
Each ticket row also carries the counter of its last such change (``tickets.fv``, m013).

- A reader reads the counter (one indexed row). Equal to the kept label: the kept inputs hold.
  Greater: only the tickets changed since (``fv`` above the label, an index range) and the
  hall's few other rows (windows, skills, services, today's load) are read again, in the same
  read transaction, and patched in. A deleted ticket, or one moved to another hall, bumps
  ``forecast_epoch`` instead (rare: never in the hall's own code); then everything is re-read.
- Inside a write transaction the state read may include the group's uncommitted changes, so it
  is used but kept only once the transaction commits (``Tx.after_commit``): a rolled-back
  change can never leave its label on kept inputs that a later transaction's same counter value
  would then seem to confirm.
- Entries are immutable and replaced whole, so greenlets (or threads) never see one half made.

Everything that moves with the clock (busy windows' ends, idle times, the day) is worked out
again per request from the kept rows. ``tests/test_issue_forecast.py`` checks, under random
sequences of every kind of change and of writes by another process, that the kept inputs are
exactly what a fresh snapshot gives.
"""
from __future__ import annotations

import bisect
import sqlite3
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from dispatcher import rules
from queue_server.domain import clock, planner


@dataclass(frozen=True, slots=True)
class Entry:
    """A hall's forecast inputs at one ``forecast_version`` (never mutated)."""

    version: int
    epoch: int
    tz: str | None
    day: str
    hall_state: dict  # planner.read_hall(): services, windows, skills, today's load
    keys: tuple[tuple[float, int], ...]  # (order_at, id) of each waiting ticket, in line order
    items: tuple[dict, ...]  # the same tickets as the snapshot carries them
    tickets: tuple[rules.Ticket, ...]  # and as the dispatcher parses them


def version(conn: sqlite3.Connection, hall: str) -> int:
    """The hall's forecast counter as this connection sees it (-1 for an unknown hall)."""
    row = conn.execute("SELECT forecast_version FROM halls WHERE id = ?", (hall,)).fetchone()
    return -1 if row is None else int(row[0])


_TICKET_COLS = "id, service, order_at, priority, due_at"


def _parse(items: list[dict]) -> list[rules.Ticket]:
    # through rules.parse itself, so a kept ticket is exactly what a fresh parse would give
    # (order_at is NOT NULL, so the clock passed here never shows through)
    return rules.parse({"now": 0.0, "tickets": items})[2]


def _only_queue_moved(kept: Entry, changed: list, v: int) -> bool:
    """Whether the hall's other rows (``planner.read_hall``) are as kept: the hot path of
    issues and cancels, which then costs two statements instead of seven.

    Every change the forecast watches bumps the counter once per row (migration m007) and a
    changed ticket carries the counter of its last change (m013): when the counter moved by
    exactly the number of changed tickets, each bump was one of theirs, so no window, skill,
    service or hall setting changed. Those tickets must also leave today's load and the
    windows' current tickets alone: each is waiting or cancelled now (so it was never done or
    transferred, which never go back) and none is a kept window's current ticket."""
    if v - kept.version != len(changed):
        return False
    currents = {w["current"] for w in kept.hall_state["windows"] if w["current"]}
    return all(r["status"] in ("waiting", "cancelled") and r["id"] not in currents
               for r in changed)


class ForecastCache:
    """One process's kept forecast inputs for the halls of one database."""

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}

    def entry(self, conn: sqlite3.Connection, hall: str, now: float,
              after_commit: Callable[[Callable[[], None]], None] | None = None
              ) -> Entry | None:
        """The hall's inputs as ``conn`` sees them now. Outside a transaction they are read
        in one of their own and kept; inside one (a write) ``after_commit`` keeps them once it
        commits, and without it they are used only."""
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            fresh = self._current(conn, hall, now)
        finally:
            if own and conn.in_transaction:  # never mask the error that may have ended it
                conn.execute("COMMIT")
        if fresh is not None and fresh is not self._entries.get(hall):
            if own:
                self._keep(hall, fresh)
            elif after_commit is not None:
                after_commit(lambda: self._keep(hall, fresh))
        return fresh

    def _keep(self, hall: str, fresh: Entry) -> None:
        kept = self._entries.get(hall)
        if kept is None or fresh.version > kept.version or fresh.day != kept.day:
            self._entries[hall] = fresh

    def _current(self, conn: sqlite3.Connection, hall: str, now: float) -> Entry | None:
        row = conn.execute("SELECT forecast_version, forecast_epoch, tz FROM halls"
                           " WHERE id = ?", (hall,)).fetchone()
        if row is None:
            return None
        v, epoch, tz = int(row["forecast_version"]), int(row["forecast_epoch"]), row["tz"]
        day = clock.day_of(now, tz)
        kept = self._entries.get(hall)
        if kept is None or (kept.epoch, kept.tz, kept.day) != (epoch, tz, day) \
                or kept.version > v:
            return self._read(conn, hall, v, epoch, tz, day)
        if kept.version == v:
            return kept
        return self._patched(conn, hall, kept, v)

    @staticmethod
    def _read(conn: sqlite3.Connection, hall: str, v: int, epoch: int, tz: str | None,
              day: str) -> Entry:
        """Everything from SQL (the caller holds one read transaction)."""
        waiting = planner.read_waiting(conn, hall, day)
        items = [planner.ticket_item(t) for t in waiting]
        return Entry(version=v, epoch=epoch, tz=tz, day=day,
                     hall_state=planner.read_hall(conn, hall, day),
                     keys=tuple((t["order_at"], t["id"]) for t in waiting),
                     items=tuple(items), tickets=tuple(_parse(items)))

    @staticmethod
    def _patched(conn: sqlite3.Connection, hall: str, kept: Entry, v: int) -> Entry:
        """``kept`` with the tickets changed since its label re-read, and the hall's other
        rows read again (they are few)."""
        changed = conn.execute(
            f"SELECT {_TICKET_COLS}, status, day FROM tickets WHERE hall = ? AND fv > ?"
            " ORDER BY order_at, id", (hall, kept.version)).fetchall()
        gone = {r["id"] for r in changed}
        keys, items, tickets = list(kept.keys), list(kept.items), list(kept.tickets)
        if gone:
            keep = [i for i, (_at, tid) in enumerate(keys) if tid not in gone]
            if len(keep) < len(keys):
                keys = [keys[i] for i in keep]
                items = [items[i] for i in keep]
                tickets = [tickets[i] for i in keep]
        back = [r for r in changed if r["status"] == "waiting" and r["day"] == kept.day]
        if back:
            new_items = [planner.ticket_item(r) for r in back]
            for r, item, t in zip(back, new_items, _parse(new_items), strict=True):
                i = bisect.bisect_left(keys, (r["order_at"], r["id"]))
                keys.insert(i, (r["order_at"], r["id"]))
                items.insert(i, item)
                tickets.insert(i, t)
        hall_state = (kept.hall_state if _only_queue_moved(kept, changed, v)
                      else planner.read_hall(conn, hall, kept.day))
        return Entry(version=v, epoch=kept.epoch, tz=kept.tz, day=kept.day,
                     hall_state=hall_state, keys=tuple(keys),
                     items=tuple(items), tickets=tuple(tickets))

    def inputs(self, conn: sqlite3.Connection, hall: str, now: float,
               after_commit: Callable | None = None) -> planner.Inputs | None:
        """The forward run's inputs at ``now``: equal to ``planner.parsed(planner.snapshot(
        conn, hall, now, forecast=True))`` (tests/test_issue_forecast.py)."""
        e = self.entry(conn, hall, now, after_commit)
        return None if e is None else _inputs(e, now)

    def snapshot(self, conn: sqlite3.Connection, hall: str, now: float,
                 only_free: str | None = None, after_commit: Callable | None = None
                 ) -> tuple[dict, planner.Inputs] | None:
        """``planner.snapshot(conn, hall, now, only_free)`` and its parse, from kept inputs."""
        e = self.entry(conn, hall, now, after_commit)
        if e is None:
            return None
        snap = planner.compose(e.hall_state, now, list(e.items), only_free)
        return snap, _inputs(e, now, snap)


def _inputs(e: Entry, now: float, snap: dict | None = None) -> planner.Inputs:
    # windows and services are few: composed and parsed per request, since busy ends and
    # idle times move with the clock; the many tickets are kept parsed
    bare = (planner.compose(e.hall_state, now, [], forecast=True) if snap is None
            else {**snap, "tickets": []})
    return planner.parsed(bare)._replace(tickets=list(e.tickets))


_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def of(database: object) -> ForecastCache:
    """The cache of one ``Database`` (one per app and process: never shared across files)."""
    cache = _CACHES.get(database)
    if cache is None:
        cache = _CACHES[database] = ForecastCache()
    return cache
