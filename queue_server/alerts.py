"""超时预警: waiting tickets past their service's ``wait_limit_s``, pushed to the managers room.

A background task (started once per process, not in tests) checks every hall every
``HALLQ_ALERT_INTERVAL_S`` seconds (default 5) and emits ``alert.wait`` once per ticket; the
monitor also flags overdue tickets on every load, so a missed push loses nothing.
"""
from __future__ import annotations

import logging
import sqlite3
import threading

from flask import Flask

from . import clock, views
from .events import WaitAlert, managers_room

log = logging.getLogger(__name__)


def overdue(conn: sqlite3.Connection, hall: str, now: float) -> list[dict]:
    """Waiting tickets of ``hall`` that waited longer than their service's limit, longest first.

    A ticket's wait runs from its issue (a transferred ticket keeps its original issue time:
    the citizen has been waiting in the hall that long).
    """
    tz = views.tz_of(conn, hall)
    rows = conn.execute(
        "SELECT t.id, t.number, t.service, t.issued_at, t.priority, s.name, s.name_en,"
        " s.wait_limit_s FROM tickets t JOIN services s ON s.id = t.service"
        " WHERE t.hall = ? AND t.status = 'waiting' AND s.wait_limit_s IS NOT NULL"
        " AND ? - t.issued_at > s.wait_limit_s ORDER BY t.issued_at, t.id",
        (hall, now)).fetchall()
    return [{"hall": hall, "ticket": r["id"], "number": r["number"], "service": r["service"],
             "service_name": r["name"], "service_name_en": r["name_en"] or "",
             "priority": r["priority"], "issued_at": clock.iso(r["issued_at"], tz),
             "waited_s": int(now - r["issued_at"]), "limit_s": r["wait_limit_s"]}
            for r in rows]


class Checker:
    """Remembers which tickets were already announced, so each alert goes out once."""

    def __init__(self, app: Flask):
        self.app = app
        self.sent: set[int] = set()

    def check(self, now: float | None = None) -> list[dict]:
        """One pass over every hall; returns (and emits) the new alerts."""
        from .hub import socketio

        now = clock.now() if now is None else now
        db = self.app.extensions["hallq.db"]
        new: list[dict] = []
        with self.app.app_context():
            conn = db.conn()
            halls = [r["id"] for r in conn.execute("SELECT id FROM halls")]
            current: set[int] = set()
            for hall in halls:
                for alert in overdue(conn, hall, now):
                    current.add(alert["ticket"])
                    if alert["ticket"] not in self.sent:
                        new.append(alert)
                        socketio.emit(WaitAlert.name, alert, to=managers_room(hall))
            self.sent = current  # forget tickets that were called or left meanwhile
        return new

    def run(self, interval_s: float) -> None:
        from .hub import socketio

        while True:
            try:
                self.check()
            except Exception:  # one failed pass must not end the checking
                log.exception("wait-limit check failed")
            socketio.sleep(interval_s)


def start(app: Flask) -> None:
    """Arrange for the checker to start with the first request a serving process handles
    (Socket.IO is not initialised yet while blueprints are registered). Tests, which set
    ``TESTING``, call :meth:`Checker.check` directly instead."""
    if app.config.get("TESTING"):
        return
    checker = Checker(app)
    app.extensions["hallq.alerts"] = checker
    once = threading.Lock()
    started: list[bool] = []

    @app.before_request
    def _start_alerts() -> None:
        if started:
            return
        with once:
            if started:
                return
            started.append(True)
            from .hub import socketio

            interval = float(app.config["ALERT_INTERVAL_S"])
            socketio.start_background_task(checker.run, interval)
