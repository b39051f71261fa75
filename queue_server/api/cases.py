"""Cases (办件): the approval system posts their steps (integration token); the citizen looks
one up and takes a 出件 ticket for a ready one; the manager sets the collection service and
reads the statistics."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from queue_server import auth, integration_tokens, registry
from queue_server.api import bodies
from queue_server.api.citizen import client_address, hall_or_404, ticket_for_token
from queue_server.api.fields import accepts, keyed_hash, query
from queue_server.domain import cases, clock, planner, read_models
from queue_server.errors import not_found
from queue_server.manager import case_stats, stats
from queue_server.registry import db
from queue_server.store.db import Tx

bp = Blueprint("api_cases", __name__, url_prefix="/api/v1")


def tail_hash(id_text: str) -> str:
    """The keyed hash of an ID number's last six characters (what a look-up gives)."""
    return keyed_hash(id_text[-cases.TAIL:].upper())


@bp.post("/halls/<hall>/cases")
@accepts(bodies.CasePost)  # a malformed body is 400 whoever sends it: it says nothing
@integration_tokens.require("integration")
def post_case(hall: str, body: bodies.CasePost):
    """The approval system posts a case's status (201 new case, 200 after)."""
    hall_row = hall_or_404(hall)
    tz = hall_row["tz"]
    day = body.date or clock.day_of(clock.now(), tz)
    if body.date is not None:
        stats.parse_day(body.date, "date")  # a real day, in the years the hall keeps
    tail = tail_hash(body.id_number) if body.id_number else None
    source = integration_tokens.actor()

    def _post(tx: Tx):
        at = cases.parse_at(body.at, tz, tx.now)
        ticket = cases.served_ticket(tx, hall, body.ticket, day)
        return cases.post(tx, hall, body.case_no, ticket, body.status, body.service, tail,
                          source, at)

    row, created = db().write(source, _post)
    return jsonify({"case": {**cases.view(db().conn(), row, tz), "ticket": body.ticket.upper(),
                             "date": day}}), 201 if created else 200


@bp.post("/halls/<hall>/cases/lookup")
@accepts(bodies.CaseLookup)
def lookup(hall: str, body: bodies.CaseLookup):
    """Look a case up by its number and the last six characters of the ID number."""
    hall_row = hall_or_404(hall)
    registry.services().address_limiter.hit(client_address())  # guessing suffixes is slow
    row = cases.lookup(db().conn(), hall, body.case_no, tail_hash(body.id_suffix))
    return {"case": cases.view(db().conn(), row, hall_row["tz"])}


@bp.post("/halls/<hall>/cases/collect")
@accepts(bodies.CaseCollect)
def collect_by_lookup(hall: str, body: bodies.CaseCollect):
    """A 出件 ticket for a ready case, found by its number and ID suffix (kiosk, phone)."""
    hall_row = hall_or_404(hall)
    registry.services().address_limiter.hit(client_address())
    case = cases.lookup(db().conn(), hall, body.case_no, tail_hash(body.id_suffix))
    return _collect(hall_row, case["id"], body.channel or "kiosk")


@bp.post("/tickets/<token>/collect")
@accepts(bodies.CaseRef)
def collect_by_ticket(token: str, body: bodies.CaseRef):
    """A 出件 ticket for a ready case of this ticket (the slip's QR page)."""
    ticket = ticket_for_token(token)
    root = ticket["root"] or ticket["id"]
    case = db().one("SELECT id FROM cases WHERE root = ? AND case_no = ?", (root, body.case_no))
    if case is None:
        raise not_found("case")
    registry.services().address_limiter.hit(client_address())
    return _collect(read_models.hall_row(db().conn(), ticket["hall"]), case["id"], "mobile")


def _collect(hall_row, case_id: int, channel: str):
    registry.services().rollover.ensure(hall_row["id"])
    row, token = db().write("citizen", lambda tx: cases.collect(tx, case_id, channel))
    preds = planner.predict_one(db().conn(), row["hall"], row["id"])
    return jsonify({"ticket": read_models.ticket(db().conn(), row, preds), "token": token}), 201


# -- managers ----------------------------------------------------------------------------------

@bp.get("/halls/<hall>/cases/settings")
@auth.require("manager")
def get_settings(hall: str):
    """The hall's collection service (出件)."""
    row = hall_or_404(hall)
    return {"collect_service": row["collect_service"]}


@bp.put("/halls/<hall>/cases/settings")
@auth.require("manager")
@accepts(bodies.CaseSettings)
def put_settings(hall: str, body: bodies.CaseSettings):
    """Set the hall's collection service (null: none)."""
    hall_or_404(hall)
    user = auth.current_user()
    db().write(user["username"], lambda tx: cases.set_collect_service(
        tx, hall, body.collect_service))
    return {"collect_service": body.collect_service}


@bp.get("/halls/<hall>/cases/stats")
@auth.require("manager")
@query(bodies.CaseStatsQuery)
def case_statistics(hall: str, args: bodies.CaseStatsQuery):
    """Cases per service and status, days to approval, ready but not collected (JSON, CSV)."""
    row = hall_or_404(hall)
    first, last = stats.day_range(args.days(), row["tz"])
    result = case_stats.compute(db().conn(), hall, first, last, args.ready_days, clock.now())
    if args.format == "csv":
        name = f"hallq-{hall}-cases-{first}" + ("" if first == last else f"_{last}")
        return Response(case_stats.to_csv(result), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return result

