"""超时预警: waiting tickets past their service's ``wait_limit_s``, pushed to the managers room.

A background task (started once per process, not in tests) checks every hall every
``HALLQ_ALERT_INTERVAL_S`` seconds (default 5). The database decides which alerts go out, so
each goes out once however many processes check and however often they restart: a pass records
every new alert as a ``wait_alert`` audit event (actor ``system``; detail ``number``,
``service``, ``waited_s``, ``limit_s``, no personal data) inside one ``db.write`` transaction
(``BEGIN IMMEDIATE``, so two processes checking at once are serialised and the second sees the
first's events), and emits ``alert.wait`` to the hall's managers room only for the alerts its
own transaction recorded, after ``COMMIT``. A failed push is not retried; the monitor flags
overdue tickets on every load, so a missed push loses nothing.

The alert is emitted directly, not through ``tx.emit``: it is not a hall-room event and must not
take a ``seq``, whose gaps make screens resubscribe.

Transfers: the wait is counted from the ticket's issue, and a transfer's new leg keeps the first
leg's ``issued_at`` and ``root`` (see :func:`overdue`), so it is the same wait still running. An
alert is therefore once per chain (``root``): a leg is not alerted if any leg of its chain was,
and a chain alerted on a later leg only if no earlier leg was. Likewise a held ticket that waits
again is not alerted a second time.

``Checker.known`` caches tickets the database already shows alerted (the events table is
append-only, so that never becomes false); it only lets a pass whose overdue tickets are all
known skip the write transaction. It is not what decides: a new process starts empty and asks
the database.
"""
from __future__ import annotations

import logging
import sqlite3

from flask import Flask

from queue_server import registry
from queue_server.domain import clock, read_models, supervision_feed
from queue_server.live.events import WaitAlert, send
from queue_server.live.loop import BackgroundLoop
from queue_server.store.db import Tx

log = logging.getLogger(__name__)


def overdue(conn: sqlite3.Connection, hall: str, now: float) -> list[dict]:
    """Waiting tickets of ``hall`` that waited longer than their service's limit, longest first.

    A ticket's wait runs from its issue (a transferred ticket keeps its original issue time:
    the citizen has been waiting in the hall that long).
    """
    tz = read_models.tz_of(conn, hall)
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


ALERT_ACTION = "wait_alert"


def _already_alerted(tx: Tx, ticket: int) -> bool:
    """Whether any leg of ``ticket``'s chain has a ``wait_alert`` event. Such an event can only
    be later than the chain's issue, so the (hall, at) index bounds the search."""
    return tx.one(
        "SELECT 1 FROM tickets t JOIN events e ON e.hall = t.hall AND e.at >= t.issued_at"
        " AND e.action = ? JOIN tickets leg ON leg.id = e.ticket"
        " AND COALESCE(leg.root, leg.id) = COALESCE(t.root, t.id)"
        " WHERE t.id = ? LIMIT 1", (ALERT_ACTION, ticket)) is not None


class Checker:
    """Checks the halls and sends each overdue ticket's alert once, as the database decides."""

    def __init__(self, app: Flask):
        self.app = app
        self.known: set[int] = set()  # overdue tickets the database shows alerted (a cache)
        self.feed = supervision_feed.kinds(app.config)  # 电子监察: fed in the same write

    def check(self, now: float | None = None) -> list[dict]:
        """One pass over every hall; returns (and emits) the alerts this pass recorded."""
        from queue_server.live.hub import socketio

        now = clock.now() if now is None else now
        db = registry.db(self.app)
        with self.app.app_context():
            conn = db.conn()
            halls = [r["id"] for r in conn.execute("SELECT id FROM halls")]
            current: set[int] = set()
            due: list[str] = []
            for hall in halls:
                ids = {a["ticket"] for a in overdue(conn, hall, now)}
                current |= ids
                if ids - self.known:
                    due.append(hall)
            self.known &= current  # forget tickets that were called or left meanwhile
            if not due:
                return []
            new, alerted = db.write("system", lambda tx: self._record(tx, due, now))
            self.known |= alerted
            for alert in new:
                send(socketio, WaitAlert(**alert))
        return new

    def _record(self, tx: Tx, halls: list[str], now: float) -> tuple[list[dict], set[int]]:
        """Inside the write transaction: audit the alerts no process has recorded yet."""
        tx.now = now
        new: list[dict] = []
        alerted: set[int] = set()
        for hall in halls:
            for alert in overdue(tx.conn, hall, now):
                ticket = alert["ticket"]
                if ticket in self.known or _already_alerted(tx, ticket):
                    alerted.add(ticket)
                    continue
                tx.audit(hall, ALERT_ACTION, ticket=ticket,
                         detail={"number": alert["number"], "service": alert["service"],
                                 "waited_s": alert["waited_s"], "limit_s": alert["limit_s"]})
                row = tx.one("SELECT * FROM tickets WHERE id = ?", (ticket,))
                supervision_feed.enqueue(tx, self.feed, hall, "wait.overdue", {
                    "ticket": supervision_feed.ticket_ref(tx, row),
                    "waited_s": alert["waited_s"], "limit_s": alert["limit_s"]})
                alerted.add(ticket)
                new.append(alert)
        return new, alerted


def start(app: Flask) -> None:
    """Arrange for the checker to start with the first request a serving process handles
    (Socket.IO is not initialised yet while blueprints are registered). Tests, which set
    ``TESTING``, call :meth:`Checker.check` directly instead."""
    if app.config.get("TESTING"):
        return
    checker = Checker(app)
    registry.services(app).alerts = checker
    loop = BackgroundLoop("wait-limit check", checker.check,
                          float(app.config["ALERT_INTERVAL_S"]))

    @app.before_request
    def _start_alerts() -> None:
        if not loop.started:
            loop.ensure_started()
