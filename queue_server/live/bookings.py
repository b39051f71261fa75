"""Missed bookings: a booking nobody checked in for is marked ``missed`` once its slot has
ended (``domain/appointments.mark_missed``: by ``system``, one audit event each, its
``appointment.missed`` notice in the same write).

A background loop of each serving process marks them every ``INTERVAL_S`` (started with the
first request, never in tests); reads that depend on it (a booking's page, the statistics, a
new booking's no-show check) call :func:`settle` first, so the answer is right whether or not
the loop has run. Marking is a guarded update: two processes mark each booking once.
"""
from __future__ import annotations

from flask import Flask

from queue_server import registry
from queue_server.domain import appointments, clock
from queue_server.live.loop import BackgroundLoop
from queue_server.store.db import Database, Tx

INTERVAL_S = 60.0


def settle(db: Database, hall: str | None = None, now: float | None = None) -> list[str]:
    """Mark the bookings (of ``hall``, or all) whose slot has ended unchecked-in; their
    codes. A read first: nothing to mark, no write."""
    now = clock.now() if now is None else now
    with db.read() as conn:
        codes = appointments.overdue(conn, now, hall)
    if not codes:
        return []

    def _mark(tx: Tx) -> list[str]:
        tx.now = now
        return appointments.mark_missed(tx, codes)

    return db.write("system", _mark)


def start(app: Flask) -> None:
    """Arrange for the loop to start with the first request (as ``alerts.start``)."""
    if app.config.get("TESTING"):
        return
    db = registry.db(app)
    loop = BackgroundLoop("missed bookings", lambda: settle(db), INTERVAL_S)

    @app.before_request
    def _start_missed() -> None:
        if not loop.started:
            loop.ensure_started()
