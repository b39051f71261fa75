"""顺延 and rejoin: a citizen moves their own ticket back in line from the phone.

The line is ordered by ``(order_at, id)``, and the dispatcher reads ``order_at`` as the
ticket's arrival. Both actions therefore move ``order_at`` to just after a chosen ticket:

- **postpone** (waiting -> waiting): "let the next N go ahead" means the next N waiting
  tickets *of the same service* (and the same priority group) behind this one. The
  dispatcher may reorder across services (skills, priorities, windows that help), so "the
  next N in the hall" would not say who goes first; within one service and one priority group
  it keeps arrival order, so the N people of that line behind are exactly the ones who now go
  ahead (a priority ticket goes before every ordinary one whatever its ``order_at``: only its
  own group can be let ahead). Fewer than N behind: it goes after the last of them; none
  behind: refused (409), nothing would change.
- **rejoin** (no_show -> waiting): within the rejoin window after the no-show, the ticket
  waits again behind the first M waiting tickets of its service (all of them if fewer); with
  none waiting it keeps its old place, which is the front.

Each is one transition of ``tickets._move`` (guarded update, one audit event with the
``order_at`` before and after) in the caller's write transaction; ``tx.tickets`` makes the
publisher push ``ticket.updated`` to the phone and the positions of everyone behind.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from queue_server.domain import clock, tickets
from queue_server.errors import conflict
from queue_server.store.db import Tx

GAP_S = 0.001  # after the chosen ticket, before whatever comes next in line


@dataclass(frozen=True)
class Rules:
    """The hall's settings (config ``HALLQ_POSTPONE_*`` / ``HALLQ_REJOIN_*``)."""

    steps: int = 3          # a postpone lets this many go ahead
    max_postpones: int = 1  # per ticket; 0 = off
    window_s: int = 1800    # a no-show may rejoin this long after it; 0 = off
    behind: int = 3         # a rejoined ticket waits behind this many


def rules_of(config) -> Rules:
    return Rules(steps=max(1, int(config["POSTPONE_STEPS"])),
                 max_postpones=max(0, int(config["POSTPONE_MAX"])),
                 window_s=max(0, int(config["REJOIN_WINDOW_S"])),
                 behind=max(0, int(config["REJOIN_BEHIND"])))


def moves(row: sqlite3.Row, rules: Rules, tz: str) -> dict:
    """What the phone page offers: postpones left, and until when a no-show may rejoin."""
    until = None
    if (row["status"] == "no_show" and rules.window_s and not row["rejoins"]
            and row["finished_at"] is not None):
        until = clock.iso(row["finished_at"] + rules.window_s, tz)
    return {"postpones_left": max(0, rules.max_postpones - row["postpones"]),
            "postpone_steps": rules.steps, "rejoin_until": until,
            "rejoin_behind": rules.behind}


def _same_service_waiting(tx: Tx, t: sqlite3.Row) -> list[sqlite3.Row]:
    """The ticket's own line: its service and its priority group (the dispatcher calls a
    priority or due appointment ticket before every ordinary one whatever its ``order_at``)."""
    return tx.all("SELECT id, order_at FROM tickets WHERE hall = ? AND day = ? AND service = ?"
                  " AND priority = ? AND status = 'waiting' AND id != ? ORDER BY order_at, id",
                  (t["hall"], t["day"], t["service"], t["priority"], t["id"]))


def _just_after(tx: Tx, anchor: sqlite3.Row) -> float:
    """An ``order_at`` after ``anchor`` and before the next waiting ticket of the hall."""
    nxt = tx.one("SELECT MIN(order_at) FROM tickets WHERE hall = (SELECT hall FROM tickets"
                 " WHERE id = ?) AND status = 'waiting' AND order_at > ?",
                 (anchor["id"], anchor["order_at"]))[0]
    if nxt is None:
        return anchor["order_at"] + GAP_S
    return min(anchor["order_at"] + GAP_S, (anchor["order_at"] + nxt) / 2)


def postpone(tx: Tx, t: sqlite3.Row, rules: Rules) -> sqlite3.Row:
    if t["status"] != "waiting":
        raise conflict("not_waiting", "只有等候中的票号可以顺延 (only a waiting ticket can be"
                                      " postponed)")
    if t["postpones"] >= rules.max_postpones:
        raise conflict("postpone_limit", f"每张票号最多顺延 {rules.max_postpones} 次"
                                         f" (at most {rules.max_postpones} postpones per ticket)")
    key = (t["order_at"], t["id"])
    behind = [r for r in _same_service_waiting(tx, t) if (r["order_at"], r["id"]) > key]
    if not behind:
        raise conflict("nobody_behind", "您后面暂无人等候，无需顺延 (nobody is behind you)")
    anchor = behind[min(rules.steps, len(behind)) - 1]
    after = tickets._move(tx, t, "postpone", order_at=_just_after(tx, anchor),
                          postpones=t["postpones"] + 1)
    tickets.emit_queue(tx, t["hall"])
    return after


def rejoin(tx: Tx, t: sqlite3.Row, rules: Rules) -> sqlite3.Row:
    if t["status"] != "no_show":
        raise conflict("not_no_show", "只有已过号的票号可以重新排队 (only a missed ticket can"
                                      " rejoin)")
    if t["rejoins"] >= 1:
        raise conflict("rejoin_limit", "每张票号只能重新排队一次 (a ticket rejoins once)")
    if not rules.window_s or tx.now - (t["finished_at"] or 0) > rules.window_s:
        minutes = rules.window_s // 60
        raise conflict("rejoin_too_late", f"过号 {minutes} 分钟内才能重新排队，请重新取号"
                                          f" (rejoin within {minutes} min of the call; please"
                                          " take a new ticket)")
    ahead = _same_service_waiting(tx, t)[:rules.behind]
    order_at = _just_after(tx, ahead[-1]) if ahead else t["order_at"]
    after = tickets._move(tx, t, "rejoin", order_at=order_at, rejoins=t["rejoins"] + 1,
                          window=None, called_at=None, started_at=None, finished_at=None)
    tickets.emit_queue(tx, t["hall"])
    return after
