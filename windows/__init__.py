"""The clerk terminal: a blueprint, templates, static JS."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("windows", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/windows")
