"""Guidance (智能引导): the search and the guided questions (anyone: kiosk, phone), what was
chosen (counted), and the manager's side: keywords per service, the flows, what citizens
searched for and did not find."""
from __future__ import annotations

from flask import Blueprint, jsonify

from queue_server import auth
from queue_server.api import bodies
from queue_server.api.citizen import hall_or_404
from queue_server.api.fields import accepts, query
from queue_server.domain import clock, guidance, guide_flows
from queue_server.errors import invalid
from queue_server.manager import stats
from queue_server.registry import db
from queue_server.store.db import Tx, loads

bp = Blueprint("api_guidance", __name__, url_prefix="/api/v1")


@bp.get("/halls/<hall>/guide")
@query(bodies.GuideQuery)
def guide(hall: str, args: bodies.GuideQuery):
    """Find services by name, keywords and synonyms, pinyin and its initials (best first)."""
    row = hall_or_404(hall)
    text = args.q or ""
    found = guidance.search(db().conn(), hall, text)
    term = guidance.counted_term(text)
    if args.live != "1" and term:  # the search the citizen settled on, and whether it missed
        day = clock.day_of(clock.now(), row["tz"])

        def _count(tx: Tx) -> None:
            guidance.count(tx, hall, day, "search", term)
            if not found:
                guidance.count(tx, hall, day, "miss", term)

        db().write("citizen", _count)
    return {"q": text, "services": found}


@bp.get("/halls/<hall>/guide/flows")
def flows(hall: str):
    """The hall's guided questions, per category."""
    hall_or_404(hall)
    return {"flows": guide_flows.listing(db().conn(), hall)}


@bp.post("/halls/<hall>/guide/choices")
@accepts(bodies.GuideChoice)
def choice(hall: str, body: bodies.GuideChoice):
    """Count a service chosen from the search or the guided questions."""
    row = hall_or_404(hall)
    if not db().one("SELECT 1 FROM services WHERE id = ? AND hall = ?", (body.service, hall)):
        raise invalid("unknown_service", f"本大厅没有该业务 (unknown service {body.service!r})")
    how = (f"flow:{body.category or ''}" if body.via == "flow"
           else guidance.counted_term(body.q or "") or "search")
    day = clock.day_of(clock.now(), row["tz"])
    db().write("citizen", lambda tx: guidance.count(tx, hall, day, "choice", how, body.service))
    return jsonify({"counted": True}), 201


# -- managers ----------------------------------------------------------------------------------

@bp.get("/halls/<hall>/guide/keywords")
@auth.require("manager")
def keywords(hall: str):
    """Every service's keywords and synonyms."""
    hall_or_404(hall)
    rows = db().all("SELECT id, name, category, keywords, active FROM services WHERE hall = ?"
                    " ORDER BY sort, id", (hall,))
    return {"services": [{"id": r["id"], "name": r["name"], "category": r["category"],
                          "active": bool(r["active"]), "keywords": loads(r["keywords"], [])}
                         for r in rows]}


@bp.put("/halls/<hall>/services/<sid>/keywords")
@auth.require("manager")
@accepts(bodies.Keywords)
def put_keywords(hall: str, sid: str, body: bodies.Keywords):
    """Set a service's keywords and synonyms (the words citizens use)."""
    hall_or_404(hall)
    user = auth.current_user()
    service = db().write(user["username"], lambda tx: guidance.set_keywords(
        tx, hall, sid, body.keywords))
    return {"service": service}


@bp.put("/halls/<hall>/guide/flows/<cid>")
@auth.require("manager")
@accepts(bodies.GuideFlow)
def put_flow(hall: str, cid: str, body: bodies.GuideFlow):
    """Set a category's guided questions."""
    hall_or_404(hall)
    user = auth.current_user()
    flow = db().write(user["username"], lambda tx: guide_flows.put(tx, hall, cid, body.flow))
    return {"category": cid, "flow": flow}


@bp.delete("/halls/<hall>/guide/flows/<cid>")
@auth.require("manager")
def delete_flow(hall: str, cid: str):
    """Remove a category's guided questions."""
    hall_or_404(hall)
    user = auth.current_user()
    db().write(user["username"], lambda tx: guide_flows.delete(tx, hall, cid))
    return {"category": cid, "deleted": True}


@bp.get("/halls/<hall>/guide/stats")
@auth.require("manager")
@query(bodies.Days)
def guide_stats(hall: str, args: bodies.Days):
    """What citizens searched for, what found nothing (missing keywords), what they chose."""
    row = hall_or_404(hall)
    first, last = stats.day_range(args.days(), row["tz"])
    return guidance.stats(db().conn(), hall, first, last)
