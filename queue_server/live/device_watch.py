"""The devices' watch: kiosk printers polled by ESC/POS status queries, and devices that went
quiet, each alerted to the hall's managers once.

Every ``HALLQ_DEVICE_CHECK_S`` seconds (a ``BackgroundLoop`` started with the first request,
never in tests, which call :meth:`DeviceWatch.check` with their own ``now``) each active kiosk
with a network printer is asked its state (``displays/printer_status.py``, a short timeout;
skipped while that printer prints a slip). Then one write transaction records what changed:

- a printer state that differs from the stored one: a guarded update and a ``printer_status``
  audit event; a change into a problem (paper-out, cover open, error, offline, unreachable)
  is alerted. Paper-out makes the kiosk refuse to issue (``devices.guard``) until a poll
  finds paper again.
- an active device whose last heartbeat is older than ``HALLQ_DEVICE_QUIET_S``: marked
  ``quiet_alerted_at`` by a guarded update (``... AND quiet_alerted_at IS NULL``), a
  ``device_quiet`` audit event and an alert. The database decides, as for 超时预警
  (``live/alerts.py``): a second process finds the mark and stays silent; the device's next
  heartbeat clears it (``device_back``).

Alerts go to the managers room directly after the commit (no ``seq``: not a hall event).
"""
from __future__ import annotations

import logging
import sqlite3

from flask import Flask

from displays import printer_status
from queue_server import registry
from queue_server.devices import is_quiet
from queue_server.domain import clock
from queue_server.live.events import DeviceAlert, send
from queue_server.live.loop import BackgroundLoop
from queue_server.store.db import Tx

log = logging.getLogger(__name__)
PROBLEMS = {"paper_out", "cover_open", "error", "offline", "unreachable"}


class DeviceWatch:
    """Polls the kiosks' printers and finds quiet devices; alerts each change once."""

    def __init__(self, app: Flask):
        self.app = app
        self.quiet_s = float(app.config["DEVICE_QUIET_S"])
        self.timeout_s = float(app.config["PRINTER_TIMEOUT_S"])

    def check(self, now: float | None = None) -> list[dict]:
        """One round over every hall's devices; returns (and emits) the alerts it recorded."""
        from queue_server.live.hub import socketio

        now = clock.now() if now is None else now
        db = registry.db(self.app)
        with self.app.app_context():
            rows = db.all("SELECT * FROM devices WHERE status = 'active'")
            states = self._poll([r for r in rows if r["kind"] == "kiosk" and r["printer"]])
            stored = {r["id"]: r["printer_state"] for r in rows}
            changed = {i: s for i, s in states.items() if s != stored[i]}
            quiet = [r["id"] for r in rows
                     if r["quiet_alerted_at"] is None and is_quiet(r, now, self.quiet_s)]
            if not changed and not quiet:
                return []
            alerts = db.write("system", lambda tx: self._record(tx, changed, quiet, now))
            for alert in alerts:
                send(socketio, DeviceAlert(**alert))
        return alerts

    def _poll(self, kiosks: list[sqlite3.Row]) -> dict[int, str]:
        from displays.kiosk import printer_lock

        states: dict[int, str] = {}
        for row in kiosks:
            lock = printer_lock(row["printer"])
            if not lock.acquire(blocking=False):
                continue  # printing a slip now: ask next round
            try:
                host, port = printer_status.parse(row["printer"])
                states[row["id"]] = printer_status.query(host, port, self.timeout_s)
            finally:
                lock.release()
        return states

    def _record(self, tx: Tx, changed: dict[int, str], quiet: list[int],
                now: float) -> list[dict]:
        tx.now = now
        alerts: list[dict] = []
        for device_id, state in changed.items():
            row = tx.one("SELECT * FROM devices WHERE id = ?", (device_id,))
            n = tx.run("UPDATE devices SET printer_state = ?, printer_checked_at = ? WHERE id = ?"
                       " AND status = 'active' AND COALESCE(printer_state, '') != ?",
                       (state, now, device_id, state)).rowcount
            if n != 1:
                continue  # another process recorded it first, or the device was revoked
            tx.audit(row["hall"], "printer_status", window=row["window_id"], detail={
                "device": device_id, "from": row["printer_state"], "to": state})
            if state in PROBLEMS:
                alerts.append(_alert(tx, row, state, state))
        for device_id in quiet:
            n = tx.run("UPDATE devices SET quiet_alerted_at = ? WHERE id = ? AND status ="
                       " 'active' AND quiet_alerted_at IS NULL", (now, device_id)).rowcount
            if n != 1:
                continue
            row = tx.one("SELECT * FROM devices WHERE id = ?", (device_id,))
            tx.audit(row["hall"], "device_quiet", window=row["window_id"], detail={
                "device": device_id, "kind": row["kind"], "name": row["name"],
                "last_seen_at": row["last_seen_at"]})
            alerts.append(_alert(tx, row, "quiet", row["printer_state"]))
        return alerts


def _alert(tx: Tx, row: sqlite3.Row, problem: str, printer: str | None) -> dict:
    tz = tx.one("SELECT tz FROM halls WHERE id = ?", (row["hall"],))["tz"]
    return {"hall": row["hall"], "device": row["id"], "kind": row["kind"], "name": row["name"],
            "window": row["window_id"], "problem": problem, "printer_state": printer,
            "last_seen_at": clock.iso(row["last_seen_at"], tz)}


def start(app: Flask) -> None:
    """Start the watch with the first request a serving process handles; tests (TESTING)
    call :meth:`DeviceWatch.check` themselves."""
    watch = DeviceWatch(app)
    registry.services(app).device_watch = watch
    if app.config.get("TESTING"):
        return
    loop = BackgroundLoop("device watch", watch.check, float(app.config["DEVICE_CHECK_S"]))

    @app.before_request
    def _start_watch() -> None:
        if not loop.started:
            loop.ensure_started()
