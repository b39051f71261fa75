"""Live events leave here, never on the request that caused them.

The write path hands each committed transaction to :meth:`Publisher.committed` (under the
write lock, so in ``seq`` order); one sender loop emits the events in that order, so a request
returns as soon as its transaction commits and a slow or dead client delays only its own
socket's queue. A second loop, the refresher, works out what may come a moment later: the
public view of each ticket a transaction touched, and the positions of followed tickets, at most
once per ``interval`` per hall (positions change with every call anywhere in the hall) and every
``sweep_s`` regardless (changes made by another process).
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque

from queue_server import registry
from queue_server.domain import forecast_cache, planner, read_models
from queue_server.domain.tickets import room_of
from queue_server.live.events import (
    BATCHED,
    Batch,
    QueuePositions,
    TicketUpdated,
    batch_room,
    send,
)
from queue_server.store.db import Database, Tx

log = logging.getLogger(__name__)


class Publisher:
    def __init__(self, app, socketio, refresh_interval_s: float = 1.0, sweep_s: float = 5.0):
        self.app, self.socketio = app, socketio
        self.db: Database | None = None
        self.interval, self.sweep_s = refresh_interval_s, sweep_s
        self._outbox: deque[tuple[list, frozenset[int], frozenset[str]]] = deque()
        self._out_cond = threading.Condition()
        self._dirty_tickets: set[int] = set()
        self._dirty_halls: set[str] = set()
        self._refresh_cond = threading.Condition()
        # What each followed ticket's room last heard; rebuilt on every refresh, so tickets
        # that stopped waiting are forgotten (the hall runs for days).
        self._last: dict[str, dict[int, tuple]] = {}
        self._start_lock = threading.Lock()
        self._started = False

    def bind(self, db: Database) -> None:
        self.db = db

    # -- the write path's side: O(1), no I/O ------------------------------------------------

    def committed(self, tx: Tx) -> None:
        """Queue a committed transaction's events (called under the write lock)."""
        self._ensure_started()
        with self._out_cond:
            self._outbox.append((tx.live, frozenset(tx.tickets), frozenset(tx.touched_halls)))
            self._out_cond.notify()

    def _ensure_started(self) -> None:
        if self._started:
            return
        with self._start_lock:
            if not self._started:
                self._started = True
                self.socketio.start_background_task(self._send_loop)
                self.socketio.start_background_task(self._refresh_loop)

    # -- the sender: events in seq order -----------------------------------------------------

    def _send_loop(self) -> None:
        while True:
            with self._out_cond:
                while not self._outbox:
                    self._out_cond.wait()
                batch = list(self._outbox)
                self._outbox.clear()
            tickets: set[int] = set()
            halls: set[str] = set()
            for live, tids, touched in batch:
                try:
                    self.send_events(live)
                except Exception:  # a lost push is healed by the client's resync
                    log.exception("sending live events failed")
                tickets |= tids
                halls |= touched
            with self._refresh_cond:
                self._dirty_tickets |= tickets
                self._dirty_halls |= halls
                self._refresh_cond.notify()
            try:
                registry.services(self.app).autocall.kick()
            except Exception:
                log.exception("waking the auto caller failed")

    def send_events(self, live: list[tuple[str, dict, list[str]]]) -> None:
        """One transaction's events: each to its rooms, and to the batched twin of each hall
        or zone room all of them in one ``batch`` frame."""
        batched: dict[str, list[dict]] = {}
        for name, payload, rooms in live:
            self.socketio.emit(name, payload, to=rooms)
            for room in rooms:
                if room.startswith(BATCHED):
                    batched.setdefault(batch_room(room), []).append(
                        {"name": name, "data": payload})
        for room, events in batched.items():
            send(self.socketio, Batch(events=events, room=room))

    # -- the refresher: ticket views and positions -------------------------------------------

    def _refresh_loop(self) -> None:
        last_sweep = time.monotonic()
        next_positions = 0.0  # positions are refreshed at most once per interval
        while True:
            tickets, halls, now, sweep = self._next_work(last_sweep, next_positions)
            try:
                with self.app.app_context():
                    if tickets:
                        self.send_tickets(tickets)
                    if sweep:
                        last_sweep = now
                        halls |= set(self._last)
                    for hall in sorted(halls):
                        self.refresh(hall)
                        self.socketio.sleep(0)  # let the sender in between halls
                if halls:
                    next_positions = time.monotonic() + self.interval
            except Exception:  # a failed refresh must not stop the loop
                log.exception("refreshing ticket views failed")
                self.socketio.sleep(self.interval)
            finally:
                if self.db is not None:
                    self.db.release()

    def _next_work(self, last_sweep: float, next_positions: float
                   ) -> tuple[set[int], set[str], float, bool]:
        """Wait for changed tickets, or for the hall positions' turn, or the periodic sweep;
        take what is due: (tickets, halls, now, whether it is the sweep)."""
        now = time.monotonic()
        with self._refresh_cond:
            wake = last_sweep + self.sweep_s
            if self._dirty_halls:
                wake = min(wake, next_positions)
            if not self._dirty_tickets and wake > now:
                self._refresh_cond.wait(wake - now)
            tickets, self._dirty_tickets = self._dirty_tickets, set()
            now = time.monotonic()
            sweep = now - last_sweep >= self.sweep_s
            halls: set[str] = set()
            if (self._dirty_halls or sweep) and now >= next_positions:
                halls, self._dirty_halls = self._dirty_halls, set()
        return tickets, halls, now, sweep

    def send_tickets(self, tids: set[int]) -> None:
        """``ticket.updated`` for each ticket a transaction changed (its status, window...)."""
        db = self.db
        preds: dict[str, dict] = {}
        # On one process its rooms are all there is: a ticket nobody follows (a kiosk ticket
        # before its phone scans it) costs no forecast. With a message queue another
        # process's phone may follow it, so every change is sent.
        followed = (local_ticket_rooms(self.socketio)
                    if not self.app.config.get("MESSAGE_QUEUE") else None)
        for tid in sorted(tids):
            row = db.one("SELECT * FROM tickets WHERE id = ?", (tid,))
            if row is None or (followed is not None and room_of(row) not in followed):
                continue
            hall = row["hall"]
            if row["status"] == "waiting" and hall not in preds:
                preds[hall] = planner.predictions(db.conn(), hall, source=forecast_cache.of(db))
            view = read_models.ticket(db.conn(), row, preds.get(hall))
            seq = read_models.hall_row(db.conn(), hall)["live_seq"]
            send(self.socketio, TicketUpdated(ticket=view, seq=seq, room=room_of(row)))
            self._last.setdefault(hall, {})[tid] = (
                view["status"], view["position"], view["eta_s"])

    def refresh(self, hall: str) -> int:
        """Push what changed in followed waiting tickets' positions and ETAs: one
        ``queue.positions`` frame per service for the phones that asked for them, and
        ``ticket.updated`` for the other followers. Returns the number of emits."""
        from queue_server.live.hub import positions_sids

        followed = local_ticket_rooms(self.socketio)
        if not followed:
            self._last.pop(hall, None)
            return 0
        conn = self.db.conn()
        rows = [r for r in conn.execute(
            "SELECT * FROM tickets WHERE hall = ? AND status = 'waiting' ORDER BY id", (hall,))
            if room_of(r) in followed]
        if not rows:
            self._last[hall] = {}
            return 0
        preds = planner.predictions(conn, hall, source=forecast_cache.of(self.db))
        seq = read_models.hall_row(conn, hall)["live_seq"]
        last, fresh, sent = self._last.get(hall, {}), {}, 0
        frames: dict[str, dict[str, list]] = {}  # service -> number -> [position, eta_s]
        changed: set[str] = set()
        for row in rows:
            guess = preds.get(row["id"]) or {}
            eta = guess.get("eta_s")
            key = fresh[row["id"]] = ("waiting", guess.get("position"),
                                      int(round(eta)) if eta is not None else None)
            if set(followed[room_of(row)]) <= positions_sids:
                frames.setdefault(row["service"], {})[row["number"]] = [key[1], key[2]]
                if last.get(row["id"]) != key:
                    changed.add(row["service"])
                continue
            if last.get(row["id"]) == key:
                continue
            view = read_models.ticket(conn, row, preds)
            send(self.socketio, TicketUpdated(ticket=view, seq=seq, room=room_of(row)))
            sent += 1
        for service in sorted(changed):
            send(self.socketio, QueuePositions(hall=hall, service=service, seq=seq,
                                               positions=frames[service]))
            sent += 1
        self._last[hall] = fresh
        return sent


def local_ticket_rooms(socketio) -> dict[str, dict]:
    """Ticket rooms with a subscriber on this process, with their members (Socket.IO keeps
    rooms per process)."""
    rooms = socketio.server.manager.rooms.get("/", {}) if socketio.server else {}
    return {r: members for r, members in rooms.items()
            if isinstance(r, str) and r.startswith("ticket:") and members}
