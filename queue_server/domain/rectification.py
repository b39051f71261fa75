"""Rectification cases (整改) for bad ratings: "差评必整改".

A rating of 1 or 2 opens a case in the rating's own transaction, due a number of working days
later (the hall's ``rectify_days``, default 5; Monday to Friday, at the same hall-local time;
public holidays are not known here). A case is ``open`` → ``assigned`` (an owner, a member of
the hall's staff; may be reassigned) → ``answered`` (a response to the citizen, shown on the
ticket page; may be answered again) → ``closed`` (with its outcome). Every step is one audited
change; free text is screened (``privacy.mask``) before it is stored or audited, and the
response and outcome are cleared by the retention purge like a rating's comment.

An open case past its due time is marked ``overdue_at`` once, by a guarded update inside the
checker's write (``live/supervision.py``), which is what makes its alert go out once.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from queue_server.domain import clock, privacy, supervision_feed
from queue_server.errors import conflict, invalid, not_found
from queue_server.store.db import Tx

BAD = 2  # scores at or below this open a case
STATUSES = ("open", "assigned", "answered", "closed")
# the national 好差评 platform's rectification states
PLATFORM_STATUS = {"open": "待整改", "assigned": "待整改", "answered": "整改中",
                   "closed": "已整改"}


def add_working_days(start: float, days: int, tz: str) -> float:
    """``start`` moved ``days`` working days (Mon-Fri) on, at the same hall-local time."""
    local = datetime.fromtimestamp(start, clock.zone(tz))
    day, left = local.date(), days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    naive = datetime.combine(day, local.time().replace(tzinfo=None))
    return naive.replace(tzinfo=clock.zone(tz)).timestamp()


def open_for_rating(tx: Tx, ticket: sqlite3.Row, score: int, reason: str | None,
                    feed: frozenset[str]) -> int | None:
    """Inside the rating's transaction: a case for a bad rating (its id), else None."""
    if score > BAD:
        return None
    hall = tx.one("SELECT tz, rectify_days FROM halls WHERE id = ?", (ticket["hall"],))
    due = add_working_days(tx.now, int(hall["rectify_days"]), hall["tz"])
    cur = tx.run("INSERT INTO rectifications (hall, ticket, score, status, opened_at, due_at)"
                 " VALUES (?, ?, ?, 'open', ?, ?)", (ticket["hall"], ticket["id"], score,
                                                     tx.now, due))
    case_id = int(cur.lastrowid)
    tx.audit(ticket["hall"], "rectification_open", ticket=ticket["id"], window=ticket["window"],
             detail={"case": case_id, "number": ticket["number"], "score": score,
                     "due_at": clock.iso(due, hall["tz"])})
    supervision_feed.enqueue(tx, feed, ticket["hall"], "rating.bad", {
        "ticket": supervision_feed.ticket_ref(tx, ticket), "score": score,
        "reason": privacy.mask(reason), "case": case_id,
        "due_at": clock.iso(due, hall["tz"])})
    return case_id


def _case(tx: Tx, hall: str, case_id: int) -> sqlite3.Row:
    row = tx.one("SELECT r.*, t.number, t.window FROM rectifications r JOIN tickets t"
                 " ON t.id = r.ticket WHERE r.id = ? AND r.hall = ?", (case_id, hall))
    if row is None:
        raise not_found("rectification")
    if row["status"] == "closed":
        raise conflict("case_closed", "该整改已办结 (the case is closed)")
    return row


def _changed(tx: Tx, case: sqlite3.Row, action: str, detail: dict) -> None:
    tx.audit(case["hall"], action, ticket=case["ticket"],
             detail={"case": case["id"], "number": case["number"],
                     "before": {"status": case["status"]}, **detail})
    tx.tickets.add(case["ticket"])  # the citizen's page shows the case's state


def assign(tx: Tx, hall: str, case_id: int, owner: str) -> None:
    case = _case(tx, hall, case_id)
    user = tx.one("SELECT username FROM users WHERE username = ? AND active = 1 AND"
                  " (hall IS NULL OR hall = ?) AND role != 'guide'", (owner, hall))
    if user is None:
        raise invalid("unknown_owner", "负责人须为本大厅在职工作人员 (owner: an active staff"
                                       " account of this hall)")
    status = "assigned" if case["status"] == "open" else case["status"]
    tx.run("UPDATE rectifications SET owner = ?, assigned_at = ?, status = ? WHERE id = ?",
           (owner, tx.now, status, case_id))
    _changed(tx, case, "rectification_assign",
             {"after": {"status": status, "owner": owner}})


def _text(value: str, field: str) -> str:
    text = privacy.mask(value.strip())
    if not text:
        raise invalid("missing_text", f"{field} 不能为空 ({field} must not be empty)")
    return text


def answer(tx: Tx, hall: str, case_id: int, response: str) -> None:
    """The response the citizen sees on the ticket page (screened before it is stored)."""
    case = _case(tx, hall, case_id)
    text = _text(response, "response")
    tx.run("UPDATE rectifications SET response = ?, responded_at = ?, responded_by = ?,"
           " status = 'answered' WHERE id = ?", (text, tx.now, tx.actor, case_id))
    # the response itself may name the citizen: its length only in the audit
    _changed(tx, case, "rectification_answer",
             {"after": {"status": "answered"}, "length": len(text)})


def close(tx: Tx, hall: str, case_id: int, outcome: str) -> None:
    """Close an answered case with its outcome (what was rectified)."""
    case = _case(tx, hall, case_id)
    if case["status"] != "answered":
        raise conflict("not_answered", "请先答复群众再办结 (answer the citizen before closing)")
    text = _text(outcome, "outcome")
    tx.run("UPDATE rectifications SET outcome = ?, closed_at = ?, closed_by = ?,"
           " status = 'closed' WHERE id = ? AND status = 'answered'",
           (text, tx.now, tx.actor, case_id))
    _changed(tx, case, "rectification_close", {"after": {"status": "closed"}})


def public_view(conn: sqlite3.Connection, ticket_id: int, tz: str) -> dict | None:
    """What the citizen's page shows of the case of its ticket (never the owner's name)."""
    row = conn.execute("SELECT status, response, responded_at, closed_at FROM rectifications"
                       " WHERE ticket = ?", (ticket_id,)).fetchone()
    if row is None:
        return None
    return {"status": row["status"], "response": row["response"],
            "responded_at": clock.iso(row["responded_at"], tz),
            "closed_at": clock.iso(row["closed_at"], tz)}


def view(row: sqlite3.Row, tz: str, now: float) -> dict:
    """The manager's view of one case (``row`` from :data:`SELECT`)."""
    open_ = row["status"] != "closed"
    return {"id": row["id"], "ticket": row["ticket"], "number": row["number"],
            "score": row["score"], "status": row["status"],
            "platform_status": PLATFORM_STATUS[row["status"]],
            "opened_at": clock.iso(row["opened_at"], tz), "due_at": clock.iso(row["due_at"], tz),
            "overdue": open_ and (now > row["due_at"] or row["overdue_at"] is not None),
            "owner": row["owner"],
            "response": row["response"], "responded_at": clock.iso(row["responded_at"], tz),
            "outcome": row["outcome"], "closed_at": clock.iso(row["closed_at"], tz)}


SELECT = ("SELECT r.*, t.number FROM rectifications r JOIN tickets t ON t.id = r.ticket")


def due_unmarked(conn: sqlite3.Connection, now: float) -> list[sqlite3.Row]:
    """Open cases past their due time not yet marked overdue."""
    return conn.execute("SELECT r.*, t.number, t.service, t.window FROM rectifications r JOIN"
                        " tickets t ON t.id = r.ticket WHERE r.status != 'closed' AND"
                        " r.due_at < ? AND r.overdue_at IS NULL ORDER BY r.id",
                        (now,)).fetchall()


def mark_overdue(tx: Tx, case: sqlite3.Row, feed: frozenset[str]) -> bool:
    """Mark one overdue case (guarded: once); audited and fed. Whether this call marked it."""
    cur = tx.run("UPDATE rectifications SET overdue_at = ? WHERE id = ? AND overdue_at IS NULL"
                 " AND status != 'closed'", (tx.now, case["id"]))
    if cur.rowcount != 1:
        return False
    tz = tx.one("SELECT tz FROM halls WHERE id = ?", (case["hall"],))["tz"]
    tx.audit(case["hall"], "rectification_overdue", ticket=case["ticket"],
             detail={"case": case["id"], "number": case["number"], "status": case["status"],
                     "due_at": clock.iso(case["due_at"], tz)})
    ticket = tx.one("SELECT * FROM tickets WHERE id = ?", (case["ticket"],))
    supervision_feed.enqueue(tx, feed, case["hall"], "rectification.overdue", {
        "ticket": supervision_feed.ticket_ref(tx, ticket), "case": case["id"],
        "status": case["status"], "owner": case["owner"],
        "due_at": clock.iso(case["due_at"], tz)})
    return True
