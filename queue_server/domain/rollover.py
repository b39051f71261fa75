"""The end of a hall's day: tickets left over from earlier days are ended and windows left open
overnight are closed, so the next morning starts with an empty queue (numbers restart at 001,
and a leftover "F001" must never be called beside today's).

Runs once per hall and day per process, before the first issue, call or snapshot of the day;
each ended ticket is its own audited transition by ``system``.
"""
from __future__ import annotations

import threading

from queue_server.domain import clock, read_models, tickets
from queue_server.domain.window_state import close
from queue_server.store.db import Database, Tx

LEFTOVER = ("waiting", "held", "called", "serving")


def end_earlier_days(tx: Tx, hall: str) -> int:
    """End every leftover ticket of earlier days and close windows opened before today."""
    tz = read_models.tz_of(tx.conn, hall)
    today = clock.day_of(tx.now, tz)
    start, _ = clock.day_bounds(today, tz)
    q = ",".join("?" * len(LEFTOVER))
    rows = tx.all(f"SELECT * FROM tickets WHERE hall = ? AND day < ? AND status IN ({q})"
                  " ORDER BY id", (hall, today, *LEFTOVER))
    for row in rows:
        window = tx.one("SELECT * FROM windows WHERE current = ?", (row["id"],))
        if row["status"] in ("waiting", "held"):
            tickets.expire(tx, row)
        elif window is not None:  # the lifecycle's own transitions free the window
            (tickets.no_show if row["status"] == "called" else tickets.finish)(tx, window)
        else:
            tickets.expire(tx, row)
    for w in tx.all("SELECT * FROM windows WHERE hall = ? AND status != 'closed'"
                    " AND COALESCE(status_since, 0) < ? AND current IS NULL", (hall, start)):
        close(tx, w)
    return len(rows)


class Rollover:
    """Remembers which hall-days are clean, so the check costs nothing after the first."""

    def __init__(self, db: Database):
        self.db = db
        self._clean: dict[str, str] = {}
        self._lock = threading.Lock()

    def ensure(self, hall: str, now: float | None = None) -> int:
        now = clock.now() if now is None else now
        day = clock.day_of(now, read_models.tz_of(self.db.conn(), hall))
        if self._clean.get(hall) == day:
            return 0
        with self._lock:
            if self._clean.get(hall) == day:
                return 0

            def _tx(tx: Tx) -> int:
                tx.now = now
                return end_earlier_days(tx, hall)

            ended = self.db.write("system", _tx)
            self._clean[hall] = day
            return ended
