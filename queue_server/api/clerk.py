"""The window's actions (clerks) and the hall's window list."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint

from queue_server import auth, registry
from queue_server.api import bodies
from queue_server.api.fields import Empty, accepts
from queue_server.domain import (
    calling,
    clock,
    forecast_cache,
    holds,
    outcomes,
    planner,
    read_models,
    tickets,
)
from queue_server.domain import window_state as win
from queue_server.errors import forbidden, not_found, unauthorized
from queue_server.registry import db
from queue_server.store.db import Tx, loads

bp = Blueprint("api_clerk", __name__, url_prefix="/api/v1")



def acting_user() -> dict:
    user = auth.current_user()
    if user is None:
        raise unauthorized()
    if not auth.has_role(user, "clerk"):
        raise forbidden()
    return user


def may_act(user: dict, w: sqlite3.Row) -> None:
    """Staff act only on their own hall's windows; while a clerk is signed into a window, only
    that clerk or a manager acts on it."""
    auth.check_scope(user, w["hall"])
    if auth.has_role(user, "manager"):
        return
    if w["clerk"] and w["clerk"] != user["username"]:
        row = db().one("SELECT display_name FROM users WHERE username = ?", (w["clerk"],))
        who = (row and row["display_name"]) or w["clerk"]
        raise forbidden(f"该窗口已由 {who} 登录 ({who} is signed into this window)")


@dataclass(frozen=True)
class Actor:
    """Who acts on a window: signed-in staff, or a calling pad bound to it (``api/pad.py``)."""

    name: str  # the audit's actor
    user: dict  # what the action is given: username, role (a pad has the role "device")
    check: Callable[[sqlite3.Row], None]  # refuses a window this actor may not act on


def staff() -> Actor:
    user = acting_user()
    return Actor(user["username"], user, lambda w: may_act(user, w))


def window_action(window_id: str, fn, actor: Actor | None = None):
    """Run ``fn(tx, window_row, user)`` as one transaction after the permission checks."""
    actor = actor or staff()

    def _tx(tx: Tx):
        w = win.get(tx, window_id)
        actor.check(w)
        return fn(tx, w, actor.user)

    return db().write(actor.name, _tx)


def ticket_reply(row: sqlite3.Row) -> dict:
    preds = (planner.predictions(db().conn(), row["hall"], source=forecast_cache.of(db()))
             if row["status"] == "waiting" else None)
    return {"ticket": read_models.ticket(db().conn(), row, preds)}


def window_reply(window_id: str) -> dict:
    return {"window": read_models.window_by_id(db().conn(), window_id)}


@bp.post("/windows/<window_id>/open")
@accepts(Empty)
def open_window(window_id: str, body: Empty):
    """Open the window; a clerk opening it signs into it."""
    return open_reply(window_id)


def open_reply(window_id: str, actor: Actor | None = None) -> dict:
    def _open(tx, w, user):
        # A manager (or a pad) opening a window on someone's behalf does not sign into it.
        staff_member = user["role"] in auth.ROLES and not auth.has_role(user, "manager")
        return win.open_(tx, w, user["username"] if staff_member else None)

    window_action(window_id, _open, actor)
    return window_reply(window_id)


@bp.post("/windows/<window_id>/pause")
@accepts(bodies.Reason)
def pause_window(window_id: str, body: bodies.Reason):
    return pause_reply(window_id, body.reason)


def pause_reply(window_id: str, reason: str | None, actor: Actor | None = None) -> dict:
    window_action(window_id, lambda tx, w, u: win.pause(tx, w, reason), actor)
    return window_reply(window_id)


@bp.post("/windows/<window_id>/close")
@accepts(Empty)
def close_window(window_id: str, body: Empty):
    window_action(window_id, lambda tx, w, u: win.close(tx, w))
    return window_reply(window_id)


@bp.post("/windows/<window_id>/call-next")
@accepts(Empty)
def call_next(window_id: str, body: Empty):
    return call_next_reply(window_id)


def call_next_reply(window_id: str, actor: Actor | None = None) -> dict:
    """Call-next for a clerk or a pad: the hall's day and due holds first, then the call."""
    actor = actor or staff()
    w = db().one("SELECT id, hall, clerk FROM windows WHERE id = ?", (window_id,))
    if w is not None:
        actor.check(w)  # a refused call must not run the hall's end-of-day clean-up
        registry.services().rollover.ensure(w["hall"])
        returner = registry.services().hold_return
        if returner is not None:  # a due hold goes back in line before anyone is called
            returner.tick(w["hall"])
    cache = forecast_cache.of(db())
    row, why = window_action(window_id, lambda tx, w, u: calling.call_next(tx, w, cache), actor)
    if row is None:
        return {"ticket": None}
    return {**ticket_reply(row), "why": why.get("zh", ""), "why_en": why.get("en", "")}


def _ticket_action(action: str, step, doc: str) -> None:
    """``POST /windows/<id>/<action>``: one lifecycle step of the window's current ticket."""
    def view(window_id: str, body: Empty):
        return step_reply(window_id, step)

    view.__doc__ = doc
    bp.add_url_rule(f"/windows/<window_id>/{action}", action.replace("-", "_"),
                    accepts(Empty)(view), methods=["POST"])


def step_reply(window_id: str, step, actor: Actor | None = None) -> dict:
    """One lifecycle step ``step(tx, window)`` of the window's current ticket."""
    return ticket_reply(window_action(window_id, lambda tx, w, u: step(tx, w), actor))


_ticket_action("recall", tickets.recall, "Call the current ticket again (a recall).")
_ticket_action("start", tickets.start, "The citizen arrived: start serving the ticket.")


@bp.post("/windows/<window_id>/finish")
@accepts(bodies.Finish)
def finish(window_id: str, body: bodies.Finish):
    """Finish the ticket, with one of the hall's outcomes (then the citizen may rate it)."""
    return finish_reply(window_id, body.outcome)


def finish_reply(window_id: str, outcome: str | None, actor: Actor | None = None) -> dict:
    def _finish(tx, w, user):
        return tickets.finish(tx, w, outcomes.check(tx.conn, w["hall"], outcome))

    return ticket_reply(window_action(window_id, _finish, actor))


_ticket_action("no-show", tickets.no_show, "The called citizen did not come (过号).")


@bp.post("/windows/<window_id>/call")
@accepts(bodies.CallNumber)
def call_number(window_id: str, body: bodies.CallNumber):
    """指呼: call a waiting ticket by its number (a citizen back with the missing paper)."""
    return ticket_reply(window_action(
        window_id, lambda tx, w, u: calling.call_number(tx, w, body.number)))


@bp.post("/windows/<window_id>/hold")
@accepts(bodies.Hold)
def hold(window_id: str, body: bodies.Hold):
    """Hold the serving ticket: keep 持件 (the default), release 不持件 or wait 等待挂起."""
    return ticket_reply(window_action(
        window_id, lambda tx, w, u: holds.hold(tx, w, body.kind, body.reason)))


def _held_action(window_id: str, ticket_id: int, step) -> dict:
    def _act(tx, w, user):
        return step(tx, w, ticket_id, user["username"], auth.has_role(user, "manager"))

    return ticket_reply(window_action(window_id, _act))


@bp.post("/windows/<window_id>/resume")
@accepts(bodies.Resume)
def resume(window_id: str, body: bodies.Resume):
    """Take a held ticket back as this window's current one (the kind's rules decide who may)."""
    return _held_action(window_id, body.ticket, holds.resume)


@bp.post("/windows/<window_id>/unhold")
@accepts(bodies.Unhold)
def unhold(window_id: str, body: bodies.Unhold):
    """Put a held ticket back in line, in its original place."""
    return _held_action(window_id, body.ticket, holds.unhold)


@bp.post("/windows/<window_id>/transfer")
@accepts(bodies.Transfer)
def transfer(window_id: str, body: bodies.Transfer):
    service = body.service
    return ticket_reply(window_action(window_id,
                                      lambda tx, w, u: tickets.transfer(tx, w, service)))


@bp.put("/windows/<window_id>/auto")
@accepts(bodies.Auto)
def set_auto(window_id: str, body: bodies.Auto):
    window_action(window_id, lambda tx, w, u: win.set_auto(tx, w, body.auto))
    if body.auto:
        registry.services().autocall.ensure_started()
    return window_reply(window_id)


@bp.get("/windows/<window_id>")
def window_detail(window_id: str):
    """The clerk terminal's view: the window, its current ticket's materials, waiting per skill,
    the held tickets it may act on and the hall's outcomes."""
    user = acting_user()
    conn = db().conn()
    w = read_models.window_by_id(conn, window_id)
    if w is None:
        raise not_found("window")
    auth.check_scope(user, w["hall"])
    waiting = read_models.waiting_counts(conn, w["hall"])
    if w["current"]:
        svc = conn.execute("SELECT materials, materials_en, service_limit_s FROM services"
                           " WHERE id = ?", (w["current"]["service"],)).fetchone()
        w["current"]["materials"] = loads(svc["materials"], []) if svc else []
        w["current"]["materials_en"] = loads(svc["materials_en"], []) if svc else []
        # 办理超时: the norm the terminal's service timer runs against (null: none)
        w["current"]["service_limit_s"] = (svc["service_limit_s"] or None) if svc else None
    warn = conn.execute("SELECT overtime_warn_pct FROM halls WHERE id = ?",
                        (w["hall"],)).fetchone()
    w["overtime_warn_pct"] = warn["overtime_warn_pct"] if warn else 80
    row = conn.execute("SELECT * FROM windows WHERE id = ?", (window_id,)).fetchone()
    held = holds.window_held(conn, row, user["username"], auth.has_role(user, "manager"),
                             clock.now())
    return {"window": w, "waiting": {s: waiting.get(s, 0) for s in w["skills"]}, "held": held,
            "outcomes": outcomes.of_hall(conn, w["hall"])}


@bp.get("/halls/<hall>/windows")
def hall_windows(hall: str):
    user = acting_user()
    if read_models.hall_row(db().conn(), hall) is None:
        raise not_found("hall")
    auth.check_scope(user, hall)
    return {"windows": read_models.windows(db().conn(), hall)}
