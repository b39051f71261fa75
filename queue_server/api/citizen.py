"""Citizen endpoints (no login): halls, services, issuing, following, cancelling, rating."""
from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, request

from queue_server import registry
from queue_server.api import bodies, ratelimit
from queue_server.api.fields import accepts, keyed_hash
from queue_server.domain import (
    agents,
    appointments,
    cases,
    clock,
    forecast_cache,
    planner,
    postpone,
    read_models,
    rectification,
    supervision_feed,
    tickets,
)
from queue_server.errors import bad_request, conflict, invalid, not_found
from queue_server.live import channels
from queue_server.registry import db
from queue_server.store.db import Tx, loads

bp = Blueprint("api_citizen", __name__, url_prefix="/api/v1")


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
    ahead = planner.predict_new(conn, hall, [r["id"] for r in rows],
                                source=forecast_cache.of(db()))
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
@accepts(bodies.Issue)
def issue(hall: str, body: bodies.Issue):
    """Take a ticket (统一取号), or check in with an appointment's code."""
    hall_row = hall_or_404(hall)
    service, code, channel = body.service, body.appointment, body.channel or "kiosk"
    id_hash = keyed_hash(body.id_number) if body.id_number else None
    phone_hash = keyed_hash(body.phone) if body.phone else None
    phone_enc = channels.phone_sealed(current_app.config, body.phone)
    if current_app.config["OPEN_HOURS_ONLY"]:
        check_open(hall_row)
    registry.services().address_limiter.hit(client_address())
    registry.services().rollover.ensure(hall)
    retry = _retry_token(hall, hall_row["tz"])
    agent_hash = _agent_hash(body)

    def _issue(tx: Tx):
        if retry is not None:  # the same key today: the ticket it got, not a second number
            prior = tx.one("SELECT * FROM tickets WHERE token_hash = ?",
                           (tickets.token_hash(retry),))
            if prior is not None:
                return prior, retry
        day = clock.day_of(tx.now, hall_row["tz"])
        _check_limits(tx, hall, day, channel == "mobile" and code is None, id_hash, agent_hash)
        if code is not None:
            row, token = appointments.check_in(tx, hall, code, service, id_hash, channel, retry)
        else:
            row, token = _fresh(tx, hall, body, day, (id_hash, phone_hash, agent_hash), retry,
                                phone_enc)
        if agent_hash:
            agents.record_agent(tx, hall, day, row["id"], agent_hash)
        return row, token

    row, token = db().write("citizen", _issue)
    preds = None
    if row["status"] == "waiting":  # from the kept inputs, with the tickets changed since
        preds = planner.predict_one(db().conn(), hall, row["id"],
                                    source=forecast_cache.of(db()))
    return jsonify({"ticket": read_models.ticket(db().conn(), row, preds), "token": token}), 201


def _check_limits(tx: Tx, hall: str, day: str, remote: bool, id_hash: str | None,
                  agent_hash: str | None) -> None:
    """The day's limits: phone tickets per hall, tickets per ID, 代办 per agent."""
    if remote:
        check_mobile(tx, hall, day)
    if id_hash:
        ratelimit.check_id_per_day(tx, id_hash, day, current_app.config["RATE_ID_PER_DAY"])
    if agent_hash:
        agents.check_agent(tx, agent_hash, day, current_app.config["AGENT_PER_DAY"])


def _fresh(tx: Tx, hall: str, body: bodies.Issue, day: str,
           hashes: tuple[str | None, str | None, str | None], retry: str | None,
           phone_enc: str | None = None):
    """A new ticket: priority as asked, or by the holder's age (ELDERLY_AGE)."""
    id_hash, phone_hash, agent_hash = hashes
    priority = body.priority or 0
    older = agents.elderly(body.id_number, day, current_app.config["ELDERLY_AGE"])
    detail = {**({"elderly": True} if older and not priority else {}),
              **({"agent": True} if agent_hash else {})}
    return tickets.issue(tx, hall, body.service, body.channel or "kiosk",
                         max(priority, int(older)), id_hash, phone_hash, token=retry,
                         phone_enc=phone_enc, detail=detail)


def _agent_hash(body: bodies.Issue) -> str | None:
    """代办: the agent's keyed hash, if the hall takes tickets by agents at all."""
    if body.agent_id_number is None:
        return None
    if current_app.config["AGENT_PER_DAY"] <= 0:
        raise invalid("agents_off", "本大厅不办理代办取号 (this hall takes no tickets by agents)")
    return keyed_hash(body.agent_id_number)


def check_mobile(tx: Tx, hall: str, day: str) -> None:
    """Phone tickets (/m/<hall>): on unless HALLQ_MOBILE_TICKETS is off, at most
    HALLQ_MOBILE_PER_DAY a hall a day (0: no cap); counted inside the write, so two phones at
    the cap cannot both pass. Opening hours apply as to every ticket."""
    if not current_app.config["MOBILE_TICKETS"]:
        raise conflict("mobile_off", "本大厅暂不支持手机取号，请到现场取号 (this hall issues no"
                                     " tickets by phone: please take one at the hall)")
    cap = current_app.config["MOBILE_PER_DAY"]
    if cap > 0:
        n = tx.one("SELECT COUNT(*) FROM tickets WHERE hall = ? AND day = ? AND channel ="
                   " 'mobile' AND transferred_from IS NULL", (hall, day))[0]
        if n >= cap:
            raise conflict("mobile_full", f"今日手机取号已满 {cap} 张，请到现场取号 (today's"
                                          f" {cap} phone tickets are taken: please take one at"
                                          " the hall)")


IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def _retry_token(hall: str, tz: str) -> str | None:
    """The token an ``Idempotency-Key`` header stands for today (a kiosk retrying after a
    lost answer sends the same key and gets the same ticket), or None without the header."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise bad_request("bad_idempotency_key", "Idempotency-Key 须为 1–64 位字母、数字或 ._:-"
                                                 " (Idempotency-Key: 1-64 of A-Z a-z 0-9 . _ : -)")
    return tickets.retry_token(current_app.config["SECRET_KEY"], hall,
                               clock.day_of(clock.now(), tz), key)


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
    preds = (planner.predictions(db().conn(), row["hall"], source=forecast_cache.of(db()))
             if row["status"] == "waiting" else None)
    view = read_models.ticket(db().conn(), row, preds)
    svc = db().one("SELECT materials, materials_en FROM services WHERE id = ?",
                   (row["service"],))
    view["materials"] = loads(svc["materials"], [])
    view["materials_en"] = loads(svc["materials_en"], [])
    # the hall's answer to a bad rating (差评整改), shown to the citizen
    view["rectification"] = rectification.public_view(db().conn(), row["id"],
                                                      read_models.tz_of(db().conn(), row["hall"]))
    view["moves"] = postpone.moves(row, postpone.rules_of(current_app.config),
                                   read_models.tz_of(db().conn(), row["hall"]))
    # what the approval system did with the matter since (办件进度), oldest case first
    return {"ticket": view,
            "cases": cases.for_ticket(db().conn(), row, read_models.tz_of(db().conn(),
                                                                          row["hall"]))}


@bp.delete("/tickets/<token>")
def cancel(token: str):
    row = ticket_for_token(token)

    def _cancel(tx: Tx):
        fresh = tx.one("SELECT * FROM tickets WHERE id = ?", (row["id"],))
        return tickets.cancel(tx, fresh)

    after = db().write("citizen", _cancel)
    return {"ticket": read_models.ticket(db().conn(), after)}


@bp.post("/tickets/<token>/rating")
@accepts(bodies.Rate)
def rate(token: str, body: bodies.Rate):
    """Rate the service (好差评); a score of 1 or 2 needs a reason."""
    row = ticket_for_token(token)
    score, reason, comment = body.score, body.reason, body.comment
    if score <= 2 and not (reason or "").strip():
        raise invalid("reason_required", "差评请选择原因 (a reason is required for scores 1 and 2)")

    feed = supervision_feed.kinds(current_app.config)

    def _rate(tx: Tx):
        fresh = tx.one("SELECT * FROM tickets WHERE id = ?", (row["id"],))
        tickets.rate(tx, fresh, score, reason, comment, body.channel, feed)

    db().write("citizen", _rate)
    return jsonify({"rating": {"ticket": row["number"], "score": score, "reason": reason}}), 201


def _own_move(token: str, move) -> dict:
    """One citizen action on the token's ticket: a fresh read inside the write."""
    row = ticket_for_token(token)
    rules = postpone.rules_of(current_app.config)
    after = db().write("citizen", lambda tx: move(
        tx, tx.one("SELECT * FROM tickets WHERE id = ?", (row["id"],)), rules))
    conn = db().conn()
    preds = planner.predict_one(conn, after["hall"], after["id"], source=forecast_cache.of(db()))
    view = read_models.ticket(conn, after, preds)
    view["moves"] = postpone.moves(after, rules, read_models.tz_of(conn, after["hall"]))
    return {"ticket": view}


@bp.post("/tickets/<token>/postpone")
def postpone_ticket(token: str):
    """Postpone (顺延): let the next few of the same service go ahead (409 past the limit)."""
    return _own_move(token, postpone.postpone)


@bp.post("/tickets/<token>/rejoin")
def rejoin_ticket(token: str):
    """Rejoin after a no-show, behind a few people, same number (409 when too late)."""
    return _own_move(token, postpone.rejoin)
