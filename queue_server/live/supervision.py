"""Supervision checks (效能监察), each alert sent once across processes, as ``live/alerts.py``:

- 办理超时: a ticket being served (``serving``, timed from its start) longer than its
  service's norm (``services.service_limit_s``; 0 = none). Recorded as a ``service_overtime``
  audit event; a ticket whose chain already has one is not alerted again. ``alert.overtime``
  goes to the hall's managers room. The clerk's own warning at the hall's share
  (``overtime_warn_pct``, default 80 %) is the terminal's, from the same norm.
- 整改超期: a rectification case still open past its due time, marked by a guarded update
  (``domain/rectification.mark_overdue``) and audited as ``rectification_overdue``;
  ``alert.rectification`` goes to the managers room.

Both are fed to the 电子监察 outbox in the same transaction. One pass is one write transaction
(``BEGIN IMMEDIATE``: two processes checking at once are serialised and the second sees the
first's records); the alerts leave after ``COMMIT``, directly (no ``seq``). A lost push is not
retried: the console lists overdue cases and the clerk's timer shows the overtime.
"""
from __future__ import annotations

import sqlite3

from flask import Flask

from queue_server import registry
from queue_server.domain import clock, rectification, supervision_feed
from queue_server.live.events import OvertimeAlert, RectificationAlert, send
from queue_server.live.loop import BackgroundLoop
from queue_server.store.db import Tx

OVERTIME_ACTION = "service_overtime"


def over_norm(conn: sqlite3.Connection, now: float) -> list[sqlite3.Row]:
    """Tickets being served longer than their service's norm, every hall (hall by hall: the
    (hall, status) index finds the few being served among the day's and history's rows)."""
    rows: list[sqlite3.Row] = []
    for (hall,) in conn.execute("SELECT id FROM halls ORDER BY id").fetchall():
        rows += conn.execute(
            "SELECT t.*, s.name AS service_name, s.name_en AS service_name_en,"
            " s.service_limit_s, w.clerk AS clerk FROM tickets t JOIN services s"
            " ON s.id = t.service LEFT JOIN windows w ON w.id = t.window WHERE t.hall = ?"
            " AND t.status = 'serving' AND t.started_at IS NOT NULL AND s.service_limit_s > 0"
            " AND ? - t.started_at > s.service_limit_s ORDER BY t.started_at, t.id",
            (hall, now)).fetchall()
    return rows


def _alerted(tx: Tx, t: sqlite3.Row) -> bool:
    """Whether this leg already has its overtime event (later than its start: the index on
    (hall, at) bounds the search)."""
    return tx.one("SELECT 1 FROM events WHERE hall = ? AND at >= ? AND action = ?"
                  " AND ticket = ? LIMIT 1",
                  (t["hall"], t["started_at"], OVERTIME_ACTION, t["id"])) is not None


class SupervisionChecker:
    """One pass: the overtime tickets and the overdue cases no process has alerted yet."""

    def __init__(self, app: Flask):
        self.app = app
        self.feed = supervision_feed.kinds(app.config)
        self.known: set[int] = set()  # tickets the database shows alerted (a cache only)

    def check(self, now: float | None = None) -> dict[str, list]:
        from queue_server.live.hub import socketio

        now = clock.now() if now is None else now
        db = registry.db(self.app)
        with self.app.app_context():
            conn = db.conn()
            over = {r["id"] for r in over_norm(conn, now)}
            self.known &= over
            cases = rectification.due_unmarked(conn, now)
            if not (over - self.known) and not cases:
                return {"overtime": [], "rectification": []}
            out = db.write("system", lambda tx: self._record(tx, now))
            for alert in out["overtime"]:
                send(socketio, OvertimeAlert(**alert))
            for alert in out["rectification"]:
                send(socketio, RectificationAlert(**alert))
        return out

    def _record(self, tx: Tx, now: float) -> dict[str, list]:
        tx.now = now
        overtime = []
        for t in over_norm(tx.conn, now):
            if t["id"] in self.known or _alerted(tx, t):
                self.known.add(t["id"])
                continue
            overtime.append(self._overtime(tx, t, now))
            self.known.add(t["id"])
        cases = []
        for case in rectification.due_unmarked(tx.conn, now):
            if rectification.mark_overdue(tx, case, self.feed):
                tz = tx.one("SELECT tz FROM halls WHERE id = ?", (case["hall"],))["tz"]
                cases.append({"hall": case["hall"], "case": case["id"],
                              "ticket": case["ticket"], "number": case["number"],
                              "status": case["status"], "owner": case["owner"],
                              "due_at": clock.iso(case["due_at"], tz)})
        return {"overtime": overtime, "rectification": cases}

    def _overtime(self, tx: Tx, t: sqlite3.Row, now: float) -> dict:
        served_s = int(now - t["started_at"])
        tx.audit(t["hall"], OVERTIME_ACTION, ticket=t["id"], window=t["window"],
                 detail={"number": t["number"], "service": t["service"], "clerk": t["clerk"],
                         "served_s": served_s, "limit_s": t["service_limit_s"]})
        supervision_feed.enqueue(tx, self.feed, t["hall"], "service.overtime", {
            "ticket": supervision_feed.ticket_ref(tx, t), "served_s": served_s,
            "limit_s": t["service_limit_s"]})
        return {"hall": t["hall"], "ticket": t["id"], "number": t["number"],
                "service": t["service"], "service_name": t["service_name"],
                "service_name_en": t["service_name_en"] or "", "window": t["window"],
                "clerk": t["clerk"], "served_s": served_s, "limit_s": t["service_limit_s"]}


def start(app: Flask) -> None:
    """Start the checks with the first request of a serving process (as ``alerts.start``)."""
    if app.config.get("TESTING"):
        return
    checker = SupervisionChecker(app)
    loop = BackgroundLoop("supervision check", checker.check,
                          float(app.config["ALERT_INTERVAL_S"]))

    @app.before_request
    def _start_checks() -> None:
        if not loop.started:
            loop.ensure_started()
