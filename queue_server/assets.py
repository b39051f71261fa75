"""The front-end kit every page shares, served by the server itself (intranet: no CDN).

``/static/hallq/*`` holds the base stylesheet and the small libraries (api, live, i18n);
``/vendor/*`` serves a short list of files of the npm packages pinned at set-up.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

bp = Blueprint("assets", __name__, template_folder="templates", static_folder="static/hallq",
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
