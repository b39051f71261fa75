"""Window state: open (the clerk signs in), pause, close (signs out), skills, auto mode."""
from __future__ import annotations

import sqlite3

from queue_server.domain import privacy
from queue_server.domain.tickets import emit_queue, emit_window
from queue_server.errors import conflict, invalid, not_found
from queue_server.store.db import Tx


def get(tx: Tx, window_id: str) -> sqlite3.Row:
    row = tx.one("SELECT * FROM windows WHERE id = ?", (window_id,))
    if row is None:
        raise not_found("window")
    return row


def _set(tx: Tx, w: sqlite3.Row, action: str, **fields) -> sqlite3.Row:
    sets = ", ".join(f"{k} = :{k}" for k in fields)
    tx.run(f"UPDATE windows SET {sets} WHERE id = :id", {**fields, "id": w["id"]})
    after = get(tx, w["id"])
    before = {k: w[k] for k in fields if k not in ("status_since", "idle_since")}
    tx.audit(w["hall"], action, window=w["id"],
             detail={"before": before,
                     "after": {k: after[k] for k in before}})
    emit_window(tx, w["id"])
    return after


def open_(tx: Tx, w: sqlite3.Row, clerk: str | None) -> sqlite3.Row:
    """Open (or resume) a window; a clerk who opens it is signed into it."""
    if clerk is not None:
        other = tx.one("SELECT id, name FROM windows WHERE clerk = ? AND id != ?"
                       " AND status != 'closed'", (clerk, w["id"]))
        if other is not None:
            raise conflict("signed_in_elsewhere",
                           f"您已登录{other['name']}，请先关闭该窗口 (already signed into "
                           f"window {other['id']})")
    fields = {"status": "open", "pause_reason": None, "status_since": tx.now,
              "clerk": clerk if clerk is not None else w["clerk"]}
    if w["status"] == "closed" or not w["current"]:
        fields["idle_since"] = tx.now if not w["current"] else None
    after = _set(tx, w, "window_open", **fields)
    emit_queue(tx, w["hall"])  # the hall's ETAs change with its open windows
    return after


def pause(tx: Tx, w: sqlite3.Row, reason: str | None) -> sqlite3.Row:
    if w["status"] == "closed":
        raise conflict("window_closed", "窗口未开启 (window is closed)")
    return _set(tx, w, "window_pause", status="paused", pause_reason=privacy.mask(reason) or "",
                status_since=tx.now)


def close(tx: Tx, w: sqlite3.Row) -> sqlite3.Row:
    if w["current"]:
        raise conflict("window_busy", "请先办结或处理当前票号 (finish the current ticket first)")
    after = _set(tx, w, "window_close", status="closed", clerk=None, pause_reason=None,
                 status_since=tx.now, idle_since=None)
    emit_queue(tx, w["hall"])
    return after


def set_skills(tx: Tx, w: sqlite3.Row, skills: dict[str, float]) -> sqlite3.Row:
    """Replace a window's skills (validated by the caller); effective for the next call."""
    known = {r["id"] for r in tx.all("SELECT id FROM services WHERE hall = ?", (w["hall"],))}
    unknown = sorted(set(skills) - known)
    if unknown:
        raise invalid("unknown_service", f"未知业务 (unknown services: {', '.join(unknown)})")
    if skills and max(skills.values()) < 1.0:
        # A window that only "helps" has no line of its own; keep one primary (or none at all).
        raise invalid("no_primary_skill", f"{w['name']}须保留至少一项主办业务 (a window needs a"
                                          " primary skill, weight 1)")
    before = {r["service"]: r["weight"] for r in tx.all(
        "SELECT service, weight FROM skills WHERE window = ?", (w["id"],))}
    tx.run("DELETE FROM skills WHERE window = ?", (w["id"],))
    for service, weight in sorted(skills.items()):
        tx.run("INSERT INTO skills (window, service, weight) VALUES (?, ?, ?)",
               (w["id"], service, weight))
    tx.audit(w["hall"], "window_skills", window=w["id"],
             detail={"before": before, "after": dict(sorted(skills.items()))})
    emit_window(tx, w["id"])
    return get(tx, w["id"])


def set_auto(tx: Tx, w: sqlite3.Row, auto: bool) -> sqlite3.Row:
    return _set(tx, w, "window_auto", auto=int(auto))
