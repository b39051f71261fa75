"""The 电子监察 feed's sender: delivers the outbox (``domain/supervision_feed.py``) to
``HALLQ_SUPERVISION_URL``, signed, in order, retried with back-off, never on a request.

One background loop per serving process (started with its first request, never in tests,
which call :meth:`FeedSender.deliver_once`); the sending is ``live/outbox.py``'s (leased, with
no transaction open, retried after ``SUPERVISION_RETRY_S`` × 2^(attempts−1), at most an hour).
Notices leave in the order they were written, all halls in one order; one that fails holds
the ones after it back (a receiver sees them in order). Delivery is at least once: a receiver
that answered but whose answer was lost gets the notice again, with the same ``id``.

Each POST carries the notice's JSON as its body and ``X-HallQ-Signature: sha256=<hex>``, the
HMAC-SHA256 of that raw body with ``HALLQ_SUPERVISION_SECRET``; also ``X-HallQ-Event`` (the
kind) and ``X-HallQ-Delivery`` (the notice's id). Any 2xx answer is a delivery.
"""
from __future__ import annotations

from flask import Flask

from queue_server import registry
from queue_server.live.loop import BackgroundLoop
from queue_server.live.outbox import Outbox, OutboxSender, post_signed, signature

__all__ = ["FeedSender", "check", "signature", "start"]


class FeedSender(OutboxSender):
    """Delivers the ``supervision_outbox`` of one app's database, in one order."""

    def __init__(self, app: Flask):
        self.url = app.config["SUPERVISION_URL"]
        self.secret = app.config["SUPERVISION_SECRET"] or ""
        super().__init__(registry.db(app), Outbox("supervision_outbox"), self._post,
                         name="supervision", timeout_s=float(app.config["SUPERVISION_TIMEOUT_S"]),
                         retry_s=float(app.config["SUPERVISION_RETRY_S"]))

    def _post(self, notice: dict) -> str | None:
        return post_signed(self.url, self.secret, notice["body"].encode(), self.timeout_s,
                           {"X-HallQ-Event": notice["kind"],
                            "X-HallQ-Delivery": str(notice["id"])})


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
