"""The hall screen and the small screen above each window, with their voice announcements."""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from queue_server import registry
from queue_server.api.citizen import hall_or_404
from queue_server.domain import read_models

bp = Blueprint("displays", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/displays")


@bp.get("/display/<hall>")
def hall_screen(hall: str):
    """The 1920×1080 hall screen; ``?zone=`` limits it to one zone's windows."""
    row = hall_or_404(hall)
    return render_template("display_hall.html", hall=hall, hall_name=row["name"],
                           hall_name_en=row["name_en"] or "", hall_tz=row["tz"] or "Asia/Shanghai")


@bp.get("/display/<hall>/window/<window>")
def window_screen(hall: str, window: str):
    """The small screen above one window."""
    hall_or_404(hall)
    w = read_models.window_by_id(registry.db().conn(), window)
    if w is None or w["hall"] != hall:
        abort(404)
    return render_template("display_window.html", hall=hall, window=window)
