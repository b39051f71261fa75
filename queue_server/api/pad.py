"""The calling pad (窗口呼叫器): a hardware pad bound to one window by its device token.

Its window comes from its pairing, never from the request, so a pad acts only on its own
window; the actions are the clerk's own (``api/clerk.py``), run with the pad as the actor
(``device:<id>`` in the audit). A clerk signed into the window does not lock the pad out: the
pad sits on that clerk's desk.
"""
from __future__ import annotations

import sqlite3

from flask import Blueprint

from queue_server import devices
from queue_server.api import bodies, clerk
from queue_server.api.fields import Empty, accepts
from queue_server.domain import read_models, tickets
from queue_server.errors import forbidden, unauthorized
from queue_server.registry import db

bp = Blueprint("api_pad", __name__, url_prefix="/api/v1/pad")


def _pad() -> tuple[str, clerk.Actor]:
    """The pad's window and the pad as the actor on it (only a pad's token gets here: the
    device guard keeps other kinds out; staff get 403)."""
    device = devices.current()
    if device is None:
        raise unauthorized("需要呼叫器的设备令牌 (a calling pad's device token is required)")
    if device["kind"] != "pad" or not device["window_id"]:
        raise forbidden("设备无权执行此操作 (this device may not do that)")
    window = device["window_id"]

    def check(w: sqlite3.Row) -> None:
        if w["id"] != window:  # a pad's window is fixed at pairing
            raise forbidden("呼叫器只能操作其绑定的窗口 (a pad acts only on its own window)")

    user = {"username": f"device:{device['id']}", "role": "device", "hall": device["hall"],
            "display_name": device["name"]}
    return window, clerk.Actor(user["username"], user, check)


@bp.get("")
def state():
    """The pad's window: status, current ticket, and how many wait for its skills."""
    window, _actor = _pad()
    conn = db().conn()
    w = read_models.window_by_id(conn, window)
    waiting = read_models.waiting_counts(conn, w["hall"])
    return {"window": w, "waiting": sum(waiting.get(s, 0) for s in w["skills"])}


@bp.post("/open", endpoint="open")
@accepts(Empty)
def open_window(body: Empty):
    """Open (or resume) the pad's window; a clerk signed in stays signed in."""
    return clerk.open_reply(*_pad())


@bp.post("/pause")
@accepts(bodies.Reason)
def pause(body: bodies.Reason):
    """Pause the pad's window."""
    window, actor = _pad()
    return clerk.pause_reply(window, body.reason, actor)


@bp.post("/call-next")
@accepts(Empty)
def call_next(body: Empty):
    """Call the next ticket at the pad's window (the dispatcher chooses)."""
    return clerk.call_next_reply(*_pad())


@bp.post("/recall")
@accepts(Empty)
def recall(body: Empty):
    """Call the current ticket again."""
    window, actor = _pad()
    return clerk.step_reply(window, tickets.recall, actor)


@bp.post("/finish")
@accepts(bodies.Finish)
def finish(body: bodies.Finish):
    """Finish the current ticket (an outcome code optional, as at the clerk terminal)."""
    window, actor = _pad()
    return clerk.finish_reply(window, body.outcome, actor)


@bp.post("/no-show")
@accepts(Empty)
def no_show(body: Empty):
    """The called citizen did not come (过号)."""
    window, actor = _pad()
    return clerk.step_reply(window, tickets.no_show, actor)
