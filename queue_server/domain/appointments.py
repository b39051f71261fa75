"""Appointments (预约): a citizen books a slot for a service, then checks in at the hall and
gets a priority-2 ticket due at the slot (the dispatcher serves it by its due time).

Booking and check-in both need the ID number (kept only as a keyed hash): the code alone,
seen over a shoulder, is not enough to take someone's place.
"""
from __future__ import annotations

import secrets
import sqlite3
from datetime import datetime

from queue_server.domain import clock, read_models, tickets
from queue_server.errors import conflict, invalid
from queue_server.store.db import Tx

SLOT_S = 1800            # slots are half hours
PER_SLOT = 5             # bookings per service and slot
DAYS_AHEAD = 30
EARLY_S, LATE_S = 3600, 900   # check-in from an hour before the slot to 15 minutes after
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over a counter


def parse_slot(value: str, tz: str) -> float:
    """An ISO 8601 time on a half-hour boundary (a naive time is the hall's local time)."""
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise invalid("invalid_slot", "预约时间格式无效 (slot_at must be ISO 8601)") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=clock.zone(tz))
    ts = at.timestamp()
    if ts % SLOT_S:
        raise invalid("invalid_slot", "预约时段须为整点或半点 (slots start on the hour or half"
                                      " hour)")
    return ts


def book(tx: Tx, hall: str, service: str, slot_at: float, id_hash: str) -> sqlite3.Row:
    h = read_models.hall_row(tx.conn, hall)
    if tx.one("SELECT 1 FROM services WHERE id = ? AND hall = ? AND active = 1",
              (service, hall)) is None:
        raise invalid("unknown_service", f"本大厅没有该业务 (unknown service {service!r})")
    if not tx.now < slot_at <= tx.now + DAYS_AHEAD * 86400:
        raise invalid("invalid_slot", f"只能预约今后 {DAYS_AHEAD} 天内的时段 (slot must be in the"
                                      f" next {DAYS_AHEAD} days)")
    start = clock.seconds_of_day(slot_at, h["tz"])
    if not h["open_s"] <= start <= h["close_s"] - SLOT_S:
        raise invalid("invalid_slot", "该时段不在办公时间内 (slot outside opening hours)")
    taken = tx.one("SELECT COUNT(*) FROM appointments WHERE hall = ? AND service = ?"
                   " AND slot_at = ? AND status = 'booked'", (hall, service, slot_at))[0]
    if taken >= PER_SLOT:
        raise conflict("slot_full", "该时段已约满 (slot fully booked)")
    day = clock.day_of(slot_at, h["tz"])
    lo, hi = clock.day_bounds(day, h["tz"])
    if tx.one("SELECT 1 FROM appointments WHERE id_hash = ? AND service = ? AND status = 'booked'"
              " AND slot_at >= ? AND slot_at < ?", (id_hash, service, lo, hi)):
        raise conflict("already_booked", "当天已预约该业务 (already booked this service that day)")
    code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    tx.run("INSERT INTO appointments (code, hall, service, slot_at, id_hash, status, created_at)"
           " VALUES (?, ?, ?, ?, ?, 'booked', ?)", (code, hall, service, slot_at, id_hash, tx.now))
    tx.audit(hall, "appointment_book",
             detail={"code": code, "service": service, "slot_at": clock.iso(slot_at, h["tz"])})
    return tx.one("SELECT * FROM appointments WHERE code = ?", (code,))


def check_in(tx: Tx, hall: str, code: str, service: str | None, id_hash: str | None,
             channel: str, token: str | None = None) -> tuple[sqlite3.Row, str]:
    """Turn a booking into a priority-2 ticket due at its slot. Without ``service`` the
    booking's own service is used; a given one must be the booked one."""
    appt = tx.one("SELECT * FROM appointments WHERE code = ? AND hall = ?", (code.upper(), hall))
    if appt is None or id_hash is None or appt["id_hash"] != id_hash:
        # One answer for "no such code" and "not your code": codes can't be probed.
        raise invalid("unknown_appointment", "预约信息不符 (no such appointment for this ID)")
    if service is not None and appt["service"] != service:
        raise invalid("appointment_mismatch", "预约的业务与所选业务不同 (booked for another"
                                              " service)")
    if appt["status"] != "booked":
        raise conflict("appointment_used", "该预约已取号 (appointment already checked in)")
    if not appt["slot_at"] - EARLY_S <= tx.now <= appt["slot_at"] + LATE_S:
        raise conflict("appointment_not_now", "请在预约时段前 1 小时至后 15 分钟内取号 (check in"
                                              " from 1 h before to 15 min after the slot)")
    row, token = tickets.issue(tx, hall, appt["service"], channel, 2, id_hash, None,
                               due_at=appt["slot_at"], appointment=appt["code"], token=token)
    tx.run("UPDATE appointments SET status = 'checked_in', ticket = ? WHERE code = ?"
           " AND status = 'booked'", (row["id"], appt["code"]))
    return row, token


def view(row: sqlite3.Row, tz: str) -> dict:
    return {"code": row["code"], "hall": row["hall"], "service": row["service"],
            "slot_at": clock.iso(row["slot_at"], tz), "status": row["status"]}
