"""The skills matrix (which window takes which service, with what weight) and the advice
learned from the hall's history that changes it; managers only, every change audited."""
from __future__ import annotations

from flask import Blueprint

from queue_server import auth
from queue_server.api import bodies
from queue_server.api.citizen import hall_or_404
from queue_server.api.clerk import may_act, window_reply
from queue_server.api.fields import Empty, accepts, query, weights
from queue_server.api.manager import manager
from queue_server.domain import read_models
from queue_server.domain import window_state as win
from queue_server.errors import not_found
from queue_server.live import offload
from queue_server.manager import dispatch_profile, skills_advice, staffing
from queue_server.manager.stats import parse_day
from queue_server.registry import db
from queue_server.store.db import Tx

bp = Blueprint("api_skills", __name__, url_prefix="/api/v1")


@bp.put("/windows/<window_id>/skills")
@auth.require("manager")
@accepts(bodies.WindowSkills)
def put_skills(window_id: str, body: bodies.WindowSkills):
    """Set one window's skills: service -> weight in (0, 1]."""
    skills = body.skills
    user = auth.current_user()

    def _set(tx: Tx):
        w = win.get(tx, window_id)
        may_act(user, w)
        win.set_skills(tx, w, skills)

    db().write(user["username"], _set)
    return window_reply(window_id)


@bp.put("/halls/<hall>/skills")
@auth.require("manager")
@accepts(bodies.HallSkills)
def put_hall_skills(hall: str, body: bodies.HallSkills):
    """Several windows' skills in one transaction (bulk edits: a whole column, a copy);
    each window changed is audited like ``PUT /windows/<id>/skills``."""
    hall_or_404(hall)
    wanted = {str(wid): weights(s) for wid, s in body.windows.items()}

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
@query(bodies.AdviceQuery)
def hall_advice(hall: str, args: bodies.AdviceQuery):
    """Skills advice from the hall's recent days (computed off the event loop)."""
    hall_or_404(hall)
    conn = db().conn()
    n = conn.execute("SELECT COUNT(*) FROM windows WHERE hall = ?", (hall,)).fetchone()[0]
    k = args.max_changes or max(1, -(-n // 3))
    days = args.days

    def compute() -> dict:
        with db().read() as conn:
            return skills_advice.compute(conn, hall, k, days)
    return offload.run(compute)


@bp.get("/halls/<hall>/staffing")
@auth.require("manager")
@query(bodies.StaffingQuery)
def hall_staffing(hall: str, args: bodies.StaffingQuery):
    """The staffing plan for a day (default tomorrow) from the hall's recorded days: windows
    to open hour by hour for the wait target; for today also what is open now against it
    (replays off the event loop, budgeted in replays)."""
    hall_or_404(hall)
    day = parse_day(args.date, "date")

    def compute() -> dict:
        with db().read() as conn:
            return staffing.plan(conn, hall, day, args.wait_min * 60.0, args.share / 100)
    return offload.run(compute)


@bp.post("/halls/<hall>/advice/apply")
@auth.require("manager")
@accepts(bodies.AdviceApply)
def apply_advice(hall: str, body: bodies.AdviceApply):
    """Apply the chosen changes of an advice (refused if the matrix changed since)."""
    hall_or_404(hall)
    changed = db().write(manager()["username"],
                         lambda tx: skills_advice.apply(tx, hall, body.changes))
    return {"changed": changed, "windows": read_models.windows(db().conn(), hall)}


@bp.get("/halls/<hall>/dispatch-profile")
@auth.require("manager")
def get_dispatch_profile(hall: str):
    """The dispatcher profile the hall's recent days chose (the nightly safeguard), or null
    before the first choice (the defaults)."""
    hall_or_404(hall)
    return {"profile": dispatch_profile.current(db().conn(), hall),
            "min_days": dispatch_profile.MIN_DAYS, "history_days": dispatch_profile.HISTORY_DAYS}


@bp.post("/halls/<hall>/dispatch-profile")
@auth.require("manager")
@accepts(Empty)
def learn_dispatch_profile(hall: str, body: Empty):
    """Choose the hall's profile from its recent days now (replays off the event loop; the
    choice is one audited write)."""
    hall_or_404(hall)

    def learn() -> dict:
        with db().read() as conn:
            return dispatch_profile.learn(conn, hall)
    result = offload.run(learn)
    db().write(manager()["username"], lambda tx: dispatch_profile.store(tx, hall, result))
    return {"profile": result, "min_days": dispatch_profile.MIN_DAYS,
            "history_days": dispatch_profile.HISTORY_DAYS}
