"""Outbound notices to citizens (near the front, called, no-show, appointment reminders):
the durable outbox that every outbound channel (the webhook, later an SMS gateway or a
WeChat template-message bridge) delivers from.

**Writing.** :func:`enqueue` writes a notice in the caller's write transaction, one row of
``notice_outbox`` per *enabled* channel (``notice_channels``, kept in step with the settings
at start-up by :func:`sync_channels`): the notice exists exactly when its cause committed,
and nothing is written while no channel is configured. Delivery (``live/notices.py``) comes
after the commit, in a background loop, never on the request.

**Bodies.** ``{"event", "hall", "at", "ticket": {...} | "appointment": {...}, ...}``: ticket
numbers, services, windows, positions, booking codes and slots; never an ID number, never a
phone number. A channel that needs the phone (an SMS gateway; the webhook only with
``HALLQ_WEBHOOK_PHONE=1``) gets it added at delivery, unsealed from the ticket's or the
booking's ``phone_enc`` (``privacy.seal``), so the outbox itself never holds it.

Events (:data:`EVENTS`): ``ticket.near_front`` (a waiting ticket's position, as the phone
shows it, reached ``HALLQ_NOTICE_NEAR_FRONT``; once per ticket), ``ticket.called`` (each call
and recall), ``ticket.no_show``, ``appointment.reminder`` (``HALLQ_NOTICE_REMINDER_S`` before
the slot; once per booking), ``appointment.missed``.

Another subject (a case's status, say) adds its own event with one call::

    notices.enqueue(tx, hall, "case.ready", {"case": {...}}, ticket=ticket_id)
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from queue_server.domain import clock, read_models
from queue_server.store.db import Tx

EVENTS = ("ticket.near_front", "ticket.called", "ticket.no_show", "appointment.reminder",
          "appointment.missed")


def enabled(tx: Tx) -> bool:
    """Whether any outbound channel is configured (else notices are not written at all)."""
    return tx.one("SELECT 1 FROM notice_channels WHERE enabled = 1 LIMIT 1") is not None


def enqueue(tx: Tx, hall: str, event: str, payload: dict, *, ticket: int | None = None,
            appointment: str | None = None) -> int:
    """Write the notice ``event`` of ``hall`` for every enabled channel, in this transaction.

    ``payload``: the body's own fields (``ticket`` / ``appointment`` objects and the like;
    ``event``, ``hall`` and ``at`` are added). ``ticket`` / ``appointment``: whose citizen it
    is for (a channel that needs the phone number finds it there). Returns the rows written
    (0 when no channel is enabled)."""
    channels = [r[0] for r in tx.all("SELECT name FROM notice_channels WHERE enabled = 1"
                                     " ORDER BY name")]
    if not channels:
        return 0
    body = json.dumps({"event": event, "hall": hall, "at": clock.iso(
        tx.now, read_models.tz_of(tx.conn, hall)), **payload}, ensure_ascii=False,
        sort_keys=True)
    for channel in channels:
        tx.run("INSERT INTO notice_outbox (channel, hall, event, ticket, appointment, body,"
               " created_at, attempts, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)",
               (channel, hall, event, ticket, appointment, body, tx.now, tx.now))
    return len(channels)


def ticket_ref(tx: Tx, row: sqlite3.Row, position: int | None = None) -> dict:
    """A ticket as a notice names it: the contract's fields, nothing personal."""
    svc = tx.one("SELECT name FROM services WHERE id = ?", (row["service"],))
    win = None
    if row["window"] and row["status"] in ("called", "serving", "no_show"):
        w = tx.one("SELECT id, name FROM windows WHERE id = ?", (row["window"],))
        win = {"id": w["id"], "name": w["name"]} if w else None
    return {"id": row["id"], "number": row["number"], "day": row["day"],
            "service": row["service"], "service_name": svc["name"] if svc else row["service"],
            "status": row["status"], "position": position, "window": win}


def ticket_event(tx: Tx, event: str, row: sqlite3.Row, position: int | None = None,
                 **extra: object) -> int:
    """:func:`enqueue` of a ticket's event (the body built only when a channel listens)."""
    if not enabled(tx):
        return 0
    return enqueue(tx, row["hall"], event, {"ticket": ticket_ref(tx, row, position), **extra},
                   ticket=row["root"] or row["id"])


def appointment_event(tx: Tx, event: str, appt: sqlite3.Row, **extra: object) -> int:
    """:func:`enqueue` of a booking's event: code, service and slot (no ID, no phone)."""
    if not enabled(tx):
        return 0
    tz = read_models.tz_of(tx.conn, appt["hall"])
    svc = tx.one("SELECT name FROM services WHERE id = ?", (appt["service"],))
    return enqueue(tx, appt["hall"], event, {"appointment": {
        "code": appt["code"], "service": appt["service"],
        "service_name": svc["name"] if svc else appt["service"],
        "slot_at": clock.iso(appt["slot_at"], tz), "status": appt["status"]}, **extra},
        appointment=appt["code"])


def mark_near_front(tx: Tx, ticket_id: int, position: int) -> bool:
    """Mark a waiting ticket near the front and write its notice, once (a guarded update:
    two processes looking at once send it once)."""
    cur = tx.run("UPDATE tickets SET near_front_at = ? WHERE id = ? AND status = 'waiting'"
                 " AND near_front_at IS NULL", (tx.now, ticket_id))
    if cur.rowcount != 1:
        return False
    ticket_event(tx, "ticket.near_front", tx.one("SELECT * FROM tickets WHERE id = ?",
                                                 (ticket_id,)), position)
    return True


def mark_reminded(tx: Tx, code: str) -> bool:
    """Write a booking's reminder, once (guarded as :func:`mark_near_front`)."""
    cur = tx.run("UPDATE appointments SET reminded_at = ? WHERE code = ? AND status = 'booked'"
                 " AND reminded_at IS NULL", (tx.now, code))
    if cur.rowcount != 1:
        return False
    appointment_event(tx, "appointment.reminder",
                      tx.one("SELECT * FROM appointments WHERE code = ?", (code,)))
    return True


def sync_channels(tx: Tx, names: Iterable[str]) -> None:
    """Enable exactly the channels ``names`` (this deployment's settings)."""
    names = sorted(set(names))
    keep = f" AND name NOT IN ({', '.join('?' for _ in names)})" if names else ""
    tx.run(f"UPDATE notice_channels SET enabled = 0, updated_at = ? WHERE enabled = 1{keep}",
           (tx.now, *names))
    for name in names:
        tx.run("INSERT INTO notice_channels (name, enabled, updated_at) VALUES (?, 1, ?)"
               " ON CONFLICT (name) DO UPDATE SET enabled = 1, updated_at = excluded.updated_at",
               (name, tx.now))


def enabled_names(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM notice_channels WHERE enabled = 1")}
