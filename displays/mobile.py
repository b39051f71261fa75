"""Taking a ticket on the phone: ``/m/<hall>`` (the QR code on the hall's entrance poster, or a
link from its WeChat account) and the printable poster ``/m/<hall>/poster`` holding that QR."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from displays import phone
from queue_server.domain import read_models
from queue_server.registry import db

bp = Blueprint("mobile", __name__, template_folder="templates")


def hall_or_404(hall: str):
    """The hall's row, or the page's 404."""
    row = read_models.hall_row(db().conn(), hall)
    if row is None:
        abort(404)
    return row


@bp.get("/m/<hall>")
def take(hall: str):
    """Services, waits and materials, then a ticket with ``channel: "mobile"``."""
    row = hall_or_404(hall)
    return render_template("mobile.html", hall=hall, hall_name=row["name"],
                           hall_name_en=row["name_en"] or "",
                           mobile_on=bool(current_app.config["MOBILE_TICKETS"]))


def mobile_url(hall: str, lang: str | None = None) -> str:
    """The address the poster's QR code holds (HALLQ_PUBLIC_URL when phones use another)."""
    base = (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
    return f"{base}/m/{hall}" + ("?lang=en" if lang == "en" else "")


@bp.get("/m/<hall>/poster")
def poster(hall: str):
    """An A4 poster for the entrance: scan to take a ticket (print it from the browser)."""
    row = hall_or_404(hall)
    url = mobile_url(hall, request.args.get("lang"))
    return render_template("mobile_poster.html", hall_name=row["name"],
                           hall_name_en=row["name_en"] or "", url=url, qr_svg=phone.qr_svg(url))
