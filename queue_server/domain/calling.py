"""Calling the next ticket: the dispatcher chooses, the lifecycle claims. Used by the clerk's
call-next and by windows in auto mode."""
from __future__ import annotations

import sqlite3

from queue_server.domain import clock, planner, read_models, tickets
from queue_server.errors import conflict, invalid, not_found
from queue_server.store.db import Tx


def call_next(tx: Tx, w: sqlite3.Row, source: planner.InputsSource | None = None
              ) -> tuple[sqlite3.Row | None, dict[str, str]]:
    """Give window ``w`` its next ticket; returns the called row (or None) and why it was
    chosen, in one line, by language ({"zh", "en"}). ``source``: the process's kept forecast
    inputs (domain/forecast_cache.py), so the plan does not read the whole queue again."""
    if w["status"] != "open":
        raise conflict("window_not_open", "窗口未开启或已暂停 (window is not open)")
    if w["current"]:
        raise conflict("window_busy", "请先处理当前票号 (window still has a current ticket)")
    special = tx.one(  # a 特呼号 this window can serve goes before everyone, oldest first
        "SELECT t.id FROM tickets t JOIN skills s ON s.service = t.service AND s.window = ?"
        " WHERE t.hall = ? AND t.status = 'waiting' AND t.priority = ? ORDER BY t.order_at, t.id"
        " LIMIT 1", (w["id"], w["hall"], tickets.SPECIAL))
    if special is not None:
        return tickets.call(tx, w, special["id"], "special"), {
            "zh": "特呼号，优先办理", "en": "a special call (特呼), served first"}
    ticket_id, snap, inputs, guarded = planner.choose_for(
        tx.conn, w["hall"], w["id"], tx.now, source, tx.after_commit)
    if ticket_id is None:
        return None, {}
    why = planner.explain(snap, w["id"], ticket_id, guarded, inputs)
    return tickets.call(tx, w, ticket_id), why


def call_number(tx: Tx, w: sqlite3.Row, number: str) -> sqlite3.Row:
    """指呼: the clerk calls a waiting ticket of today by its number, if the window serves its
    service (422 ``cannot_serve``) and it is waiting (409 ``not_waiting``)."""
    if w["status"] != "open":
        raise conflict("window_not_open", "窗口未开启或已暂停 (window is not open)")
    if w["current"]:
        raise conflict("window_busy", "请先处理当前票号 (window still has a current ticket)")
    day = clock.day_of(tx.now, read_models.tz_of(tx.conn, w["hall"]))
    row = tx.one("SELECT * FROM tickets WHERE hall = ? AND day = ? AND number = ? ORDER BY id"
                 " DESC LIMIT 1", (w["hall"], day, number.upper()))
    if row is None:
        raise not_found("ticket")
    if not tx.one("SELECT 1 FROM skills WHERE window = ? AND service = ?",
                  (w["id"], row["service"])):
        raise invalid("cannot_serve", "本窗口不办理该号的业务 (this window does not serve its"
                                      " service)")
    if row["status"] != "waiting":
        raise conflict("not_waiting", "该票号已不在等候中 (ticket is no longer waiting)")
    return tickets.call(tx, w, row["id"], "number")
