"""Citizen endpoints (no login): halls, services, issuing, following, cancelling, rating."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from queue_server import registry
from queue_server.api import ratelimit
from queue_server.api.fields import (
    body,
    id_number_ok,
    integer,
    keyed_hash,
    missing,
    mobile_ok,
    string,
)
from queue_server.domain import (
    appointments,
    clock,
    forecast_cache,
    planner,
    read_models,
    tickets,
)
from queue_server.errors import bad_request, conflict, invalid, not_found
from queue_server.registry import db
from queue_server.store.db import Tx, loads

bp = Blueprint("api_citizen", __name__, url_prefix="/api/v1")

CHANNELS = {"kiosk", "mobile"}



def client_address() -> str:
    return request.remote_addr or "unknown"


def hall_or_404(hall: str):
    row = read_models.hall_row(db().conn(), hall)
    if row is None:
        raise not_found("hall")
    return row


def check_open(hall_row) -> None:
    """Tickets only while the hall issues them: a number taken at night would be called by
    nobody (and ended by the day's rollover)."""
    now = clock.seconds_of_day(clock.now(), hall_row["tz"])
    if not hall_row["open_s"] <= now < hall_row["close_s"]:
        hours = f"{clock.hhmm(hall_row['open_s'])}–{clock.hhmm(hall_row['close_s'])}"
        raise conflict("hall_closed", f"现在不是取号时间，取号时间为 {hours} (tickets are issued"
                                      f" {hours} only)")


@bp.get("/halls")
def halls():
    rows = db().all("SELECT id, name, name_en FROM halls ORDER BY id")
    return {"halls": [{"id": r["id"], "name": r["name"], "name_en": r["name_en"] or ""}
                      for r in rows]}


@bp.get("/halls/<hall>/services")
def services(hall: str):
    hall_or_404(hall)
    conn = db().conn()
    rows = read_models.services(conn, hall)
    waiting = read_models.waiting_counts(conn, hall)
    ahead = planner.predict_new(conn, hall, [r["id"] for r in rows])
    served = read_models.served_services(conn, hall)
    out = []
    for r in rows:
        guess = ahead.get(r["id"]) or {}
        eta = guess.get("eta_s")
        out.append({"id": r["id"], "name": r["name"], "name_en": r["name_en"] or "",
                    "category": r["category"], "materials": loads(r["materials"], []),
                    "materials_en": loads(r["materials_en"], []),
                    "mean_service_s": r["mean_service_s"], "waiting": waiting.get(r["id"], 0),
                    "ahead": int(guess.get("position") or 0),
                    "eta_s": int(round(eta)) if eta is not None else None,
                    # false: no window takes it yet, so the kiosk does not offer it
                    "servable": r["id"] in served})
    return {"categories": read_models.categories(conn, hall), "services": out}


@bp.post("/halls/<hall>/tickets")
def issue(hall: str):
    hall_row = hall_or_404(hall)
    fields = {"service", "channel", "id_number", "phone", "priority", "appointment"}
    data = body(fields)
    # An appointment already names its service; without one the service is required, refused
    # exactly as body() refuses any missing field.
    with_appointment = data.get("appointment") is not None
    if not with_appointment and "service" not in data:
        missing({"service"})
    service = string(data, "service", max_len=64, required=not with_appointment)
    channel = string(data, "channel", max_len=16) or "kiosk"
    if channel not in CHANNELS:
        raise invalid("invalid_channel", "取号渠道无效 (channel must be kiosk or mobile)")
    priority = integer(data, "priority", 0, 1, default=0)  # 2 comes only from an appointment
    code = string(data, "appointment", max_len=16)
    id_number = string(data, "id_number", max_len=32)
    phone = string(data, "phone", max_len=32)
    if id_number is not None and not id_number_ok(id_number):
        raise invalid("invalid_id_number", "身份证号码无效 (invalid ID number)")
    if phone is not None and not mobile_ok(phone):
        raise invalid("invalid_phone", "手机号码无效 (invalid mobile number)")
    id_hash = keyed_hash(id_number) if id_number else None
    phone_hash = keyed_hash(phone) if phone else None
    if current_app.config["OPEN_HOURS_ONLY"]:
        check_open(hall_row)
    registry.services().address_limiter.hit(client_address())
    registry.services().rollover.ensure(hall)
    limit = current_app.config["RATE_ID_PER_DAY"]

    def _issue(tx: Tx):
        before = forecast_cache.version(tx.conn, hall)  # first: only this tx writes from here
        if id_hash:
            ratelimit.check_id_per_day(tx, id_hash, clock.day_of(tx.now, hall_row["tz"]), limit)
        if code is not None:
            row, token = appointments.check_in(tx, hall, code, service, id_hash, channel)
        else:
            row, token = tickets.issue(tx, hall, service, channel, priority, id_hash, phone_hash)
        return row, token, forecast_cache.change(tx.conn, hall, before)

    row, token, change = db().write("citizen", _issue)
    preds = None
    if row["status"] == "waiting":
        # committed: the kept forecast inputs may take this one ticket in instead of a re-read
        cache = forecast_cache.of(db())
        cache.added(change, row)
        preds = planner.predict_one(db().conn(), hall, row["id"], source=cache)
    return jsonify({"ticket": read_models.ticket(db().conn(), row, preds), "token": token}), 201


@bp.post("/halls/<hall>/appointments")
def book(hall: str):
    """Book an appointment slot (预约); check in later with its code and the same ID number."""
    hall_row = hall_or_404(hall)
    data = body({"service", "slot_at", "id_number"}, required={"service", "slot_at",
                                                                  "id_number"})
    service = string(data, "service", max_len=64, required=True)
    slot = string(data, "slot_at", max_len=40, required=True)
    id_number = string(data, "id_number", max_len=32, required=True)
    if not id_number_ok(id_number):
        raise invalid("invalid_id_number", "身份证号码无效 (invalid ID number)")
    slot_at = appointments.parse_slot(slot, hall_row["tz"])
    registry.services().address_limiter.hit(client_address())
    row = db().write("citizen", lambda tx: appointments.book(tx, hall, service, slot_at,
                                                             keyed_hash(id_number)))
    return jsonify({"appointment": appointments.view(row, hall_row["tz"])}), 201


def ticket_for_token(token: str):
    if len(token) > 128:
        raise not_found("ticket")
    row = db().one("SELECT * FROM tickets WHERE token_hash = ?", (tickets.token_hash(token),))
    if row is None:
        raise not_found("ticket")
    return row


@bp.get("/tickets/<token>")
def follow(token: str):
    row = ticket_for_token(token)
    preds = planner.predictions(db().conn(), row["hall"]) if row["status"] == "waiting" else None
    view = read_models.ticket(db().conn(), row, preds)
    svc = db().one("SELECT materials, materials_en FROM services WHERE id = ?",
                   (row["service"],))
    view["materials"] = loads(svc["materials"], [])
    view["materials_en"] = loads(svc["materials_en"], [])
    return {"ticket": view}


@bp.delete("/tickets/<token>")
def cancel(token: str):
    row = ticket_for_token(token)

    def _cancel(tx: Tx):
        before = forecast_cache.version(tx.conn, row["hall"])
        fresh = tx.one("SELECT * FROM tickets WHERE id = ?", (row["id"],))
        return tickets.cancel(tx, fresh), forecast_cache.change(tx.conn, row["hall"], before)

    after, change = db().write("citizen", _cancel)
    forecast_cache.of(db()).removed(change, after)
    return {"ticket": read_models.ticket(db().conn(), after)}


@bp.post("/tickets/<token>/rating")
def rate(token: str):
    row = ticket_for_token(token)
    data = body({"score", "reason", "comment"}, required={"score"})
    score = integer(data, "score", 1, 5)
    if score is None:
        raise bad_request("missing_field", "缺少 score (missing score)")
    reason = string(data, "reason", max_len=200)
    comment = string(data, "comment", max_len=1000)
    if score <= 2 and not (reason or "").strip():
        raise invalid("reason_required", "差评请选择原因 (a reason is required for scores 1 and 2)")

    def _rate(tx: Tx):
        fresh = tx.one("SELECT * FROM tickets WHERE id = ?", (row["id"],))
        tickets.rate(tx, fresh, score, reason, comment)

    db().write("citizen", _rate)
    return jsonify({"rating": {"ticket": row["number"], "score": score, "reason": reason}}), 201
