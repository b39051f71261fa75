"""The hall floor's lists: outcomes (办理结果) chosen at finish, the held tickets (挂起) and the
hall's hold timers. Reading outcomes needs no login (the clerk terminal and any pad show them);
the held list is for staff; changing either setting is a manager's, audited."""
from __future__ import annotations

from flask import Blueprint

from queue_server import auth
from queue_server.api import bodies
from queue_server.api.citizen import hall_or_404
from queue_server.api.fields import accepts
from queue_server.domain import clock, holds, outcomes
from queue_server.registry import db

bp = Blueprint("api_floor", __name__, url_prefix="/api/v1")


@bp.get("/halls/<hall>/outcomes")
def hall_outcomes(hall: str):
    """The hall's outcomes, in the order the clerk terminal offers them (keys 1…9)."""
    hall_or_404(hall)
    return {"outcomes": outcomes.of_hall(db().conn(), hall)}


@bp.put("/halls/<hall>/outcomes")
@auth.require("manager")
@accepts(bodies.Outcomes)
def put_outcomes(hall: str, body: bodies.Outcomes):
    """Replace the hall's outcomes (1 to 9, unique codes)."""
    hall_or_404(hall)
    user = auth.current_user()
    return {"outcomes": db().write(user["username"],
                                   lambda tx: outcomes.set_hall(tx, hall, body.outcomes))}


@bp.get("/halls/<hall>/holds")
@auth.require("clerk")
def hall_holds(hall: str):
    """Every held ticket of the hall (kind, window, clerk, since, automatic return) and the
    hall's hold timers."""
    hall_or_404(hall)
    with db().read() as conn:
        return {"held": holds.hall_held(conn, hall, clock.now()),
                "return_after_s": holds.return_settings(conn, hall)}


@bp.put("/halls/<hall>/hold-return")
@auth.require("manager")
@accepts(bodies.HoldReturn)
def put_hold_return(hall: str, body: bodies.HoldReturn):
    """Seconds after which a held ticket of each kind returns to the queue (null: never)."""
    hall_or_404(hall)
    sent = {k: getattr(body, k) for k in body.model_fields_set}
    user = auth.current_user()
    return {"return_after_s": db().write(
        user["username"], lambda tx: holds.set_return_settings(tx, hall, sent))}
