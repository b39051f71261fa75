"""Issuance limits: per client address per minute (in memory) and per ID number per day (in the
database, so it holds across restarts and processes)."""
from __future__ import annotations

import threading
import time
from collections import deque

from queue_server.errors import too_many
from queue_server.store.db import Tx


class AddressLimiter:
    """A sliding one-minute window of issue times per client address."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, address: str) -> None:
        if self.per_minute <= 0:
            return
        now = time.monotonic()
        with self._lock:
            q = self._hits.setdefault(address, deque())
            while q and now - q[0] >= 60:
                q.popleft()
            if len(q) >= self.per_minute:
                raise too_many("取号过于频繁，请稍后再试 (too many tickets from this device; "
                               "try again in a minute)")
            q.append(now)
            if len(self._hits) > 10000:  # forget addresses quiet for a minute
                for key in [k for k, v in self._hits.items() if not v or now - v[-1] >= 60]:
                    del self._hits[key]


def check_id_per_day(tx: Tx, id_hash: str, day: str, limit: int) -> None:
    n = tx.one("SELECT COUNT(*) FROM tickets WHERE id_hash = ? AND day = ?"
               " AND transferred_from IS NULL", (id_hash, day))[0]
    if limit > 0 and n >= limit:
        raise too_many("该证件今日取号次数已达上限 (daily ticket limit for this ID reached)")
