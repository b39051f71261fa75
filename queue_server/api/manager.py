"""Manager endpoints: statistics, CSV/XLSX, audit, live monitor, and hall administration.

Everything here needs a manager (clerks get 403, anonymous callers 401); every change runs
through ``db.write`` with the manager as actor and is audited.
"""
from __future__ import annotations

import re

from flask import Blueprint, Response, request

from queue_server import auth
from queue_server.api.citizen import hall_or_404
from queue_server.api.fields import body
from queue_server.domain import clock, read_models
from queue_server.errors import bad_request
from queue_server.live import alerts
from queue_server.manager import admin, reports, stats
from queue_server.registry import db
from queue_server.store.db import loads

bp = Blueprint("api_manage", __name__, url_prefix="/api/v1")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"



def manager() -> dict:
    user = auth.current_user()
    assert user is not None  # auth.require ran first
    return user


_DIGITS = re.compile(r"[0-9]{1,9}")  # ASCII only: str.isdigit() takes "²", which int() refuses


def int_arg(name: str, default: int, lo: int, hi: int) -> int:
    """A query integer in lo..hi (at most 9 ASCII digits), or a 400 ``bad_parameter``."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not _DIGITS.fullmatch(raw) or not lo <= int(raw) <= hi:
        raise bad_request("bad_parameter", f"{name} 须为 {lo}–{hi} 的整数 ({name} must be an"
                                           f" integer {lo}..{hi})")
    return int(raw)


@bp.get("/halls/<hall>/stats")
@auth.require("manager")
def hall_stats(hall: str):
    row = hall_or_404(hall)
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv", "xlsx"):
        raise bad_request("bad_format", "format 须为 json、csv 或 xlsx (format: json, csv, xlsx)")
    first, last = stats.day_range(request.args, row["tz"])
    with db().read() as conn:
        result = stats.compute(conn, hall, first, last)
    name = f"hallq-{hall}-{first}" + ("" if first == last else f"_{last}")
    if fmt == "csv":
        return Response(reports.stats_csv(result), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if fmt == "xlsx":
        return Response(reports.stats_xlsx(result), mimetype=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return result


@bp.get("/halls/<hall>/audit")
@auth.require("manager")
def hall_audit(hall: str):
    row = hall_or_404(hall)
    first, last = stats.day_range(request.args, row["tz"])
    filters = {k: request.args.get(k) or None for k in ("actor", "window", "action")}
    for k, v in filters.items():
        if v is not None and len(v) > 64:
            raise bad_request("bad_parameter", f"{k} 过长 ({k} too long)")
    number = request.args.get("ticket") or None
    if number is not None and len(number) > 16:
        raise bad_request("bad_parameter", "ticket 过长 (ticket too long)")
    after = int_arg("after", 0, 0, 999_999_999)
    limit = int_arg("limit", reports.AUDIT_LIMIT, 1, reports.AUDIT_LIMIT)
    with db().read() as conn:
        events = reports.audit_events(conn, hall, row["tz"], first, last, number=number,
                                      after=after, limit=limit, **filters)
    return {"from": first, "to": last, "events": events, "more": len(events) == limit}


@bp.get("/halls/<hall>/monitor")
@auth.require("manager")
def hall_monitor(hall: str):
    """The live monitor's state; the console refetches it when a live event says it changed."""
    row = hall_or_404(hall)
    now = clock.now()
    with db().read() as conn:
        return monitor_state(conn, row, now)


def monitor_state(conn, hall_row, now: float) -> dict:
    hall, tz = hall_row["id"], hall_row["tz"]
    today = clock.day_of(now, tz)
    wins = read_models.windows(conn, hall)
    called = {r["id"]: r for r in conn.execute(
        "SELECT t.id, t.called_at, t.started_at FROM tickets t JOIN windows w ON w.current = t.id"
        " WHERE w.hall = ?", (hall,))}
    status_since = {r["id"]: r["status_since"] for r in conn.execute(
        "SELECT id, status_since FROM windows WHERE hall = ?", (hall,))}
    for w in wins:
        cur = called.get(w["current"]["id"]) if w["current"] else None
        w["current_for_s"] = int(now - cur["called_at"]) if cur and cur["called_at"] else None
        since = status_since.get(w["id"])
        w["status_for_s"] = int(now - since) if since else None
    services = []
    longest = {r["service"]: (r["n"], r["oldest"]) for r in conn.execute(
        "SELECT service, COUNT(*) n, MIN(issued_at) oldest FROM tickets WHERE hall = ?"
        " AND status = 'waiting' GROUP BY service", (hall,))}
    over = alerts.overdue(conn, hall, now)
    over_n: dict[str, int] = {}
    for a in over:
        over_n[a["service"]] = over_n.get(a["service"], 0) + 1
    for s in read_models.services(conn, hall):
        n, oldest = longest.get(s["id"], (0, None))
        services.append({"service": s["id"], "name": s["name"], "name_en": s["name_en"] or "",
                         "waiting": n, "longest_wait_s": int(now - oldest) if oldest else 0,
                         "limit_s": s["wait_limit_s"], "over": over_n.get(s["id"], 0)})
    day = stats.compute(conn, hall, today)
    counts = {k: day[k] for k in ("issued", "served", "no_show", "cancelled", "waiting",
                                  "mean_wait_s", "p90_wait_s", "mean_service_s", "ratings")}
    return {"hall": hall, "name": hall_row["name"], "name_en": hall_row["name_en"] or "",
            "now": clock.iso(now, tz), "date": today, "windows": wins, "services": services,
            "overdue": over, "today": counts, "hints": _hints(conn, hall, now)}


def _hints(conn, hall: str, now: float) -> list[dict]:
    """Live rebalancing hints (the advisor's one best change); empty until it is available."""
    try:
        from queue_server.manager import skills_advice
    except ImportError:
        return []
    return skills_advice.live_hints(conn, hall, now)


# Hall administration -----------------------------------------------------------------------

@bp.get("/halls/<hall>/admin")
@auth.require("manager")
def hall_admin(hall: str):
    """Everything the settings pages edit, including retired services."""
    row = hall_or_404(hall)
    conn = db().conn()
    services = [{"id": r["id"], "category": r["category"], "name": r["name"],
                 "name_en": r["name_en"] or "", "mean_service_s": r["mean_service_s"],
                 "wait_limit_s": r["wait_limit_s"], "materials": loads(r["materials"], []),
                 "materials_en": loads(r["materials_en"], []), "active": bool(r["active"]),
                 "sort": r["sort"]}
                for r in conn.execute("SELECT * FROM services WHERE hall = ? ORDER BY sort, id",
                                      (hall,))]
    users = [{**auth.user_view(r), "active": bool(r["active"]), "all_halls": r["hall"] is None}
             for r in conn.execute("SELECT * FROM users WHERE hall IS NULL OR hall = ?"
                                   " ORDER BY role DESC, username", (hall,))]
    return {"hall": {"id": row["id"], "name": row["name"], "name_en": row["name_en"] or "",
                     "tz": row["tz"], "hours": admin.hours_view(row["open_s"], row["close_s"]),
                     "notices": loads(row["notices"], [])},
            "categories": _with_sort(conn, "categories", hall, read_models.categories(conn, hall)),
            "services": services,
            "windows": _with_sort(conn, "windows", hall, read_models.windows(conn, hall)),
            "users": users}


def _with_sort(conn, table: str, hall: str, items: list[dict]) -> list[dict]:
    """The public views leave out ``sort``; the settings page edits it, so it shows it."""
    sort = {r["id"]: r["sort"] for r in conn.execute(
        f"SELECT id, sort FROM {table} WHERE hall = ?", (hall,))}
    return [{**item, "sort": sort.get(item["id"], 0)} for item in items]


def _save(hall: str, table: str, rid: str | None, create: bool):
    hall_or_404(hall)
    data = body(set(admin.SCHEMAS[table][1]) | {"id"})  # values checked by admin.clean
    rid = admin.valid_id(data.get("id") if create else rid)
    fields = admin.clean(table, data, create)
    row = db().write(manager()["username"],
                     lambda tx: admin.save(tx, table, hall, rid, fields, create))
    noun = admin.SCHEMAS[table][0]
    if table == "windows":
        return {noun: read_models.window_by_id(db().conn(), rid)}, 201 if create else 200
    out = dict(zip(row.keys(), tuple(row), strict=True))  # sqlite3.Row iterates values
    for key in admin.JSON_LISTS:
        if key in out:
            out[key] = loads(out[key], [])
    return {noun: out}, 201 if create else 200


@bp.post("/halls/<hall>/windows")
@auth.require("manager")
def add_window(hall: str):
    return _save(hall, "windows", None, True)


@bp.patch("/halls/<hall>/windows/<window_id>")
@auth.require("manager")
def edit_window(hall: str, window_id: str):
    return _save(hall, "windows", window_id, False)


@bp.post("/halls/<hall>/categories")
@auth.require("manager")
def add_category(hall: str):
    return _save(hall, "categories", None, True)


@bp.patch("/halls/<hall>/categories/<cid>")
@auth.require("manager")
def edit_category(hall: str, cid: str):
    return _save(hall, "categories", cid, False)


@bp.post("/halls/<hall>/services")
@auth.require("manager")
def add_service(hall: str):
    return _save(hall, "services", None, True)


@bp.patch("/halls/<hall>/services/<sid>")
@auth.require("manager")
def edit_service(hall: str, sid: str):
    return _save(hall, "services", sid, False)


@bp.post("/halls/<hall>/users")
@auth.require("manager")
def add_user(hall: str):
    hall_or_404(hall)
    data = body(admin.USER_FIELDS | {"username"}, required={"username", "role", "password"})
    user = manager()
    db().write(user["username"], lambda tx: admin.create_user(tx, hall, user, data))
    row = db().one("SELECT * FROM users WHERE username = ?", (data["username"],))
    return {"user": {**auth.user_view(row), "active": bool(row["active"])}}, 201


@bp.patch("/halls/<hall>/users/<username>")
@auth.require("manager")
def edit_user(hall: str, username: str):
    hall_or_404(hall)
    data, user = body(admin.USER_FIELDS), manager()
    db().write(user["username"], lambda tx: admin.edit_user(tx, hall, user, username, data))
    row = db().one("SELECT * FROM users WHERE username = ?", (username,))
    return {"user": {**auth.user_view(row), "active": bool(row["active"])}}


@bp.put("/halls/<hall>/notices")
@auth.require("manager")
def put_notices(hall: str):
    hall_or_404(hall)
    data = body({"notices"}, required={"notices"})
    notices = db().write(manager()["username"],
                         lambda tx: admin.set_notices(tx, hall, data["notices"]))
    return {"notices": notices}


@bp.put("/halls/<hall>/hours")
@auth.require("manager")
def put_hours(hall: str):
    hall_or_404(hall)
    data = body({"open", "close"}, required={"open", "close"})
    hours = db().write(manager()["username"],
                       lambda tx: admin.set_hours(tx, hall, data["open"], data["close"]))
    return {"hours": hours}
