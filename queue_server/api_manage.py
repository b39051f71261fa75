"""Manager endpoints: statistics, CSV/XLSX, audit, and hall administration."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_manage", __name__, url_prefix="/api/v1")
