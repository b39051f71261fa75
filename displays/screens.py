"""The hall screen and the small screen above each window, with their voice announcements."""
from __future__ import annotations

from pathlib import PurePath

from flask import Blueprint, abort, current_app, jsonify, render_template, request, send_file

from displays import voice
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


@bp.get("/display/<hall>/voice/<lang>/clips.json")
def voice_clips(hall: str, lang: str):
    """The recorded clips present for a language: ``{"lang", "clips": {name: file}}``, what
    the screen joins a call from when the browser has no voice for it."""
    hall_or_404(hall)
    if lang not in voice.LANGS:
        abort(404)
    return jsonify({"lang": lang, "clips": voice.manifest(current_app.config, hall, lang)})


@bp.get("/display/<hall>/voice/<lang>/<file>")
def voice_clip(hall: str, lang: str, file: str):
    """One clip (the hall's recording when it has one, else the built one)."""
    hall_or_404(hall)
    name = PurePath(file)
    path = voice.find(current_app.config, hall, lang, name.stem)
    if path is None or path.suffix != name.suffix:
        abort(404)
    # The manifest's URLs carry the file's version: those may be kept; a bare URL is checked.
    max_age = 86400 if request.args.get("v") else 0
    return send_file(path, mimetype=voice.TYPES[path.suffix], max_age=max_age, conditional=True)
