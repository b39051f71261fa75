"""The manager console pages at /manage/<hall>."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("manage", __name__, template_folder="templates")
