"""The ticket lifecycle: the only code that changes a ticket's status.

Every transition is one guarded UPDATE (``… WHERE id = ? AND status = ?``) inside the caller's
write transaction, one audit event with before/after, and the live events it causes.

    issue -> waiting -> called (recall n) -> serving -> done
    called -> no_show          serving -> held -> waiting (keeps its place), or
                                          held -> serving (resumed: see holds.py)
    waiting -> waiting (postpone)   no_show -> waiting (rejoin), see postpone.py
    called|serving -> transferred (+ a waiting ticket, same number, for the new service)
    waiting -> cancelled
    waiting|held (or orphaned called|serving) -> cancelled by ``expire`` at the end of the day
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import sqlite3
from pathlib import Path

from queue_server.domain import clock, notices, privacy, read_models, rectification
from queue_server.errors import conflict, invalid
from queue_server.live.events import (
    HallUpdated,
    QueueUpdated,
    TicketCalled,
    WindowUpdated,
    ticket_room,
)
from queue_server.store.db import Tx, loads

# action: (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "call": (("waiting",), "called"),
    "recall": (("called",), "called"),
    "start": (("called",), "serving"),
    "finish": (("called", "serving"), "done"),
    "no_show": (("called",), "no_show"),
    "hold": (("serving",), "held"),
    "unhold": (("held",), "waiting"),
    "resume": (("held",), "serving"),
    "hold_return": (("held",), "waiting"),  # the hall's timer returned it (holds.py)
    "transfer": (("called", "serving"), "transferred"),
    "cancel": (("waiting",), "cancelled"),
    # the citizen's own moves back in line (domain/postpone.py): a new order_at, same number
    "postpone": (("waiting",), "waiting"),
    "rejoin": (("no_show",), "waiting"),
    # The day ended with the ticket still open (see rollover.py); called or serving tickets
    # at a window end through no_show / finish instead.
    "expire": (("waiting", "held", "called", "serving"), "cancelled"),
}

# The status words of the refusal below are the pages' own (status.* of strings.zh.js, strict
# JSON inside HallQ.i18n.load): one vocabulary for the screens and the server's messages.
_STRINGS_ZH = Path(__file__).resolve().parent.parent / "static" / "hallq" / "strings.zh.js"
STATUS_ZH: dict[str, str] = json.loads(
    re.search(r"\{.*\}", _STRINGS_ZH.read_text(encoding="utf-8"), re.S).group(0))["status"]


def room_of(row: sqlite3.Row) -> str:
    """The citizen's room: one for the whole chain of legs a transfer makes."""
    return ticket_room(row["root"] or row["id"])


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A secret for the citizen's ticket: 192 random bits, shown once, stored only hashed."""
    return secrets.token_urlsafe(24)


def retry_token(secret: str, hall: str, day: str, key: str) -> str:
    """The token of the ticket an ``Idempotency-Key`` names: derived from the key with the
    server's secret, so a retry finds its ticket by the token's hash and nothing else is
    stored; a new day (or another hall) gives a new ticket."""
    mac = hmac.new(secret.encode(), f"issue|{hall}|{day}|{key}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode()


# Columns a transition sets that are times or running totals, not states: left out of the
# audit's before/after (the hold's own detail says what matters of them).
_UNAUDITED = ("called_at", "started_at", "finished_at", "held_at", "hold_until", "held_s",
              "paused_s")


def _move(tx: Tx, row: sqlite3.Row, action: str, extra: dict | None = None,
          **fields) -> sqlite3.Row:
    """Apply one transition to ``row`` with a guarded update and audit it (``extra``: more
    for the audit's detail)."""
    allowed, to = TRANSITIONS[action]
    if row["status"] not in allowed:
        raise conflict("invalid_transition",
                       f"票号 {row['number']} 当前为「{STATUS_ZH[row['status']]}」，不能执行此操作"
                       f" (ticket is {row['status']}; cannot {action})")
    sets = ", ".join(f"{k} = :{k}" for k in fields)
    sql = (f"UPDATE tickets SET status = :to{', ' + sets if sets else ''}"
           " WHERE id = :id AND status = :from")
    cur = tx.run(sql, {**fields, "to": to, "id": row["id"], "from": row["status"]})
    if cur.rowcount != 1:  # someone else moved it first: never act on a stale read
        raise conflict("ticket_changed", "票号状态已变化，请刷新 (ticket changed meanwhile)")
    after = tx.one("SELECT * FROM tickets WHERE id = ?", (row["id"],))
    detail = {"before": {"status": row["status"]}, "after": {"status": to},
              "number": row["number"], "service": row["service"]}
    for k, v in fields.items():
        if k not in _UNAUDITED and row[k] != v:
            detail["before"][k], detail["after"][k] = row[k], v
    detail.update(extra or {})
    tx.audit(row["hall"], action, ticket=row["id"], window=after["window"], detail=detail)
    tx.tickets.add(row["id"])
    return after


def _next_number(tx: Tx, hall: str, day: str, prefix: str) -> str:
    last = tx.one(
        "INSERT INTO counters (hall, day, prefix, last) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (hall, day, prefix) DO UPDATE SET last = counters.last + 1 RETURNING last",
        (hall, day, prefix))[0]
    return f"{prefix}{last:03d}"


def zones(tx: Tx, hall: str) -> tuple[str, ...]:
    return tuple(r["zone"] for r in tx.all(
        "SELECT DISTINCT zone FROM windows WHERE hall = ? AND zone != '' ORDER BY zone", (hall,)))


def emit_queue(tx: Tx, hall: str) -> None:
    q = read_models.queue_payload(tx.conn, hall)
    tx.emit(QueueUpdated(hall=hall, waiting=q["waiting"], total=q["total"],
                         zones=zones(tx, hall)))


def emit_hall(tx: Tx, hall: str) -> None:
    h = read_models.hall_row(tx.conn, hall)
    tx.emit(HallUpdated(hall=hall, name=h["name"], name_en=h["name_en"] or "",
                        notices=loads(h["notices"], []), open_s=h["open_s"],
                        close_s=h["close_s"]))


def emit_window(tx: Tx, window_id: str) -> None:
    # public rooms hear it: no login name (read_models.public_window)
    tx.emit(WindowUpdated(window=read_models.public_window(
        read_models.window_by_id(tx.conn, window_id))))


def issue(tx: Tx, hall: str, service: str, channel: str, priority: int = 0,
          id_hash: str | None = None, phone_hash: str | None = None,
          due_at: float | None = None, appointment: str | None = None,
          token: str | None = None, reason: str | None = None,
          phone_enc: str | None = None, detail: dict | None = None) -> tuple[sqlite3.Row, str]:
    """Issue a ticket; returns its row and the secret token (never stored in clear).
    ``token``: a retry's (``retry_token``), else a fresh one; ``phone_enc``: the phone
    number for notices, sealed (``privacy.seal``); ``detail``: more for the audit (why the
    priority, an agent)."""
    svc = tx.one("SELECT s.*, c.prefix FROM services s JOIN categories c ON c.id = s.category"
                 " WHERE s.id = ? AND s.hall = ? AND s.active = 1", (service, hall))
    if svc is None:
        raise invalid("unknown_service", f"本大厅没有该业务 (unknown service {service!r})")
    if service not in read_models.served_services(tx.conn, hall):
        # a number no window could ever call: refuse it rather than strand the citizen
        raise invalid("no_window", "暂无窗口办理该业务，请咨询工作人员"
                                   " (no window takes this service yet: please ask staff)")
    tz = read_models.tz_of(tx.conn, hall)
    day = clock.day_of(tx.now, tz)
    number = _next_number(tx, hall, day, svc["prefix"])
    token = token or new_token()
    cur = tx.run(
        "INSERT INTO tickets (hall, day, number, service, status, priority, channel, token_hash,"
        " id_hash, phone_hash, phone_enc, issued_at, order_at, due_at) VALUES"
        " (?, ?, ?, ?, 'waiting', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (hall, day, number, service, priority, channel, token_hash(token), id_hash, phone_hash,
         phone_enc, tx.now, tx.now, due_at))
    tx.run("UPDATE tickets SET root = id WHERE id = ?", (cur.lastrowid,))
    row = tx.one("SELECT * FROM tickets WHERE id = ?", (cur.lastrowid,))
    tx.audit(hall, "issue", ticket=row["id"],
             detail={"before": None, "after": {"status": "waiting"}, "number": number,
                     "service": service, "channel": channel, "priority": priority,
                     **({"appointment": appointment} if appointment else {}),
                     **({"reason": reason} if reason else {}), **(detail or {})})
    # No ticket.updated: nobody can follow a ticket before its token is answered.
    emit_queue(tx, hall)
    return row, token


def _called(tx: Tx, ticket: sqlite3.Row, window: sqlite3.Row) -> TicketCalled:
    svc = tx.one("SELECT name, name_en FROM services WHERE id = ?", (ticket["service"],))
    return TicketCalled(
        ticket=ticket["id"], number=ticket["number"],
        window={"id": window["id"], "name": window["name"], "name_en": window["name_en"] or ""},
        service=ticket["service"], service_name=svc["name"],
        service_name_en=svc["name_en"] or "", recall=ticket["recall"],
        called_at=clock.iso(tx.now, read_models.tz_of(tx.conn, ticket["hall"])),
        zone=window["zone"] or "", hall=ticket["hall"], follow_room=room_of(ticket))


# How a call chose its ticket: the dispatcher, a 特呼号 (ahead of everyone), or the clerk
# naming the number (指呼); the last two count as overrides of the dispatcher's order.
CHOSEN_BY = ("dispatcher", "special", "number")
SPECIAL = 3  # the priority of a 特呼号 (the dispatcher's groups are 0, 1 and 2)


def _announce(tx: Tx, ticket: sqlite3.Row, window: sqlite3.Row, action: str,
              chosen_by: str = "dispatcher") -> None:
    """Record the call in the audit (for snapshots) and push it to every screen."""
    event = _called(tx, ticket, window)
    detail = {"before": {"status": "waiting" if action == "call" else "called"},
              "after": {"status": "called", "recall": ticket["recall"]},
              "number": ticket["number"], "service": ticket["service"], "call": event.payload()}
    if chosen_by != "dispatcher":
        detail["chosen_by"] = chosen_by
    tx.audit(ticket["hall"], action, ticket=ticket["id"], window=window["id"], detail=detail)
    tx.emit(event)
    notices.ticket_event(tx, "ticket.called", ticket, recall=ticket["recall"])


def call(tx: Tx, window: sqlite3.Row, ticket_id: int, chosen_by: str = "dispatcher"
         ) -> sqlite3.Row:
    """Claim a waiting ticket for a window. The guarded update is what makes it exclusive."""
    cur = tx.run("UPDATE tickets SET status = 'called', window = ?, called_at = ?, recall = 0,"
                 " first_called_at = COALESCE(first_called_at, ?)"
                 " WHERE id = ? AND status = 'waiting'", (window["id"], tx.now, tx.now, ticket_id))
    if cur.rowcount != 1:
        raise conflict("ticket_taken", "该票号已被其他窗口叫走 (ticket already taken)")
    tx.run("UPDATE windows SET current = ?, idle_since = NULL WHERE id = ?",
           (ticket_id, window["id"]))
    ticket = tx.one("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
    _announce(tx, ticket, window, "call", chosen_by)
    tx.tickets.add(ticket_id)
    emit_queue(tx, ticket["hall"])
    emit_window(tx, window["id"])
    return ticket


def served_by(tx: Tx, window: sqlite3.Row) -> str | None:
    """Who did the work: the acting user (a manager working a window counts too)."""
    return window["clerk"] if tx.actor in ("system", "citizen") else tx.actor


def current_of(tx: Tx, window: sqlite3.Row) -> sqlite3.Row:
    if not window["current"]:
        raise conflict("no_current_ticket", "本窗口当前没有票号 (window has no current ticket)")
    return tx.one("SELECT * FROM tickets WHERE id = ?", (window["current"],))


def release_window(tx: Tx, window: sqlite3.Row) -> None:
    tx.run("UPDATE windows SET current = NULL, idle_since = ? WHERE id = ?",
           (tx.now, window["id"]))


def recall(tx: Tx, window: sqlite3.Row) -> sqlite3.Row:
    t = current_of(tx, window)
    if t["status"] != "called":
        _move(tx, t, "recall")  # raises the 409 with the standard message
    tx.run("UPDATE tickets SET recall = recall + 1 WHERE id = ? AND status = 'called'", (t["id"],))
    t = tx.one("SELECT * FROM tickets WHERE id = ?", (t["id"],))
    _announce(tx, t, window, "recall")
    tx.tickets.add(t["id"])
    return t


def start(tx: Tx, window: sqlite3.Row) -> sqlite3.Row:
    t = _move(tx, current_of(tx, window), "start", started_at=tx.now)
    emit_window(tx, window["id"])
    return t


def finish(tx: Tx, window: sqlite3.Row, outcome: str | None = None) -> sqlite3.Row:
    """``outcome``: one of the hall's outcome codes, checked by the caller (outcomes.py)."""
    t0 = current_of(tx, window)
    # A ticket finished straight from "called" was served from the call on.
    t = _move(tx, t0, "finish", finished_at=tx.now, started_at=t0["started_at"] or t0["called_at"],
              served_by=served_by(tx, window), outcome=outcome)
    release_window(tx, window)
    emit_window(tx, window["id"])
    return t


def no_show(tx: Tx, window: sqlite3.Row) -> sqlite3.Row:
    t = _move(tx, current_of(tx, window), "no_show", finished_at=tx.now)
    release_window(tx, window)
    emit_window(tx, window["id"])
    notices.ticket_event(tx, "ticket.no_show", t)
    return t


def transfer(tx: Tx, window: sqlite3.Row, service: str) -> sqlite3.Row:
    """Close this leg as ``transferred`` and queue a new leg for ``service``: same number, same
    token, same place in line (its original issue time orders it)."""
    t = current_of(tx, window)
    svc = tx.one("SELECT id FROM services WHERE id = ? AND hall = ? AND active = 1",
                 (service, t["hall"]))
    if svc is None:
        raise invalid("unknown_service", f"本大厅没有该业务 (unknown service {service!r})")
    if t["status"] not in TRANSITIONS["transfer"][0]:
        _move(tx, t, "transfer")  # raises the standard 409
    cur = tx.run(
        "INSERT INTO tickets (hall, day, number, service, status, priority, channel, token_hash,"
        " id_hash, phone_hash, issued_at, order_at, due_at, transferred_from, root) SELECT hall,"
        " day, number, ?, 'waiting', priority, channel, NULL, id_hash, phone_hash, issued_at,"
        " order_at, due_at, id, COALESCE(root, id) FROM tickets WHERE id = ?",
        (service, t["id"]))
    new_id = cur.lastrowid
    # The citizen's token follows the ticket to its new leg.
    tx.run("UPDATE tickets SET token_hash = NULL, status = 'transferred', finished_at = ?,"
           " started_at = COALESCE(started_at, called_at), served_by = ?, transferred_to = ?"
           " WHERE id = ? AND status = ?", (tx.now, served_by(tx, window), new_id, t["id"],
                                            t["status"]))
    tx.run("UPDATE tickets SET token_hash = ? WHERE id = ?", (t["token_hash"], new_id))
    tx.audit(t["hall"], "transfer", ticket=t["id"], window=window["id"],
             detail={"before": {"status": t["status"], "service": t["service"]},
                     "after": {"status": "transferred", "new_ticket": new_id,
                               "service": service}, "number": t["number"]})
    tx.tickets.update({t["id"], new_id})
    release_window(tx, window)
    emit_queue(tx, t["hall"])
    emit_window(tx, window["id"])
    return tx.one("SELECT * FROM tickets WHERE id = ?", (new_id,))


def cancel(tx: Tx, ticket: sqlite3.Row) -> sqlite3.Row:
    t = _move(tx, ticket, "cancel", finished_at=tx.now)
    # A checked-in appointment whose ticket is cancelled before its call (a failed slip print,
    # a change of mind) is booked again, so the citizen can check in once more.
    tx.run("UPDATE appointments SET status = 'booked', ticket = NULL"
           " WHERE ticket = ? AND status = 'checked_in'", (t["id"],))
    emit_queue(tx, t["hall"])
    return t


def expire(tx: Tx, ticket: sqlite3.Row) -> sqlite3.Row:
    t = _move(tx, ticket, "expire", finished_at=tx.now)
    emit_queue(tx, t["hall"])
    return t


def rate(tx: Tx, ticket: sqlite3.Row, score: int, reason: str | None,
         comment: str | None, channel: str | None = None,
         feed: frozenset[str] = frozenset()) -> None:
    """Record the citizen's rating; ``channel`` is where it was given (``onsite``: a pad or
    kiosk in the hall, ``mobile``: a phone), by default where the ticket was taken. A bad one
    opens its rectification case here, whoever records it (差评必整改); ``feed``: the
    电子监察 kinds configured."""
    if ticket["status"] != "done":
        raise conflict("not_done", "办结后才能评价 (only a finished ticket can be rated)")
    if tx.one("SELECT 1 FROM ratings WHERE ticket = ?", (ticket["id"],)):
        raise conflict("already_rated", "该票号已评价 (already rated)")
    # Numbers a citizen types (ID, phone) are masked before anything is stored or audited.
    reason, comment = privacy.mask(reason), privacy.mask(comment)
    channel = channel or ("mobile" if ticket["channel"] == "mobile" else "onsite")
    tx.run("INSERT INTO ratings (ticket, score, reason, comment, at, channel)"
           " VALUES (?, ?, ?, ?, ?, ?)", (ticket["id"], score, reason, comment, tx.now, channel))
    # The comment is free text that may hold personal data: audit the score only.
    tx.audit(ticket["hall"], "rate", ticket=ticket["id"], window=ticket["window"],
             detail={"score": score, "reason": reason, "number": ticket["number"]})
    rectification.open_for_rating(tx, ticket, score, reason, feed)
    tx.tickets.add(ticket["id"])
