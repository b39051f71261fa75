"""Read models: the contract's public Ticket and Window objects and the hall's counts.

Every function takes a plain connection, so the same code serves the API, live events (inside
the write transaction) and snapshots. Nothing here ever includes an ID or phone number.
"""
from __future__ import annotations

import sqlite3

from queue_server.domain import clock
from queue_server.store.db import loads

Conn = sqlite3.Connection


def hall_row(conn: Conn, hall: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM halls WHERE id = ?", (hall,)).fetchone()


def tz_of(conn: Conn, hall: str) -> str:
    row = conn.execute("SELECT tz FROM halls WHERE id = ?", (hall,)).fetchone()
    return row["tz"] if row else clock.DEFAULT_TZ


def served_services(conn: Conn, hall: str) -> set[str]:
    """Services some window of the hall has a skill for (open or not): the ones worth a ticket."""
    return {r[0] for r in conn.execute(
        "SELECT DISTINCT s.service FROM skills s JOIN windows w ON w.id = s.window"
        " WHERE w.hall = ? AND s.weight > 0", (hall,))}


def ticket(conn: Conn, row: sqlite3.Row, eta: dict | None = None) -> dict:
    """The public view of one ticket. ``eta`` maps ticket id to {position, eta_s}."""
    tz = tz_of(conn, row["hall"])
    svc = conn.execute("SELECT name, name_en FROM services WHERE id = ?",
                       (row["service"],)).fetchone()
    win = None
    held = row["status"] == "held"
    # a 持件 hold keeps the case at its window: the citizen goes back there
    if row["window"] and (row["status"] in ("called", "serving", "done", "no_show",
                                            "transferred")
                          or (held and row["hold_kind"] == "keep")):
        w = conn.execute("SELECT id, name FROM windows WHERE id = ?", (row["window"],)).fetchone()
        if w:
            win = {"id": w["id"], "name": w["name"]}
    position = eta_s = None
    if row["status"] == "waiting":
        guess = (eta or {}).get(row["id"])
        if guess is not None:
            position = int(guess["position"])
            eta_s = int(round(guess["eta_s"])) if guess.get("eta_s") is not None else None
    return {
        "id": row["id"],
        "number": row["number"],
        "hall": row["hall"],
        "service": row["service"],
        "service_name": svc["name"] if svc else row["service"],
        "service_name_en": svc["name_en"] if svc else "",
        "status": row["status"],
        "priority": row["priority"],
        "issued_at": clock.iso(row["issued_at"], tz),
        "position": position,
        "eta_s": eta_s,
        "window": win,
        "called_at": clock.iso(row["called_at"], tz),
        "started_at": clock.iso(row["started_at"], tz),
        "finished_at": clock.iso(row["finished_at"], tz),
        "recall": row["recall"],
        # which hold (持件 keep / 不持件 release / 等待 wait) and its automatic return, if any
        "hold_kind": row["hold_kind"] if held else None,
        "hold_until": clock.iso(row["hold_until"], tz) if held else None,
        "rated": bool(conn.execute("SELECT 1 FROM ratings WHERE ticket = ?",
                                   (row["id"],)).fetchone()),
    }


def ticket_by_id(conn: Conn, ticket_id: int, eta: dict | None = None) -> dict | None:
    row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    return ticket(conn, row, eta) if row else None


def skills(conn: Conn, window_id: str) -> dict[str, float]:
    return {r["service"]: r["weight"] for r in conn.execute(
        "SELECT service, weight FROM skills WHERE window = ? ORDER BY service", (window_id,))}


def window(conn: Conn, row: sqlite3.Row) -> dict:
    """The contract's Window object."""
    clerk = None
    if row["clerk"]:
        u = conn.execute("SELECT username, display_name, staff_no FROM users WHERE username = ?",
                         (row["clerk"],)).fetchone()
        if u:
            clerk = {"username": u["username"], "display_name": u["display_name"] or u["username"],
                     "staff_no": u["staff_no"] or ""}
    current = ticket_by_id(conn, row["current"]) if row["current"] else None
    tz = tz_of(conn, row["hall"])
    return {
        "id": row["id"],
        "hall": row["hall"],
        "name": row["name"],
        "name_en": row["name_en"] or "",
        "zone": row["zone"] or "",
        "status": row["status"],
        "pause_reason": row["pause_reason"] if row["status"] == "paused" else None,
        "auto": bool(row["auto"]),
        "skills": skills(conn, row["id"]),
        "clerk": clerk,
        "current": current,
        "status_since": clock.iso(row["status_since"], tz),
    }


def window_by_id(conn: Conn, window_id: str) -> dict | None:
    row = conn.execute("SELECT * FROM windows WHERE id = ?", (window_id,)).fetchone()
    return window(conn, row) if row else None


def windows(conn: Conn, hall: str, zone: str | None = None,
            public: bool = False) -> list[dict]:
    sql, args = "SELECT * FROM windows WHERE hall = ?", [hall]
    if zone:
        sql, args = sql + " AND zone = ?", [hall, zone]
    rows = conn.execute(sql + " ORDER BY sort, id", args).fetchall()
    views = [window(conn, r) for r in rows]
    return [public_window(w) for w in views] if public else views


def public_window(w: dict) -> dict:
    """A Window as anyone may see it (hall screens, live events in public rooms): the clerk's
    name and staff number are shown above the window by design, the login name is not."""
    if w.get("clerk"):
        return {**w, "clerk": {**w["clerk"], "username": None}}
    return w


def waiting_counts(conn: Conn, hall: str) -> dict[str, int]:
    """Waiting tickets per active service of the hall (zeros included)."""
    counts = {r["id"]: 0 for r in conn.execute(
        "SELECT id FROM services WHERE hall = ? AND active = 1 ORDER BY sort, id", (hall,))}
    today = clock.day_of(clock.now(), tz_of(conn, hall))
    for r in conn.execute("SELECT service, COUNT(*) n FROM tickets WHERE hall = ? AND day = ?"
                          " AND status = 'waiting' GROUP BY service", (hall, today)):
        counts[r["service"]] = r["n"]
    return counts


def queue_payload(conn: Conn, hall: str) -> dict:
    waiting = waiting_counts(conn, hall)
    return {"hall": hall, "waiting": waiting, "total": sum(waiting.values())}


def recent_calls(conn: Conn, hall: str, zone: str | None = None, limit: int = 12,
                 window: str | None = None) -> list[dict]:
    """The newest calls (recalls included), newest first, as ``ticket.called`` payloads."""
    where, args = "e.hall = ? AND e.action IN ('call', 'recall')", [hall]
    if window:
        where, args = where + " AND e.window = ?", [hall, window]
    rows = conn.execute(
        f"SELECT e.seq, e.detail, e.ticket, e.window FROM events e WHERE {where}"
        " ORDER BY e.seq DESC LIMIT ?", (*args, limit * 4 if zone else limit)).fetchall()
    out = []
    for r in rows:
        d = loads(r["detail"], {})
        call = d.get("call")
        if not call:
            continue
        if zone and call.get("zone") != zone:
            continue
        out.append(call)
        if len(out) >= limit:
            break
    return out


def services(conn: Conn, hall: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM services WHERE hall = ? AND active = 1"
                        " ORDER BY sort, id", (hall,)).fetchall()


def categories(conn: Conn, hall: str) -> list[dict]:
    return [{"id": r["id"], "name": r["name"], "name_en": r["name_en"] or "",
             "prefix": r["prefix"]}
            for r in conn.execute("SELECT * FROM categories WHERE hall = ? ORDER BY sort, id",
                                  (hall,))]
