"""The pairing page ``/pair/<hall>``: a kiosk, screen or pad shows its pairing code until a
manager approves it in the console, then keeps its device token and opens its own page."""
from __future__ import annotations

from flask import Blueprint, render_template

from queue_server.api.citizen import hall_or_404

bp = Blueprint("pair", __name__, template_folder="templates")


@bp.get("/pair/<hall>")
def pair_page(hall: str):
    """``?name=`` is the name the device proposes (the manager may change it)."""
    row = hall_or_404(hall)
    return render_template("pair.html", hall=hall, hall_name=row["name"],
                           hall_name_en=row["name_en"] or "")
