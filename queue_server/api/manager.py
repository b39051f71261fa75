"""Manager endpoints: statistics, CSV/XLSX, audit, live monitor, and hall administration.

Everything here needs a manager (clerks get 403, anonymous callers 401); every change runs
through ``db.write`` with the manager as actor and is audited.
"""
from __future__ import annotations

from flask import Blueprint, Response

from queue_server import auth
from queue_server.api import bodies
from queue_server.api.citizen import hall_or_404
from queue_server.api.fields import accepts, query
from queue_server.domain import clock, guidance, holds, read_models
from queue_server.live import alerts, bookings
from queue_server.manager import admin, case_stats, reports, stats
from queue_server.registry import db
from queue_server.store import audit_chain
from queue_server.store.db import loads

bp = Blueprint("api_manage", __name__, url_prefix="/api/v1")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"



def manager() -> dict:
    user = auth.current_user()
    assert user is not None  # auth.require ran first
    return user


@bp.get("/halls/<hall>/stats")
@auth.require("manager")
@query(bodies.StatsQuery)
def hall_stats(hall: str, args: bodies.StatsQuery):
    """Statistics of a day or a range of days, as JSON, CSV or XLSX."""
    row = hall_or_404(hall)
    fmt = args.format
    first, last = stats.day_range(args.days(), row["tz"])
    bookings.settle(db(), hall)  # bookings whose slot ended count as missed, loop or not
    with db().read() as conn:
        result = stats.compute(conn, hall, first, last)
        result["cases"] = case_stats.compute(conn, hall, first, last, args.ready_days,
                                             clock.now())
        result["guide"] = guidance.stats(conn, hall, first, last)
    name = f"hallq-{hall}-{first}" + ("" if first == last else f"_{last}")
    if fmt == "csv":
        return Response(reports.stats_csv(result, args.lang), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if fmt == "xlsx":
        return Response(reports.stats_xlsx(result), mimetype=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return result


@bp.get("/halls/<hall>/audit")
@auth.require("manager")
@query(bodies.AuditQuery)
def hall_audit(hall: str, args: bodies.AuditQuery):
    """The audit log of a day or range, filtered by actor, window, action or ticket."""
    row = hall_or_404(hall)
    first, last = stats.day_range(args.days(), row["tz"])
    limit = args.limit
    with db().read() as conn:
        events = reports.audit_events(conn, hall, row["tz"], first, last, number=args.ticket,
                                      after=args.after, limit=limit, actor=args.actor,
                                      window=args.window, action=args.action)
    return {"from": first, "to": last, "events": events, "more": len(events) == limit}


@bp.get("/halls/<hall>/audit/verify")
@auth.require("manager")
def hall_audit_verify(hall: str):
    """Whether the hall's audit chain is unbroken (the console's badge)."""
    hall_or_404(hall)
    with db().read() as conn:
        return audit_chain.verify(conn, hall)


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
    # a retired service still lists while citizens wait for it: they are called as before
    # (its windows keep the skill) and must not vanish from the monitor
    rows = conn.execute("SELECT * FROM services WHERE hall = ? AND (active = 1 OR id IN (SELECT"
                        " service FROM tickets WHERE hall = ? AND status = 'waiting'))"
                        " ORDER BY sort, id", (hall, hall)).fetchall()
    for s in rows:
        n, oldest = longest.get(s["id"], (0, None))
        services.append({"service": s["id"], "name": s["name"], "name_en": s["name_en"] or "",
                         "active": bool(s["active"]), "waiting": n,
                         "longest_wait_s": int(now - oldest) if oldest else 0,
                         "limit_s": s["wait_limit_s"], "over": over_n.get(s["id"], 0)})
    day = stats.compute(conn, hall, today)
    counts = {k: day[k] for k in ("issued", "served", "no_show", "cancelled", "waiting",
                                  "mean_wait_s", "p90_wait_s", "mean_service_s", "ratings",
                                  "held", "by_outcome")}
    return {"hall": hall, "name": hall_row["name"], "name_en": hall_row["name_en"] or "",
            "now": clock.iso(now, tz), "date": today, "windows": wins, "services": services,
            "overdue": over, "today": counts, "hints": _hints(conn, hall, now),
            "held": holds.hall_held(conn, hall, now)}


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
                 "wait_limit_s": r["wait_limit_s"], "service_limit_s": r["service_limit_s"],
                 "slot_capacity": r["slot_capacity"], "materials": loads(r["materials"], []),
                 "materials_en": loads(r["materials_en"], []), "active": bool(r["active"]),
                 "sort": r["sort"]}
                for r in conn.execute("SELECT * FROM services WHERE hall = ? ORDER BY sort, id",
                                      (hall,))]
    users = [{**auth.user_view(r), "active": bool(r["active"]), "all_halls": r["hall"] is None}
             for r in conn.execute("SELECT * FROM users WHERE hall IS NULL OR hall = ?"
                                   " ORDER BY role DESC, username", (hall,))]
    return {"hall": {"id": row["id"], "name": row["name"], "name_en": row["name_en"] or "",
                     "tz": row["tz"], "hours": admin.hours_view(row["open_s"], row["close_s"]),
                     "notices": loads(row["notices"], []),
                     "rectify_days": row["rectify_days"],
                     "overtime_warn_pct": row["overtime_warn_pct"]},
            "categories": _with_sort(conn, "categories", hall, read_models.categories(conn, hall)),
            "services": services,
            "windows": _with_sort(conn, "windows", hall, read_models.windows(conn, hall)),
            "users": users}


def _with_sort(conn, table: str, hall: str, items: list[dict]) -> list[dict]:
    """The public views leave out ``sort``; the settings page edits it, so it shows it."""
    sort = {r["id"]: r["sort"] for r in conn.execute(
        f"SELECT id, sort FROM {table} WHERE hall = ?", (hall,))}
    return [{**item, "sort": sort.get(item["id"], 0)} for item in items]


def _save(hall: str, table: str, rid: str, data: dict, create: bool):
    hall_or_404(hall)
    row = db().write(manager()["username"],
                     lambda tx: admin.save(tx, table, hall, rid, data, create))
    noun = admin.NOUNS[table]
    extra = {}
    if table == "services" and not row["active"]:  # who still waits for a retired service
        extra["waiting"] = db().one("SELECT COUNT(*) n FROM tickets WHERE service = ? AND"
                                    " status = 'waiting'", (rid,))["n"]
    if table == "windows":
        return {noun: read_models.window_by_id(db().conn(), rid)}, 201 if create else 200
    out = dict(zip(row.keys(), tuple(row), strict=True))  # sqlite3.Row iterates values
    for key in admin.JSON_LISTS:
        if key in out:
            out[key] = loads(out[key], [])
    return {noun: out, **extra}, 201 if create else 200


def _new(body: bodies.Body) -> tuple[str, dict]:
    data = body.given()
    return data.pop("id"), data


def _admin_routes(table: str, noun: str, key: str, new: type[bodies.Body],
                  edit: type[bodies.Body], what: str) -> None:
    """``POST /halls/<hall>/<table>`` adds one, ``PATCH /halls/<hall>/<table>/<key>`` changes
    the fields it sends; endpoints ``add_<noun>`` and ``edit_<noun>``."""
    def add(hall: str, body: bodies.Body):
        return _save(hall, table, *_new(body), create=True)

    def change(hall: str, body: bodies.Body, **path: str):
        return _save(hall, table, path[key], body.given(), create=False)

    add.__doc__, change.__doc__ = f"Add {what}.", f"Change {what}."
    bp.add_url_rule(f"/halls/<hall>/{table}", f"add_{noun}",
                    auth.require("manager")(accepts(new)(add)), methods=["POST"])
    bp.add_url_rule(f"/halls/<hall>/{table}/<{key}>", f"edit_{noun}",
                    auth.require("manager")(accepts(edit)(change)), methods=["PATCH"])


_admin_routes("windows", "window", "window_id", bodies.WindowNew, bodies.WindowEdit,
              "a window (closed until a clerk opens it)")
_admin_routes("categories", "category", "cid", bodies.CategoryNew, bodies.CategoryEdit,
              "a category of services, with its ticket prefix")
_admin_routes("services", "service", "sid", bodies.ServiceNew, bodies.ServiceEdit,
              "a service: materials, mean service time, wait limit; retire it with"
              " active: false")


@bp.post("/halls/<hall>/users")
@auth.require("manager")
@accepts(bodies.UserNew)
def add_user(hall: str, body: bodies.UserNew):
    """Add an account to this hall (or, from an account of every hall, to every hall)."""
    hall_or_404(hall)
    data, user = body.given(), manager()
    db().write(user["username"], lambda tx: admin.create_user(tx, hall, user, data))
    row = db().one("SELECT * FROM users WHERE username = ?", (data["username"],))
    return {"user": {**auth.user_view(row), "active": bool(row["active"])}}, 201


@bp.patch("/halls/<hall>/users/<username>")
@auth.require("manager")
@accepts(bodies.UserEdit)
def edit_user(hall: str, username: str, body: bodies.UserEdit):
    """Change an account: name, role, password, hall, or disable it."""
    hall_or_404(hall)
    data, user = body.given(), manager()
    db().write(user["username"], lambda tx: admin.edit_user(tx, hall, user, username, data))
    row = db().one("SELECT * FROM users WHERE username = ?", (username,))
    return {"user": {**auth.user_view(row), "active": bool(row["active"])}}


@bp.put("/halls/<hall>/notices")
@auth.require("manager")
@accepts(bodies.Notices)
def put_notices(hall: str, body: bodies.Notices):
    """The notices the hall screens scroll."""
    hall_or_404(hall)
    notices = db().write(manager()["username"],
                         lambda tx: admin.set_notices(tx, hall, body.notices))
    return {"notices": notices}


@bp.put("/halls/<hall>/hours")
@auth.require("manager")
@accepts(bodies.Hours)
def put_hours(hall: str, body: bodies.Hours):
    """Opening hours, HH:MM to HH:MM."""
    hall_or_404(hall)
    hours = db().write(manager()["username"],
                       lambda tx: admin.set_hours(tx, hall, body.open, body.close))
    return {"hours": hours}
