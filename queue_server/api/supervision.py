"""Supervision endpoints (效能监察, manager): the 好差评 list and its platform export, the
rectification cases (整改) and their steps, the hall's supervision settings.

Every change runs through ``db.write`` with the manager as actor and is audited; a refusal
(wrong role, unknown case, bad input, a closed case) changes nothing.
"""
from __future__ import annotations

from flask import Blueprint, Response

from queue_server import auth
from queue_server.api import bodies
from queue_server.api.citizen import hall_or_404
from queue_server.api.fields import accepts, query
from queue_server.api.manager import XLSX
from queue_server.domain import clock, rectification
from queue_server.errors import not_found
from queue_server.manager import ratings, stats
from queue_server.registry import db
from queue_server.store.db import Tx

bp = Blueprint("api_supervision", __name__, url_prefix="/api/v1")


def _actor() -> str:
    user = auth.current_user()
    assert user is not None  # auth.require ran first
    return user["username"]


@bp.get("/halls/<hall>/ratings")
@auth.require("manager")
@query(bodies.RatingsQuery)
def hall_ratings(hall: str, args: bodies.RatingsQuery):
    """Every rating (好差评) with its ticket, service, window, clerk, wait, service time and
    case; paged, newest first; ``format=csv`` for the national platform."""
    row = hall_or_404(hall)
    first, last = stats.day_range(args.days(), row["tz"])
    with db().read() as conn:
        name = f"hallq-{hall}-ratings-{first}" + ("" if first == last else f"_{last}")
        if args.format == "csv":
            text = ratings.platform_csv(conn, hall, row["tz"], first, last, args.filters())
            return Response(text, mimetype="text/csv", headers={
                "Content-Disposition": f'attachment; filename="{name}.csv"'})
        if args.format == "xlsx":
            data = ratings.platform_xlsx(conn, hall, row["tz"], first, last, args.filters())
            return Response(data, mimetype=XLSX, headers={
                "Content-Disposition": f'attachment; filename="{name}.xlsx"'})
        return ratings.listing(conn, hall, row["tz"], first, last, args.filters(), args.page,
                               args.per_page, clock.now())


@bp.get("/halls/<hall>/rectifications")
@auth.require("manager")
@query(bodies.RectificationsQuery)
def hall_rectifications(hall: str, args: bodies.RectificationsQuery):
    """The rectification cases, the most urgent (earliest due) first."""
    row = hall_or_404(hall)
    sql, params = rectification.SELECT + " WHERE r.hall = ?", [hall]
    if args.status == "active":
        sql += " AND r.status != 'closed'"
    elif args.status:
        sql += " AND r.status = ?"
        params.append(args.status)
    now = clock.now()
    with db().read() as conn:
        rows = conn.execute(sql + " ORDER BY r.status = 'closed', r.due_at, r.id LIMIT 500",
                            params).fetchall()
        return {"rectifications": [rectification.view(r, row["tz"], now) for r in rows]}


def _step(hall: str, case_id: str, fn) -> dict:
    """One step of case ``case_id`` (a path segment: anything but a case number is a 404)."""
    row = hall_or_404(hall)
    if not (case_id.isascii() and case_id.isdigit() and len(case_id) <= 12):
        raise not_found("rectification")
    case = int(case_id)
    db().write(_actor(), lambda tx: fn(tx, case))
    with db().read() as conn:
        done = conn.execute(rectification.SELECT + " WHERE r.id = ?", (case,)).fetchone()
        return {"rectification": rectification.view(done, row["tz"], clock.now())}


@bp.post("/halls/<hall>/rectifications/<case_id>/assign")
@auth.require("manager")
@accepts(bodies.Assign)
def assign_case(hall: str, case_id: str, body: bodies.Assign):
    """Give a case its owner (a member of the hall's staff); may be reassigned."""
    return _step(hall, case_id, lambda tx, c: rectification.assign(tx, hall, c, body.owner))


@bp.post("/halls/<hall>/rectifications/<case_id>/answer")
@auth.require("manager")
@accepts(bodies.Answer)
def answer_case(hall: str, case_id: str, body: bodies.Answer):
    """Answer the citizen (shown on the ticket's page); may be answered again."""
    return _step(hall, case_id,
                 lambda tx, c: rectification.answer(tx, hall, c, body.response))


@bp.post("/halls/<hall>/rectifications/<case_id>/close")
@auth.require("manager")
@accepts(bodies.Close)
def close_case(hall: str, case_id: str, body: bodies.Close):
    """Close an answered case with its outcome."""
    return _step(hall, case_id,
                 lambda tx, c: rectification.close(tx, hall, c, body.outcome))


def _settings(conn, hall: str) -> dict:
    row = conn.execute("SELECT rectify_days, overtime_warn_pct FROM halls WHERE id = ?",
                       (hall,)).fetchone()
    out = conn.execute("SELECT COUNT(*) n, MIN(created_at) oldest FROM supervision_outbox"
                       " WHERE hall = ? AND delivered_at IS NULL", (hall,)).fetchone()
    return {"rectify_days": row["rectify_days"], "overtime_warn_pct": row["overtime_warn_pct"],
            "feed_pending": out["n"]}


@bp.get("/halls/<hall>/supervision")
@auth.require("manager")
def get_supervision(hall: str):
    """The hall's supervision settings, and how many feed notices wait for delivery."""
    hall_or_404(hall)
    return {"supervision": _settings(db().conn(), hall)}


@bp.put("/halls/<hall>/supervision")
@auth.require("manager")
@accepts(bodies.SupervisionSettings)
def put_supervision(hall: str, body: bodies.SupervisionSettings):
    """Set the rectification deadline (working days) and the clerk's 办理超时 warning share."""
    hall_or_404(hall)
    fields = body.given()

    def _set(tx: Tx) -> None:
        before = dict(tx.one("SELECT rectify_days, overtime_warn_pct FROM halls WHERE id = ?",
                             (hall,)))
        for key, value in fields.items():  # keys are the model's own field names
            tx.run(f"UPDATE halls SET {key} = ? WHERE id = ?", (value, hall))
        tx.audit(hall, "supervision_settings",
                 detail={"before": {k: before[k] for k in fields}, "after": fields})

    db().write(_actor(), _set)
    return {"supervision": _settings(db().conn(), hall)}
