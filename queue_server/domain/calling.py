"""Calling the next ticket: the dispatcher chooses, the lifecycle claims. Used by the clerk's
call-next and by windows in auto mode."""
from __future__ import annotations

import sqlite3

from queue_server.domain import planner, tickets
from queue_server.errors import conflict
from queue_server.store.db import Tx


def call_next(tx: Tx, w: sqlite3.Row) -> tuple[sqlite3.Row | None, dict[str, str]]:
    """Give window ``w`` its next ticket; returns the called row (or None) and why it was
    chosen, in one line, by language ({"zh", "en"})."""
    if w["status"] != "open":
        raise conflict("window_not_open", "窗口未开启或已暂停 (window is not open)")
    if w["current"]:
        raise conflict("window_busy", "请先处理当前票号 (window still has a current ticket)")
    ticket_id, snap, guarded = planner.choose_for(tx.conn, w["hall"], w["id"], tx.now)
    if ticket_id is None:
        return None, {}
    why = planner.explain(snap, w["id"], ticket_id, guarded)
    return tickets.call(tx, w, ticket_id), why
