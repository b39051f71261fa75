"""Auto mode: an open window with ``auto`` set is offered its next ticket by itself once it has
been free for the wrap-up time. One background loop per process; two processes racing for the
same window are harmless (the second finds the window busy inside its transaction)."""
from __future__ import annotations

import logging
import time

from queue_server.domain import forecast_cache
from queue_server.domain.calling import call_next
from queue_server.errors import ApiError
from queue_server.live.loop import BackgroundLoop
from queue_server.store.db import Database

log = logging.getLogger(__name__)


class AutoCaller:
    def __init__(self, db: Database, wrap_up_s: float, interval_s: float = 1.0):
        self.db, self.wrap_up_s = db, wrap_up_s
        self.loop = BackgroundLoop("auto call", self.tick, interval_s)

    def ensure_started(self) -> None:
        self.loop.ensure_started()
        self.loop.wake()

    def kick(self) -> None:
        """Something changed (a ticket issued, a window freed): look again now."""
        self.loop.wake()

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
                return call_next(tx, w, forecast_cache.of(self.db))[0]
            try:
                if self.db.write("system", _call) is not None:
                    called += 1
            except ApiError:
                pass  # the window changed meanwhile (closed, paused, called by its clerk)
        return called
