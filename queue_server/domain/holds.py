"""The three hold kinds (挂起) and their rules: part of the ticket lifecycle (every change here
is one of ``tickets.TRANSITIONS``, through ``tickets._move``).

- ``keep`` 持件挂起: the clerk keeps the case while the citizen fetches something. Only the
  window that held it, and there only the clerk who held it (or a manager), may resume it
  (take it back as the window's current ticket). Clock: runs.
- ``release`` 不持件挂起: the case goes back to the hall; any open window with a skill for
  its service may resume it. Clock: stops.
- ``wait`` 等待挂起: waiting for another department; the window that held it resumes it,
  whoever is signed into it (or a manager). Clock: stops.

"Clock": whether the held time counts in the case's service time (``stats.py``): a 持件 case
stays with the clerk, so its clock runs; a released case or one waiting for another department
is not the window's time. A window's busy time never includes held time (it served others).

Putting a held ticket back in line (``unhold``: waiting again, in its original place) follows
the same rules, except that a manager may do it from anywhere in the hall (as before the
kinds existed). A hall may set, per kind, a time after which the server returns a held ticket
to the queue itself (``hold_return``: one transaction and one ``hold_return`` audit event by
``system`` per ticket, run by ``live/hold_return.py``). A hold without a kind is ``keep``:
what the one hold of earlier versions did (only its window could release it).
"""
from __future__ import annotations

import json
import sqlite3

from queue_server.domain import clock, privacy, read_models
from queue_server.domain.tickets import (
    _move,
    current_of,
    emit_queue,
    emit_window,
    release_window,
    served_by,
)
from queue_server.errors import ApiError, conflict, invalid, not_found
from queue_server.live.events import HoldsUpdated
from queue_server.store.db import Tx, loads

KINDS = ("keep", "release", "wait")
DEFAULT_KIND = "keep"
CLOCK_RUNS = {"keep": True, "release": False, "wait": False}
# Seconds until a held ticket goes back to the queue by itself; None: it stays held until a
# clerk or manager acts (or the day ends). Halls change these (PUT …/hold-settings).
DEFAULT_RETURN_S: dict[str, int | None] = {"keep": None, "release": 1800, "wait": None}
MAX_RETURN_S = 8 * 3600


def return_settings(conn: sqlite3.Connection, hall: str) -> dict[str, int | None]:
    row = conn.execute("SELECT hold_return FROM halls WHERE id = ?", (hall,)).fetchone()
    stored = loads(row["hold_return"], {}) if row else {}
    return {k: stored.get(k, DEFAULT_RETURN_S[k]) for k in KINDS}


def set_return_settings(tx: Tx, hall: str, settings: dict[str, int | None]
                        ) -> dict[str, int | None]:
    """Replace the hall's auto-return times (checked by the body model), audited. Tickets
    already held keep the time they were given."""
    before = return_settings(tx.conn, hall)
    after = {k: settings.get(k, before[k]) for k in KINDS}
    tx.run("UPDATE halls SET hold_return = ? WHERE id = ?", (json.dumps(after), hall))
    tx.audit(hall, "hall_hold_return", detail={"before": before, "after": after})
    return after


def _emit(tx: Tx, t: sqlite3.Row) -> None:
    """The held lists of the clerk terminals and the monitor changed."""
    n = tx.one("SELECT COUNT(*) FROM tickets WHERE hall = ? AND status = 'held'",
               (t["hall"],))[0]
    tx.emit(HoldsUpdated(hall=t["hall"], ticket=t["id"], number=t["number"],
                         kind=t["hold_kind"] or DEFAULT_KIND, status=t["status"], held=n))


def hold(tx: Tx, window: sqlite3.Row, kind: str | None, reason: str | None) -> sqlite3.Row:
    """The citizen steps away (or the case waits for another department); the window takes
    the next one."""
    kind = kind or DEFAULT_KIND
    t0 = current_of(tx, window)
    after_s = return_settings(tx.conn, t0["hall"])[kind]
    until = tx.now + after_s if after_s else None
    t = _move(tx, t0, "hold", extra={"kind": kind, "return_after_s": after_s},
              held_at=tx.now, hold_reason=privacy.mask(reason),  # audited: no ID/phone
              hold_kind=kind, hold_by=served_by(tx, window), hold_until=until)
    release_window(tx, window)
    emit_window(tx, window["id"])
    _emit(tx, t)
    return t


def refusal(t: sqlite3.Row | None, w: sqlite3.Row, user: str, manager: bool,
            action: str) -> ApiError | None:
    """Why ``user`` at window ``w`` may not ``resume`` or ``unhold`` ticket ``t`` (None: they
    may). The clerk terminal lists only what passes, with the same function."""
    if t is None or t["hall"] != w["hall"]:
        return not_found("ticket")
    kind = t["hold_kind"] or DEFAULT_KIND
    if t["status"] != "held":
        return conflict("not_held", "该票号不在挂起中 (ticket is not held)")
    if action == "unhold" and manager:
        return None  # a manager puts any held ticket of the hall back in line
    if kind == "release":
        if w["id"] not in _able(t):
            return invalid("cannot_serve", "本窗口不办理该号的业务 (this window does not serve"
                                           " its service)")
        return None
    if t["window"] != w["id"]:
        return not_found("ticket")  # another window's case: not this window's to see
    if kind == "keep" and not manager and t["hold_by"] and t["hold_by"] != user:
        return ApiError("not_your_hold", "持件挂起的票号只能由挂起的工作人员恢复 (only the"
                        " clerk who held it may resume a kept case)", 403)
    return None


def _able(t: sqlite3.Row) -> set[str]:
    return set(t["able_windows"].split(",")) if t["able_windows"] else set()


_HELD = ("SELECT t.*, (SELECT group_concat(window) FROM skills s WHERE s.service = t.service)"
         " AS able_windows FROM tickets t")


def held_row(tx_or_conn, ticket_id: int) -> sqlite3.Row | None:
    conn = getattr(tx_or_conn, "conn", tx_or_conn)
    if not 0 < ticket_id < 2**63:
        return None
    return conn.execute(f"{_HELD} WHERE t.id = ?", (ticket_id,)).fetchone()


def _end(tx: Tx, t: sqlite3.Row, action: str, **fields) -> tuple[sqlite3.Row, dict]:
    """The held time that ends now, added to the leg's totals (``paused_s`` only when this
    kind stops the clock)."""
    kind = t["hold_kind"] or DEFAULT_KIND
    held = max(0.0, tx.now - (t["held_at"] or tx.now))
    extra = {"kind": kind, "held_s": round(held, 1)}
    row = _move(tx, t, action, extra=extra, hold_until=None, **fields,
                held_s=(t["held_s"] or 0) + held,
                paused_s=(t["paused_s"] or 0) + (0 if CLOCK_RUNS[kind] else held))
    return row, extra


def resume(tx: Tx, w: sqlite3.Row, ticket_id: int, user: str, manager: bool) -> sqlite3.Row:
    """The window takes the held case back as its current ticket (serving again)."""
    t = held_row(tx, ticket_id)
    why = refusal(t, w, user, manager, "resume")
    if why is not None:
        raise why
    if w["status"] != "open":
        raise conflict("window_not_open", "窗口未开启或已暂停 (window is not open)")
    if w["current"]:
        raise conflict("window_busy", "请先处理当前票号 (window still has a current ticket)")
    row, _ = _end(tx, t, "resume", window=w["id"])
    tx.run("UPDATE windows SET current = ?, idle_since = NULL WHERE id = ?", (row["id"], w["id"]))
    emit_window(tx, w["id"])
    _emit(tx, row)
    return row


def _back_in_line(tx: Tx, t: sqlite3.Row, action: str) -> sqlite3.Row:
    """Waiting again with its original place (``order_at`` unchanged); the next leg's service
    time starts afresh, so the leg's totals start again too."""
    row, _ = _end(tx, t, action, window=None, called_at=None, started_at=None)
    tx.run("UPDATE tickets SET held_s = 0, paused_s = 0 WHERE id = ?", (row["id"],))
    emit_queue(tx, row["hall"])
    _emit(tx, row)
    return tx.one("SELECT * FROM tickets WHERE id = ?", (row["id"],))


def unhold(tx: Tx, w: sqlite3.Row, ticket_id: int, user: str, manager: bool) -> sqlite3.Row:
    """Put a held ticket back in line (the citizen queues again, keeping the place)."""
    t = held_row(tx, ticket_id)
    why = refusal(t, w, user, manager, "unhold")
    if why is not None:
        raise why
    return _back_in_line(tx, t, "unhold")


def due(conn: sqlite3.Connection, now: float, hall: str | None = None) -> list[int]:
    """Held tickets (of ``hall``, or of every hall) whose hall's timer has run out."""
    return [r[0] for r in conn.execute(
        "SELECT id FROM tickets WHERE status = 'held' AND hold_until IS NOT NULL"
        " AND hold_until <= ? AND (CAST(? AS TEXT) IS NULL OR hall = ?) ORDER BY hold_until, id",
        (now, hall, hall))]


def return_one(tx: Tx, ticket_id: int) -> sqlite3.Row | None:
    """The timer's return of one ticket (by ``system``); None if it was acted on meanwhile."""
    t = held_row(tx, ticket_id)
    if t is None or t["status"] != "held" or t["hold_until"] is None \
            or t["hold_until"] > tx.now:
        return None
    return _back_in_line(tx, t, "hold_return")


def held_view(conn: sqlite3.Connection, t: sqlite3.Row, now: float) -> dict:
    """A held ticket as the staff screens list it."""
    tz = read_models.tz_of(conn, t["hall"])
    return {**read_models.ticket(conn, t), "hold_kind": t["hold_kind"] or DEFAULT_KIND,
            "hold_reason": t["hold_reason"] or "", "held_by": t["hold_by"],
            "held_window": t["window"], "held_for_s": int(now - (t["held_at"] or now)),
            "held_at": clock.iso(t["held_at"], tz) if t["held_at"] else None,
            "returns_at": clock.iso(t["hold_until"], tz) if t["hold_until"] else None}


def hall_held(conn: sqlite3.Connection, hall: str, now: float) -> list[dict]:
    """Every held ticket of the hall, oldest first (the manager's monitor)."""
    return [held_view(conn, t, now) for t in conn.execute(
        f"{_HELD} WHERE t.hall = ? AND t.status = 'held' ORDER BY t.held_at, t.id", (hall,))]


def window_held(conn: sqlite3.Connection, w: sqlite3.Row, user: str, manager: bool,
                now: float) -> list[dict]:
    """The held tickets this window may act on: its own 持件 and 等待 holds, and the hall's
    released ones it can serve; each with the actions the rules allow here."""
    out = []
    for t in conn.execute(f"{_HELD} WHERE t.hall = ? AND t.status = 'held'"
                          " ORDER BY t.held_at, t.id", (w["hall"],)):
        actions = [a for a in ("resume", "unhold") if refusal(t, w, user, manager, a) is None]
        if t["window"] == w["id"] or "resume" in actions:
            out.append({**held_view(conn, t, now), "actions": actions})
    return out
