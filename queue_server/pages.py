"""Pages served with the queue server (kiosk, citizen's ticket page) and the vendored browser
packages: pinned from npm at set-up, served from here, never from a CDN."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/hallq")

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"

# Only these files of node_modules are reachable, by a short stable name.
VENDOR = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "socket.io.min.js.map": "socket.io-client/dist/socket.io.min.js.map",
    "echarts.min.js": "echarts/dist/echarts.min.js",
}


@bp.get("/vendor/<name>")
def vendor(name: str):
    rel = VENDOR.get(name)
    if rel is None or not (NODE_MODULES / rel).is_file():
        abort(404)
    path = NODE_MODULES / rel
    return send_from_directory(path.parent, path.name, max_age=86400)
