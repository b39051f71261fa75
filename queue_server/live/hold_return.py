"""The hall's hold timers: a held ticket whose ``hold_until`` passed goes back to the queue by
itself (``domain/holds.return_one``: one transaction and one ``hold_return`` audit event by
``system`` per ticket). One background loop per process, every ``HALLQ_HOLD_CHECK_S``; a
call-next runs its hall's check first too, so a window never calls past a due return. Two
processes racing for one ticket are harmless: the second finds it no longer held."""
from __future__ import annotations

from flask import Flask

from queue_server import registry
from queue_server.domain import clock, holds
from queue_server.live.loop import BackgroundLoop
from queue_server.store.db import Database, Tx


class HoldReturner:
    def __init__(self, db: Database, interval_s: float):
        self.db = db
        self.loop = BackgroundLoop("hold return", self.tick, interval_s)

    def tick(self, hall: str | None = None, now: float | None = None) -> int:
        """Return every due held ticket (of ``hall``, or of all halls); how many went back."""
        now = clock.now() if now is None else now
        due = holds.due(self.db.conn(), now, hall)
        returned = 0
        for ticket_id in due:
            def _return(tx: Tx, tid: int = ticket_id):
                tx.now = max(tx.now, now)
                return holds.return_one(tx, tid)
            if self.db.write("system", _return) is not None:
                returned += 1
        return returned


def start(app: Flask) -> None:
    """Register the returner; its loop starts with the first request a serving process
    handles. Tests, which set ``TESTING``, call :meth:`HoldReturner.tick` instead."""
    services = registry.services(app)
    services.hold_return = HoldReturner(services.db, float(app.config["HOLD_CHECK_S"]))
    if app.config.get("TESTING"):
        return
    loop = services.hold_return.loop

    @app.before_request
    def _start_hold_return() -> None:
        if not loop.started:
            loop.ensure_started()
