"""Delivering a durable outbox, for every outbound feed: the 电子监察 feed (``live/feed.py``)
and the citizens' notices (``live/notices.py``) share this one sender and its signed POST.

A round takes the oldest undelivered notice that is due, leases it (its ``next_at`` moves past
the send's timeout, in a short write, so another process does not send it meanwhile), sends it
with no transaction open, and records the result in a second short write: delivered, or due
again after ``retry_s`` × 2^(attempts−1) (at most an hour). Order is kept within a group
(``Outbox.group``: one column, e.g. the hall; None: one order for the whole table): only the
oldest pending notice of a group is ever sent, so one that fails holds back the ones after it
in its group only. Delivery is at least once: a receiver whose answer was lost gets the notice
again, with the same id.

Under gevent the send runs in the loop's greenlet with the patched sockets, so a receiver
that hangs holds only that greenlet, up to the timeout, never the event loop or a request.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from queue_server.domain import clock
from queue_server.store.db import Database, Tx

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 3600.0


def signature(secret: str, raw: bytes) -> str:
    """The ``X-HallQ-Signature`` header's value for ``raw``: HMAC-SHA256 with ``secret``."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def post_signed(url: str, secret: str, raw: bytes, timeout_s: float,
                headers: dict[str, str]) -> str | None:
    """POST ``raw`` (JSON) signed; None when the receiver took it (any 2xx), else what went
    wrong (a receiver that is down, refuses, hangs, or answers nonsense)."""
    req = urllib.request.Request(url, data=raw, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "X-HallQ-Signature": signature(secret, raw), **headers})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            status = resp.status
    except urllib.error.HTTPError as e:
        return f"HTTP {e.code}"
    except (OSError, ValueError, http.client.HTTPException) as e:
        return f"{type(e).__name__}: {e}"[:200]
    return None if 200 <= status < 300 else f"HTTP {status}"


@dataclass(frozen=True)
class Outbox:
    """Which rows one sender delivers: ``table`` (columns ``id``, ``attempts``, ``next_at``,
    ``delivered_at``, ``last_error``), narrowed by ``where`` (SQL, constant), in order within
    ``group``; ``expires``: the table has ``dropped_at`` and ``created_at``, and a notice not
    delivered within ``ttl_s`` is dropped (a call reported hours late helps nobody)."""

    table: str
    where: str = "1 = 1"
    group: str | None = None
    expires: bool = False

    @property
    def pending(self) -> str:
        dropped = " AND dropped_at IS NULL" if self.expires else ""
        return f"delivered_at IS NULL{dropped} AND {self.where}"


class OutboxSender:
    """Delivers one outbox through ``send(row) -> error | None``."""

    def __init__(self, db: Database, outbox: Outbox, send: Callable[[dict], str | None], *,
                 name: str, timeout_s: float, retry_s: float, ttl_s: float | None = None):
        self.db, self.outbox, self.send, self.name = db, outbox, send, name
        self.timeout_s, self.retry_s, self.ttl_s = timeout_s, retry_s, ttl_s

    def deliver_once(self, now: float | None = None) -> int:
        """Deliver the due notices in order until none is due; how many were delivered."""
        if self.outbox.expires and self.ttl_s:
            t = clock.now() if now is None else now
            self.db.write("system", lambda tx: self._expire(tx, t))
        sent = 0
        while True:
            t = clock.now() if now is None else now
            notice = self.db.write("system", lambda tx, t=t: self._lease(tx, t))
            if notice is None:
                return sent
            error = self.send(notice)
            done = clock.now() if now is None else now  # the back-off counts from the answer
            self.db.write("system",
                          lambda tx, n=notice, e=error, d=done: self._record(tx, n, e, d))
            if error is None:
                sent += 1
            else:  # its group waits; the other groups go on
                log.warning("%s notice %s not delivered (attempt %s): %s", self.name,
                            notice["id"], notice["attempts"], error)

    def _heads(self) -> str:
        """The id of the next notice to send, if due (``?``: now)."""
        o = self.outbox
        if o.group is None:
            return (f"SELECT id FROM {o.table} WHERE id = (SELECT MIN(id) FROM {o.table}"
                    f" WHERE {o.pending}) AND next_at <= ?")
        return (f"SELECT o.id FROM {o.table} o JOIN (SELECT MIN(id) AS head FROM {o.table}"
                f" WHERE {o.pending} GROUP BY {o.group}) h ON h.head = o.id"
                f" WHERE o.next_at <= ? ORDER BY o.id LIMIT 1")

    def _lease(self, tx: Tx, now: float) -> dict | None:
        tx.now = now
        row = tx.one(f"UPDATE {self.outbox.table} SET attempts = attempts + 1, next_at = ?"
                     f" WHERE id = ({self._heads()}) RETURNING *",
                     (now + self.timeout_s + 5, now))
        return dict(row) if row is not None else None

    def _record(self, tx: Tx, notice: dict, error: str | None, now: float) -> None:
        table = self.outbox.table
        if error is None:
            tx.run(f"UPDATE {table} SET delivered_at = ?, last_error = NULL WHERE id = ?",
                   (now, notice["id"]))
            return
        wait = min(self.retry_s * 2 ** (notice["attempts"] - 1), MAX_BACKOFF_S)
        tx.run(f"UPDATE {table} SET next_at = ?, last_error = ? WHERE id = ?",
               (now + wait, error, notice["id"]))

    def _expire(self, tx: Tx, now: float) -> None:
        tx.run(f"UPDATE {self.outbox.table} SET dropped_at = ?, last_error = 'expired'"
               f" WHERE {self.outbox.pending} AND created_at < ?", (now, now - self.ttl_s))
