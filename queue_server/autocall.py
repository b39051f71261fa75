"""Auto mode: an open window with ``auto`` set is offered its next ticket by itself once it has
been free for the wrap-up time. One background loop per process; two processes racing for the
same window are harmless (the second finds the window busy inside its transaction)."""
from __future__ import annotations

import logging
import threading
import time

from .calling import call_next
from .db import Database
from .errors import ApiError

log = logging.getLogger(__name__)


class AutoCaller:
    def __init__(self, db: Database, wrap_up_s: float, interval_s: float = 1.0):
        self.db, self.wrap_up_s, self.interval_s = db, wrap_up_s, interval_s
        self._started = False
        self._lock = threading.Lock()
        self._wake = threading.Event()

    def ensure_started(self) -> None:
        from .hub import socketio
        with self._lock:
            if not self._started:
                self._started = True
                socketio.start_background_task(self._loop)
        self._wake.set()

    def kick(self) -> None:
        """Something changed (a ticket issued, a window freed): look again now."""
        if self._started:
            self._wake.set()

    def _loop(self) -> None:
        while True:
            try:
                self.tick()
            except Exception:  # keep calling tomorrow even if one round failed
                log.exception("auto call round failed")
            self._wake.wait(self.interval_s)
            self._wake.clear()

    def tick(self, now: float | None = None) -> int:
        """Call for every auto window that is open, free and past its wrap-up time."""
        now = time.time() if now is None else now
        due = self.db.all("SELECT id FROM windows WHERE auto = 1 AND status = 'open'"
                          " AND current IS NULL AND COALESCE(idle_since, 0) <= ?",
                          (now - self.wrap_up_s,))
        called = 0
        for row in due:
            def _call(tx, wid=row["id"]):
                w = tx.one("SELECT * FROM windows WHERE id = ?", (wid,))
                return call_next(tx, w)[0]
            try:
                if self.db.write("system", _call) is not None:
                    called += 1
            except ApiError:
                pass  # the window changed meanwhile (closed, paused, called by its clerk)
        return called
