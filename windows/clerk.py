"""The clerk terminal at a window: sign in, pick a window, work."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("clerk", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/windows")


@bp.get("/clerk")
def clerk():
    """Sign in, pick a window, work: everything after this is the JSON API and live events."""
    return render_template("clerk.html")
