"""Appointments on the phone: booking one, ``/m/<hall>/book`` (services, a day, its free
half-hour slots, the ID number), and the booking's own page, ``/a/<code>`` (its service and
time; reschedule, cancel, and check in when in the hall). JS ``booking.js``; everything after
the page is the JSON API (``api/bookings.py``)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from displays.mobile import hall_or_404
from queue_server.registry import db

bp = Blueprint("booking", __name__, template_folder="templates")


@bp.get("/m/<hall>/book")
def book(hall: str):
    row = hall_or_404(hall)
    return render_template("booking.html", mode="book", hall=hall, code="", tz=row["tz"],
                           hall_name=row["name"], hall_name_en=row["name_en"] or "")


@bp.get("/a/<code>")
def appointment(code: str):
    # the page holds nothing of the booking; it reads it through the API with its code
    if len(code) > 16:
        abort(404)
    found = db().one("SELECT hall FROM appointments WHERE code = ?", (code.upper(),))
    if found is None:
        abort(404)
    row = hall_or_404(found["hall"])
    return render_template("booking.html", mode="show", hall=row["id"], code=code.upper(),
                           tz=row["tz"], hall_name=row["name"], hall_name_en=row["name_en"] or "")
