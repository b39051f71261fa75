"""Appointment endpoints for citizens (no login): free slots, booking, the booking's own view,
cancel, reschedule, and check-in by phone in the hall.

A wrong ID number and an unknown code get the same 404 (``unknown_appointment``), so codes
cannot be probed; every refusal changes nothing.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from queue_server import registry
from queue_server.api import bodies, ratelimit
from queue_server.api.citizen import client_address, hall_or_404
from queue_server.api.fields import accepts, keyed_hash, query
from queue_server.domain import appointments, clock, forecast_cache, planner, read_models
from queue_server.errors import invalid
from queue_server.live import bookings, channels
from queue_server.manager import stats
from queue_server.registry import db
from queue_server.store.db import Tx

bp = Blueprint("api_bookings", __name__, url_prefix="/api/v1")


def _service(hall: str, service: str) -> None:
    if db().one("SELECT 1 FROM services WHERE id = ? AND hall = ? AND active = 1",
                (service, hall)) is None:
        raise invalid("unknown_service", f"本大厅没有该业务 (unknown service {service!r})")


@bp.get("/halls/<hall>/slots")
@query(bodies.SlotsQuery)
def slots(hall: str, args: bodies.SlotsQuery):
    """Half-hour slots of a day for one service: capacity and places free."""
    row = hall_or_404(hall)
    _service(hall, args.service)
    day = stats.parse_day(args.date, "date") or clock.day_of(clock.now(), row["tz"])
    return {"service": args.service, "date": day,
            "slots": appointments.slots(db().conn(), hall, args.service, day, clock.now())}


@bp.post("/halls/<hall>/appointments")
@accepts(bodies.Book)
def book(hall: str, body: bodies.Book):
    """Book an appointment slot (预约); check in later with its code and the same ID number."""
    hall_row = hall_or_404(hall)
    slot_at = appointments.parse_slot(body.slot_at, hall_row["tz"])
    registry.services().address_limiter.hit(client_address())
    rule = appointments.NoShowRule.of(current_app.config)
    id_hash, phone_enc = keyed_hash(body.id_number), channels.phone_sealed(current_app.config,
                                                                           body.phone)
    bookings.settle(db(), hall)  # a missed booking counts before the next is refused or not
    row = db().write("citizen", lambda tx: appointments.book(
        tx, hall, body.service, slot_at, id_hash, rule, phone_enc))
    return jsonify({"appointment": view(row)}), 201


def view(row) -> dict:
    """The contract's appointment, with what the booking page shows."""
    tz = read_models.tz_of(db().conn(), row["hall"])
    svc = db().one("SELECT name, name_en FROM services WHERE id = ?", (row["service"],))
    return {**appointments.view(row, tz), "service_name": svc["name"] if svc else row["service"],
            "service_name_en": (svc["name_en"] or "") if svc else "",
            "check_in_from": clock.iso(row["slot_at"] - appointments.EARLY_S, tz),
            "check_in_until": clock.iso(row["slot_at"] + appointments.LATE_S, tz)}


def _code_ok(code: str) -> str:
    if len(code) > 16:
        raise appointments.unknown()
    return code.upper()


@bp.get("/appointments/<code>")
def show(code: str):
    """A booking by its code (no personal data in it): what the booking page shows."""
    code = _code_ok(code)
    row = db().one("SELECT * FROM appointments WHERE code = ?", (code,))
    if row is None:
        raise appointments.unknown()
    if row["status"] == "booked" and bookings.settle(db(), row["hall"]):
        row = db().one("SELECT * FROM appointments WHERE code = ?", (code,))
    return {"appointment": view(row)}


@bp.post("/appointments/<code>/cancel")
@accepts(bodies.AppointmentOwner)
def cancel(code: str, body: bodies.AppointmentOwner):
    code, id_hash = _code_ok(code), keyed_hash(body.id_number)
    row = db().write("citizen", lambda tx: appointments.cancel(tx, code, id_hash))
    return {"appointment": view(row)}


@bp.post("/appointments/<code>/reschedule")
@accepts(bodies.Reschedule)
def reschedule(code: str, body: bodies.Reschedule):
    code, id_hash = _code_ok(code), keyed_hash(body.id_number)
    row = db().one("SELECT hall FROM appointments WHERE code = ?", (code,))
    tz = read_models.tz_of(db().conn(), row["hall"]) if row else "Asia/Shanghai"
    slot_at = appointments.parse_slot(body.slot_at, tz)
    after = db().write("citizen", lambda tx: appointments.reschedule(tx, code, id_hash, slot_at))
    return {"appointment": view(after)}


@bp.post("/appointments/<code>/check-in")
@accepts(bodies.AppointmentOwner)
def check_in(code: str, body: bodies.AppointmentOwner):
    """Check in by phone in the hall: the booking becomes a priority ticket, as at the kiosk."""
    code, id_hash = _code_ok(code), keyed_hash(body.id_number)
    found = db().one("SELECT hall FROM appointments WHERE code = ?", (code,))
    if found is None:
        raise appointments.unknown()
    hall = found["hall"]
    hall_row = hall_or_404(hall)
    registry.services().address_limiter.hit(client_address())
    registry.services().rollover.ensure(hall)
    limit = current_app.config["RATE_ID_PER_DAY"]

    def _check_in(tx: Tx):
        appointments.own(tx, code, id_hash)  # the one 404 before anything else
        ratelimit.check_id_per_day(tx, id_hash, clock.day_of(tx.now, hall_row["tz"]), limit)
        return appointments.check_in(tx, hall, code, None, id_hash, "mobile")

    row, token = db().write("citizen", _check_in)
    preds = planner.predict_one(db().conn(), hall, row["id"], source=forecast_cache.of(db()))
    return jsonify({"ticket": read_models.ticket(db().conn(), row, preds), "token": token}), 201
