"""The 电子监察 feed's sender: delivers the outbox (``domain/supervision_feed.py``) to
``HALLQ_SUPERVISION_URL``, signed, in order, retried with back-off, never on a request.

One background loop per serving process (started with its first request, never in tests,
which call :meth:`FeedSender.deliver_once`). A round takes the oldest undelivered notice if it
is due, leases it (its ``next_at`` moves past the HTTP timeout, in a short write, so another
process does not send it meanwhile), POSTs it with no transaction open, and records the result
in a second short write: delivered, or due again after ``SUPERVISION_RETRY_S`` × 2^(attempts−1)
(at most an hour). Notices leave in the order they were written; one that fails holds the ones
after it back (a receiver sees them in order). Delivery is at least once: a receiver that
answered but whose answer was lost gets the notice again, with the same ``id``.

Each POST carries the notice's JSON as its body and ``X-HallQ-Signature: sha256=<hex>``, the
HMAC-SHA256 of that raw body with ``HALLQ_SUPERVISION_SECRET``; also ``X-HallQ-Event`` (the
kind) and ``X-HallQ-Delivery`` (the notice's id). Any 2xx answer is a delivery.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import logging
import urllib.error
import urllib.request

from flask import Flask

from queue_server import registry
from queue_server.domain import clock
from queue_server.live.loop import BackgroundLoop
from queue_server.store.db import Tx

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 3600.0


def signature(secret: str, raw: bytes) -> str:
    """The ``X-HallQ-Signature`` header's value for ``raw``."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


class FeedSender:
    """Delivers the outbox of one app's database."""

    def __init__(self, app: Flask):
        self.db = registry.db(app)
        self.url = app.config["SUPERVISION_URL"]
        self.secret = app.config["SUPERVISION_SECRET"] or ""
        self.timeout_s = float(app.config["SUPERVISION_TIMEOUT_S"])
        self.retry_s = float(app.config["SUPERVISION_RETRY_S"])

    def deliver_once(self, now: float | None = None) -> int:
        """Deliver the due notices in order until one fails or none is due; how many were."""
        sent = 0
        while True:
            t = clock.now() if now is None else now
            notice = self.db.write("system", lambda tx, t=t: self._lease(tx, t))
            if notice is None:
                return sent
            error = self._post(notice)
            done = clock.now() if now is None else now  # the back-off counts from the answer
            self.db.write("system",
                          lambda tx, n=notice, e=error, d=done: self._record(tx, n, e, d))
            if error is not None:
                log.warning("supervision notice %s not delivered (attempt %s): %s",
                            notice["id"], notice["attempts"], error)
                return sent
            sent += 1

    def _lease(self, tx: Tx, now: float) -> dict | None:
        tx.now = now
        row = tx.one("UPDATE supervision_outbox SET attempts = attempts + 1, next_at = ?"
                     " WHERE id = (SELECT id FROM supervision_outbox WHERE delivered_at IS NULL"
                     " ORDER BY id LIMIT 1) AND next_at <= ? RETURNING id, kind, body, attempts",
                     (now + self.timeout_s + 5, now))
        return dict(row) if row is not None else None

    def _post(self, notice: dict) -> str | None:
        """POST one notice; None when the receiver took it, else what went wrong."""
        raw = notice["body"].encode()
        req = urllib.request.Request(self.url, data=raw, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-HallQ-Signature": signature(self.secret, raw),
            "X-HallQ-Event": notice["kind"], "X-HallQ-Delivery": str(notice["id"])})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                status = resp.status
        except urllib.error.HTTPError as e:
            return f"HTTP {e.code}"
        # a receiver that is down, refuses, hangs up or answers nonsense: tried again later
        except (OSError, ValueError, http.client.HTTPException) as e:
            return f"{type(e).__name__}: {e}"[:200]
        return None if 200 <= status < 300 else f"HTTP {status}"

    def _record(self, tx: Tx, notice: dict, error: str | None, now: float) -> None:
        if error is None:
            tx.run("UPDATE supervision_outbox SET delivered_at = ?, last_error = NULL"
                   " WHERE id = ?", (now, notice["id"]))
            return
        wait = min(self.retry_s * 2 ** (notice["attempts"] - 1), MAX_BACKOFF_S)
        tx.run("UPDATE supervision_outbox SET next_at = ?, last_error = ? WHERE id = ?",
               (now + wait, error, notice["id"]))


def check(config: dict) -> None:
    """A feed URL needs its secret: an unsigned feed stops the start, not the first notice."""
    if config.get("SUPERVISION_URL") and not config.get("SUPERVISION_SECRET"):
        raise ValueError("HALLQ_SUPERVISION_URL is set but HALLQ_SUPERVISION_SECRET is not:"
                         " the feed's notices are signed with it")


def start(app: Flask) -> None:
    """Arrange for the sender to start with the first request (as ``alerts.start``), when a
    feed is configured."""
    if app.config.get("TESTING") or not app.config.get("SUPERVISION_URL"):
        return
    sender = FeedSender(app)
    loop = BackgroundLoop("supervision feed", sender.deliver_once,
                          float(app.config["SUPERVISION_POLL_S"]))

    @app.before_request
    def _start_feed() -> None:
        if not loop.started:
            loop.ensure_started()
