"""Appointments (预约): a citizen books a slot for a service, then checks in at the hall and
gets a priority-2 ticket due at the slot (the dispatcher serves it by its due time).

Booking, cancelling, rescheduling and check-in all need the ID number (kept only as a keyed
hash): the code alone, seen over a shoulder, is not enough to take someone's place. Each
service has its own capacity per half-hour slot (``services.slot_capacity``, set in the
console; 0: not bookable). A booking nobody checked in for is marked ``missed`` at the end of
its slot (:func:`mark_missed`, by ``system``, audited); an ID number that missed
``NoShowRule.limit`` bookings within ``days`` days cannot book for ``block_days`` after the last.

    booked -> checked_in (a ticket)      booked -> cancelled (by the citizen)
    booked -> missed (the slot ended)    booked -> booked (rescheduled: a new slot)
"""
from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from queue_server.domain import clock, notices, read_models, tickets
from queue_server.errors import ApiError, conflict, invalid
from queue_server.store.db import Tx

SLOT_S = 1800            # slots are half hours
PER_SLOT = 5             # bookings per service and slot, unless the service says otherwise
DAYS_AHEAD = 30
HOLDING = ("booked", "checked_in")  # what takes a place in a slot
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


@dataclass(frozen=True)
class NoShowRule:
    """Repeated no-shows limit booking: ``limit`` missed within ``days`` days block it for
    ``block_days`` after the last one (0: no limit)."""

    limit: int = 3
    days: int = 30
    block_days: int = 7

    @classmethod
    def of(cls, config) -> NoShowRule:
        return cls(int(config["NOSHOW_LIMIT"]), int(config["NOSHOW_DAYS"]),
                   int(config["NOSHOW_BLOCK_DAYS"]))


def unknown() -> ApiError:
    """One answer for "no such code" and "not your code": codes can't be probed."""
    return ApiError("unknown_appointment", "预约信息不符 (no such appointment for this ID)", 404)


def capacity(conn: sqlite3.Connection, service: str) -> int:
    row = conn.execute("SELECT slot_capacity FROM services WHERE id = ?", (service,)).fetchone()
    return int(row[0]) if row is not None and row[0] is not None else PER_SLOT


def slots(conn: sqlite3.Connection, hall: str, service: str, day: str, now: float) -> list[dict]:
    """Every half-hour slot of ``day`` within the hall's hours: capacity and places free
    (none in a slot already begun or beyond the booking horizon)."""
    h = read_models.hall_row(conn, hall)
    cap = capacity(conn, service)
    lo, hi = clock.day_bounds(day, h["tz"])
    taken = dict(conn.execute(
        "SELECT slot_at, COUNT(*) FROM appointments WHERE hall = ? AND service = ? AND"
        f" slot_at >= ? AND slot_at < ? AND status IN {HOLDING} GROUP BY slot_at",
        (hall, service, lo, hi)).fetchall())
    out = []
    start = lo + h["open_s"]
    # a day with a clock change has not 86400 s; hall hours are read from local midnight
    for at in range(int(start), int(lo + h["close_s"] - SLOT_S) + 1, SLOT_S):
        bookable = now < at <= now + DAYS_AHEAD * 86400
        free = max(cap - taken.get(float(at), taken.get(at, 0)), 0) if bookable else 0
        out.append({"slot_at": clock.iso(at, h["tz"]), "capacity": cap, "free": free})
    return out


def _check_slot(tx: Tx, h: sqlite3.Row, service: str, slot_at: float,
                moving: str | None = None) -> None:
    """A bookable slot of the hall's grid with a free place (``moving``: a booking being
    rescheduled, which does not count against its own new slot)."""
    if not tx.now < slot_at <= tx.now + DAYS_AHEAD * 86400:
        raise invalid("invalid_slot", f"只能预约今后 {DAYS_AHEAD} 天内的时段 (slot must be in the"
                                      f" next {DAYS_AHEAD} days)")
    start = clock.seconds_of_day(slot_at, h["tz"])
    if not h["open_s"] <= start <= h["close_s"] - SLOT_S:
        raise invalid("invalid_slot", "该时段不在办公时间内 (slot outside opening hours)")
    cap = capacity(tx.conn, service)
    if cap <= 0:
        raise invalid("not_bookable", "该业务不接受预约 (this service takes no appointments)")
    taken = tx.one("SELECT COUNT(*) FROM appointments WHERE hall = ? AND service = ?"
                   f" AND slot_at = ? AND status IN {HOLDING} AND code != ?",
                   (h["id"], service, slot_at, moving or ""))[0]
    if taken >= cap:
        raise conflict("slot_full", "该时段已约满 (slot fully booked)")


def _check_once_a_day(tx: Tx, h: sqlite3.Row, service: str, slot_at: float, id_hash: str,
                      moving: str | None = None) -> None:
    lo, hi = clock.day_bounds(clock.day_of(slot_at, h["tz"]), h["tz"])
    if tx.one("SELECT 1 FROM appointments WHERE id_hash = ? AND service = ? AND status ="
              " 'booked' AND slot_at >= ? AND slot_at < ? AND code != ?",
              (id_hash, service, lo, hi, moving or "")):
        raise conflict("already_booked", "当天已预约该业务 (already booked this service that day)")


def _check_no_shows(tx: Tx, id_hash: str, rule: NoShowRule, tz: str) -> None:
    if rule.limit <= 0:
        return
    missed = tx.one("SELECT COUNT(*), MAX(ended_at) FROM appointments WHERE id_hash = ? AND"
                    " status = 'missed' AND slot_at >= ?",
                    (id_hash, tx.now - rule.days * 86400))
    if missed[0] >= rule.limit and tx.now < missed[1] + rule.block_days * 86400:
        until = missed[1] + rule.block_days * 86400
        raise conflict("booking_blocked", f"近 {rule.days} 天内 {missed[0]} 次预约未到，"
                                          f"{rule.block_days} 天内不能预约 (missed {missed[0]}"
                                          f" bookings in {rule.days} days: booking is blocked"
                                          f" until {clock.iso(until, tz)})")


def book(tx: Tx, hall: str, service: str, slot_at: float, id_hash: str,
         rule: NoShowRule = NoShowRule(), phone_enc: str | None = None) -> sqlite3.Row:
    h = read_models.hall_row(tx.conn, hall)
    if tx.one("SELECT 1 FROM services WHERE id = ? AND hall = ? AND active = 1",
              (service, hall)) is None:
        raise invalid("unknown_service", f"本大厅没有该业务 (unknown service {service!r})")
    _check_slot(tx, h, service, slot_at)
    _check_once_a_day(tx, h, service, slot_at, id_hash)
    _check_no_shows(tx, id_hash, rule, h["tz"])
    code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    tx.run("INSERT INTO appointments (code, hall, service, slot_at, id_hash, status, created_at,"
           " phone_enc) VALUES (?, ?, ?, ?, ?, 'booked', ?, ?)",
           (code, hall, service, slot_at, id_hash, tx.now, phone_enc))
    tx.audit(hall, "appointment_book",
             detail={"code": code, "service": service, "slot_at": clock.iso(slot_at, h["tz"])})
    return tx.one("SELECT * FROM appointments WHERE code = ?", (code,))


def own(tx: Tx, code: str, id_hash: str) -> sqlite3.Row:
    """The booking ``code`` if ``id_hash`` is its holder's, else the one 404."""
    appt = tx.one("SELECT * FROM appointments WHERE code = ?", (code.upper(),))
    if appt is None or appt["id_hash"] is None or appt["id_hash"] != id_hash:
        raise unknown()
    return appt


def _still_booked(appt: sqlite3.Row) -> None:
    if appt["status"] != "booked":
        raise conflict("appointment_" + appt["status"],
                       f"该预约已{STATUS_ZH[appt['status']]}，不能再更改 (appointment is"
                       f" {appt['status']})")


STATUS_ZH = {"booked": "预约", "checked_in": "取号", "cancelled": "取消", "missed": "过期"}


def cancel(tx: Tx, code: str, id_hash: str) -> sqlite3.Row:
    appt = own(tx, code, id_hash)
    _still_booked(appt)
    tx.run("UPDATE appointments SET status = 'cancelled', ended_at = ? WHERE code = ?"
           " AND status = 'booked'", (tx.now, appt["code"]))
    tx.audit(appt["hall"], "appointment_cancel", detail={
        "code": appt["code"], "service": appt["service"],
        "slot_at": clock.iso(appt["slot_at"], read_models.tz_of(tx.conn, appt["hall"]))})
    return tx.one("SELECT * FROM appointments WHERE code = ?", (appt["code"],))


def reschedule(tx: Tx, code: str, id_hash: str, slot_at: float) -> sqlite3.Row:
    appt = own(tx, code, id_hash)
    _still_booked(appt)
    h = read_models.hall_row(tx.conn, appt["hall"])
    if slot_at == appt["slot_at"]:
        raise conflict("same_slot", "已预约该时段 (already booked for this slot)")
    _check_slot(tx, h, appt["service"], slot_at, moving=appt["code"])
    _check_once_a_day(tx, h, appt["service"], slot_at, id_hash, moving=appt["code"])
    tx.run("UPDATE appointments SET slot_at = ?, reschedules = reschedules + 1,"
           " reminded_at = NULL WHERE code = ? AND status = 'booked'", (slot_at, appt["code"]))
    tx.audit(appt["hall"], "appointment_reschedule", detail={
        "code": appt["code"], "service": appt["service"],
        "before": {"slot_at": clock.iso(appt["slot_at"], h["tz"])},
        "after": {"slot_at": clock.iso(slot_at, h["tz"])}})
    return tx.one("SELECT * FROM appointments WHERE code = ?", (appt["code"],))


def overdue(conn: sqlite3.Connection, now: float, hall: str | None = None) -> list[str]:
    """Bookings whose slot has ended with nobody checked in."""
    sql = "SELECT code FROM appointments WHERE status = 'booked' AND slot_at <= ?"
    params: tuple = (now - SLOT_S,)
    if hall is not None:
        sql, params = sql + " AND hall = ?", (*params, hall)
    return [r[0] for r in conn.execute(sql + " ORDER BY slot_at, code", params)]


def mark_missed(tx: Tx, codes: list[str]) -> list[str]:
    """Mark those bookings ``missed`` (guarded: each once), audited, with its notice."""
    done = []
    for code in codes:
        cur = tx.run("UPDATE appointments SET status = 'missed', ended_at = ? WHERE code = ?"
                     " AND status = 'booked' AND slot_at <= ?", (tx.now, code, tx.now - SLOT_S))
        if cur.rowcount != 1:
            continue
        appt = tx.one("SELECT * FROM appointments WHERE code = ?", (code,))
        tx.audit(appt["hall"], "appointment_missed", detail={
            "code": code, "service": appt["service"],
            "slot_at": clock.iso(appt["slot_at"], read_models.tz_of(tx.conn, appt["hall"]))})
        notices.appointment_event(tx, "appointment.missed", appt)
        done.append(code)
    return done


def check_in(tx: Tx, hall: str, code: str, service: str | None, id_hash: str | None,
             channel: str, token: str | None = None) -> tuple[sqlite3.Row, str]:
    """Turn a booking into a priority-2 ticket due at its slot. Without ``service`` the
    booking's own service is used; a given one must be the booked one."""
    appt = tx.one("SELECT * FROM appointments WHERE code = ? AND hall = ?", (code.upper(), hall))
    if appt is None or id_hash is None or appt["id_hash"] is None or appt["id_hash"] != id_hash:
        # One answer for "no such code" and "not your code": codes can't be probed.
        raise invalid("unknown_appointment", "预约信息不符 (no such appointment for this ID)")
    if service is not None and appt["service"] != service:
        raise invalid("appointment_mismatch", "预约的业务与所选业务不同 (booked for another"
                                              " service)")
    if appt["status"] == "checked_in":
        raise conflict("appointment_used", "该预约已取号 (appointment already checked in)")
    _still_booked(appt)
    if not appt["slot_at"] - EARLY_S <= tx.now <= appt["slot_at"] + LATE_S:
        raise conflict("appointment_not_now", "请在预约时段前 1 小时至后 15 分钟内取号 (check in"
                                              " from 1 h before to 15 min after the slot)")
    row, token = tickets.issue(tx, hall, appt["service"], channel, 2, id_hash, None,
                               due_at=appt["slot_at"], appointment=appt["code"], token=token)
    tx.run("UPDATE appointments SET status = 'checked_in', ticket = ? WHERE code = ?"
           " AND status = 'booked'", (row["id"], appt["code"]))
    if appt["phone_enc"]:  # the booking's phone hears the ticket's notices
        tx.run("UPDATE tickets SET phone_enc = ? WHERE id = ?", (appt["phone_enc"], row["id"]))
    return row, token


def view(row: sqlite3.Row, tz: str) -> dict:
    """The contract's appointment (never the ID hash or the phone)."""
    return {"code": row["code"], "hall": row["hall"], "service": row["service"],
            "slot_at": clock.iso(row["slot_at"], tz), "status": row["status"]}
