"""The skills matrix (which window takes which service, with what weight) and the advice
learned from the hall's history that changes it; managers only, every change audited."""
from __future__ import annotations

from flask import Blueprint

from queue_server import auth
from queue_server.api.citizen import hall_or_404
from queue_server.api.clerk import may_act, window_reply
from queue_server.api.fields import body, weights
from queue_server.api.manager import int_arg, manager
from queue_server.domain import read_models
from queue_server.domain import window_state as win
from queue_server.errors import bad_request, not_found
from queue_server.live import offload
from queue_server.manager import skills_advice
from queue_server.registry import db
from queue_server.store.db import Tx

bp = Blueprint("api_skills", __name__, url_prefix="/api/v1")


@bp.put("/windows/<window_id>/skills")
@auth.require("manager")
def put_skills(window_id: str):
    data = body({"skills"}, required={"skills"})
    skills = weights(data["skills"])
    user = auth.current_user()

    def _set(tx: Tx):
        w = win.get(tx, window_id)
        may_act(user, w)
        win.set_skills(tx, w, skills)

    db().write(user["username"], _set)
    return window_reply(window_id)


@bp.put("/halls/<hall>/skills")
@auth.require("manager")
def put_hall_skills(hall: str):
    """Several windows' skills in one transaction (bulk edits: a whole column, a copy);
    each window changed is audited like ``PUT /windows/<id>/skills``."""
    hall_or_404(hall)
    data = body({"windows"}, required={"windows"})
    if not isinstance(data["windows"], dict) or not data["windows"]:
        raise bad_request("wrong_type", "windows 须为 {窗口: {业务: 权重}} (windows must be an"
                                        " object of skills)")
    wanted = {str(wid): weights(s) for wid, s in data["windows"].items()}

    def _apply(tx):
        for wid, skills in sorted(wanted.items()):
            w = win.get(tx, wid)
            if w["hall"] != hall:
                raise not_found("window")
            if skills != read_models.skills(tx.conn, wid):
                win.set_skills(tx, w, skills)

    db().write(manager()["username"], _apply)
    return {"windows": read_models.windows(db().conn(), hall)}


@bp.get("/halls/<hall>/advice")
@auth.require("manager")
def hall_advice(hall: str):

    hall_or_404(hall)
    conn = db().conn()
    n = conn.execute("SELECT COUNT(*) FROM windows WHERE hall = ?", (hall,)).fetchone()[0]
    k = int_arg("max_changes", max(1, -(-n // 3)), 1, 50)
    days = int_arg("days", 7, 1, 366)

    def compute() -> dict:
        with db().read() as conn:
            return skills_advice.compute(conn, hall, k, days)
    return offload.run(compute)


@bp.post("/halls/<hall>/advice/apply")
@auth.require("manager")
def apply_advice(hall: str):

    hall_or_404(hall)
    data = body({"changes"}, required={"changes"})
    changed = db().write(manager()["username"],
                         lambda tx: skills_advice.apply(tx, hall, data["changes"]))
    return {"changed": changed, "windows": read_models.windows(db().conn(), hall)}
