"""Hall screens and window screens: a blueprint, templates, static JS, voice announcements."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("displays", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/displays")
