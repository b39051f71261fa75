"""The guide desk (导办台): a 特呼号 for a citizen the guide has already checked, called before
every other waiting ticket by the first window that can serve it; a daily quota per hall."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from queue_server import auth
from queue_server.api import bodies
from queue_server.api.citizen import hall_or_404
from queue_server.api.fields import accepts
from queue_server.domain import clock, planner, read_models, tickets
from queue_server.errors import conflict, forbidden, unauthorized
from queue_server.registry import db
from queue_server.store.db import Tx

bp = Blueprint("api_guide", __name__, url_prefix="/api/v1")


def guide_or_manager(hall: str) -> dict:
    user = auth.current_user()
    if user is None:
        raise unauthorized()
    if user["role"] != "guide" and not auth.has_role(user, "manager"):
        raise forbidden("需要导办台或管理员权限 (guide desk or managers only)")
    auth.check_scope(user, hall)
    return user


@bp.post("/halls/<hall>/special-tickets")
@accepts(bodies.Special)
def special_ticket(hall: str, body: bodies.Special):
    """Issue a 特呼号: the next able window calls it before everyone else."""
    hall_row = hall_or_404(hall)
    user = guide_or_manager(hall)
    quota = current_app.config["SPECIAL_PER_DAY"]

    def _issue(tx: Tx):
        day = clock.day_of(tx.now, hall_row["tz"])
        used = tx.one("SELECT COUNT(*) n FROM tickets WHERE hall = ? AND day = ? AND"
                      " priority = ?", (hall, day, tickets.SPECIAL))["n"]
        if used >= quota:
            raise conflict("quota_reached", f"今日特呼号已达上限 {quota} 个 (today's {quota}"
                                            " special tickets are used)")
        return tickets.issue(tx, hall, body.service, "guide", tickets.SPECIAL,
                             reason=body.reason)

    row, token = db().write(user["username"], _issue)
    preds = planner.predict_one(db().conn(), hall, row["id"])
    return jsonify({"ticket": read_models.ticket(db().conn(), row, preds), "token": token}), 201
