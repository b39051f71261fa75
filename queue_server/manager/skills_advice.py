"""Skills advice from the hall's own history, and live rebalancing hints for the monitor.

The history becomes a trace (``shared/workloads`` format) that ``dispatcher.advise`` replays:
the busiest recorded day among the last ``days`` (the day the matrix must cope with), each
ticket's arrival as seconds since local midnight, its service and priority, and how long
serving it took (``finished_at - started_at``; a no-show is flagged; a cancelled ticket never
reached a window and is left out).
"""
from __future__ import annotations

import sqlite3
import time
from datetime import date, timedelta

from dispatcher import advise as advisor
from dispatcher import eta as eta_model
from queue_server import registry
from queue_server.domain import clock, planner, read_models
from queue_server.domain import window_state as win
from queue_server.errors import conflict, invalid, not_found
from queue_server.store.db import Tx

NEW_WEIGHT = advisor.NEW_WEIGHT


def busiest_day(conn: sqlite3.Connection, hall: str, today: str, days: int) -> str | None:
    first = (date.fromisoformat(today) - timedelta(days=days)).isoformat()
    row = conn.execute(
        "SELECT day, COUNT(*) n FROM tickets WHERE hall = ? AND day >= ? AND day <= ?"
        " AND transferred_from IS NULL GROUP BY day ORDER BY n DESC, day DESC LIMIT 1",
        (hall, first, today)).fetchone()
    return row["day"] if row else None


def trace(conn: sqlite3.Connection, hall: str, day: str) -> dict:
    """One recorded day of ``hall`` as a simulator trace, with today's skills matrix."""
    h = read_models.hall_row(conn, hall)
    midnight, _ = clock.day_bounds(day, h["tz"])
    services = {r["id"]: r for r in read_models.services(conn, hall)}
    arrivals = []
    for r in conn.execute(
            "SELECT id, service, priority, issued_at, started_at, finished_at, status,"
            " transferred_to FROM tickets WHERE hall = ? AND day = ?"
            " AND transferred_from IS NULL AND status != 'cancelled' ORDER BY issued_at, id",
            (hall, day)):
        if r["service"] not in services:
            continue
        a = {"id": str(r["id"]), "t": round(r["issued_at"] - midnight, 1),
             "service": r["service"], "priority": min(int(r["priority"] or 0), 1)}
        if r["status"] == "no_show":
            a["no_show"], a["service_s"] = True, 60.0
        elif r["finished_at"] is not None and r["started_at"] is not None:
            a["service_s"] = max(30.0, round(r["finished_at"] - r["started_at"], 1))
        else:  # still waiting or being served: assume the service's mean
            a["service_s"] = float(services[r["service"]]["mean_service_s"])
        arrivals.append(a)
    windows = [{"id": w["id"], "skills": read_models.skills(conn, w["id"])}
               for w in conn.execute("SELECT id FROM windows WHERE hall = ? ORDER BY sort, id",
                                     (hall,))]
    staffed = open_intervals(conn, hall, day, midnight, h["open_s"] or 0,
                             h["close_s"] or 86400)
    if staffed is not None:  # the day's real staffing, not every window all day
        windows = [{**w, "open": staffed.get(w["id"], [])} for w in windows]
    return {"name": hall, "open_s": h["open_s"] or 0, "close_s": h["close_s"] or 86400,
            "services": [{"id": s["id"], "name": s["name"],
                          "mean_service_s": float(s["mean_service_s"])}
                         for s in services.values()],
            "windows": [w for w in windows if w["skills"]], "arrivals": arrivals}


WINDOW_ACTIONS = ("window_open", "window_pause", "window_close")


def open_intervals(conn: sqlite3.Connection, hall: str, day: str, midnight: float,
                   open_s: float, close_s: float) -> dict[str, list[list[float]]] | None:
    """Each window's staffed intervals on ``day``, in seconds since local midnight (the
    trace's ``open`` field): from its open / pause / close events; for a window without any
    that day (history imported or seeded, whose tickets have no lifecycle events), the span
    from its first call to its last finish. None when the day shows neither (all open)."""
    end = midnight + 86400
    state = {r["window"]: r["action"] == "window_open" for r in conn.execute(
        "SELECT window, action FROM events WHERE seq IN (SELECT MAX(seq) FROM events"
        " WHERE hall = ? AND window IS NOT NULL AND action IN (?, ?, ?) AND at < ?"
        " GROUP BY window)", (hall, *WINDOW_ACTIONS, midnight))}
    start = {w: open_s for w, is_open in state.items() if is_open}
    out: dict[str, list[list[float]]] = {}
    for r in conn.execute(
            "SELECT window, action, at FROM events WHERE hall = ? AND window IS NOT NULL"
            " AND action IN (?, ?, ?) AND at >= ? AND at < ? ORDER BY seq",
            (hall, *WINDOW_ACTIONS, midnight, end)):
        w, t = r["window"], round(r["at"] - midnight, 1)
        out.setdefault(w, [])
        if r["action"] == "window_open":
            start.setdefault(w, t)
        elif w in start:
            out[w].append([start.pop(w), t])
    for w, t in start.items():
        out.setdefault(w, []).append([t, max(t, close_s)])
    for r in conn.execute(
            "SELECT window, MIN(called_at) first, MAX(COALESCE(finished_at, called_at)) last"
            " FROM tickets WHERE hall = ? AND day = ? AND window IS NOT NULL"
            " AND called_at IS NOT NULL GROUP BY window", (hall, day)):
        if r["window"] not in out:
            out[r["window"]] = [[round(r["first"] - midnight, 1), round(r["last"] - midnight, 1)]]
    return {w: iv for w, iv in out.items() if iv} or None


def compute(conn: sqlite3.Connection, hall: str, max_changes: int, days: int = 7,
            now: float | None = None) -> dict:
    """Advice for ``hall``: proposed changes and expected mean/p95 wait before and after."""
    h = read_models.hall_row(conn, hall)
    today = clock.day_of(clock.now() if now is None else now, h["tz"])
    day = busiest_day(conn, hall, today, days)
    if day is None:
        raise invalid("no_history", "近期没有取号记录，无法给出建议 (no recorded tickets to learn"
                                    " from)")
    tr = trace(conn, hall, day)
    if len(tr["arrivals"]) < 2:
        raise invalid("no_history", "历史记录太少，无法给出建议 (too little history)")
    t0 = time.perf_counter()
    res = advisor.advise(tr, max_changes, days=3)
    names = {s["id"]: s["name"] for s in tr["services"]}
    return {"date": day, "arrivals": len(tr["arrivals"]), "max_changes": max_changes,
            "changes": [{**c, "service_name": names.get(c["service"], c["service"])}
                        for c in res["changes"]],
            "current": res["current"], "expected": res["expected"],
            "seconds": round(time.perf_counter() - t0, 1)}


def apply(tx: Tx, hall: str, changes: list[dict]) -> list[str]:
    """Apply advised changes (each ``{"window", "service", "from"?, "to"}``, shape checked by
    the body, ``api/bodies.py``) through ``set_skills`` (each window audited), refusing stale
    advice (a weight that changed since the advice was computed)."""
    per_window: dict[str, dict[str, float]] = {}
    rows = {}
    for c in changes:
        wid = c["window"]
        if wid not in rows:
            w = tx.one("SELECT * FROM windows WHERE id = ? AND hall = ?", (wid, hall))
            if w is None:
                raise not_found("window")
            rows[wid] = w
            per_window[wid] = read_models.skills(tx.conn, wid)
        skills = per_window[wid]
        if "from" in c and skills.get(c["service"]) != c["from"]:
            raise conflict("advice_stale", "技能矩阵已变化，请重新计算建议 (the matrix changed"
                                           " since this advice; compute it again)")
        if c.get("to") is None:
            skills.pop(c["service"], None)
        else:
            skills[c["service"]] = float(c["to"])
    for wid, skills in sorted(per_window.items()):
        if not any(v >= 1 for v in skills.values()) and any(
                v >= 1 for v in read_models.skills(tx.conn, wid).values()):
            raise invalid("last_primary", f"不能移除窗口 {wid} 的最后一个主办业务 (would remove"
                                          f" window {wid}'s last primary skill)")
        win.set_skills(tx, rows[wid], skills)
    tx.audit(hall, "advice_apply", detail={"changes": changes})
    return sorted(per_window)


# Live hints ------------------------------------------------------------------------------

_cache: dict[tuple[str, str], tuple[float, int, list]] = {}  # (database, hall): hints
HINT_TTL_S = 10.0


def live_hints(conn: sqlite3.Connection, hall: str, now: float) -> list[dict]:
    """For each service whose predicted wait passes its limit, the one change that helps most:
    open a closed window that has the skill, or give an open window the service for now."""
    seq = read_models.hall_row(conn, hall)["live_seq"]
    # keyed by the database too: two apps (tests, or two cities on one process) may each
    # have a hall "demo" at the same seq
    key = (registry.db().path, hall)
    hit = _cache.get(key)
    if hit and hit[1] == seq and now - hit[0] < HINT_TTL_S:
        return hit[2]
    hints = _hints(conn, hall, now)
    _cache[key] = (now, seq, hints)
    return hints


def _predicted(snap: dict, service: str) -> float | None:
    """The wait a ticket issued now would face, or the oldest waiting one's total wait."""
    guess = eta_model.predict_new(snap, service, 0).get("eta_s")
    if guess is None:
        return None
    oldest = min((t["issued_at"] for t in snap["tickets"] if t["service"] == service),
                 default=snap["now"])
    preds = eta_model.predict(snap)
    worst = max((snap["now"] - t["issued_at"] + (preds.get(t["id"], {}).get("eta_s") or 0)
                 for t in snap["tickets"] if t["service"] == service), default=0.0)
    return max(guess, worst, snap["now"] - oldest)


def _hints(conn: sqlite3.Connection, hall: str, now: float) -> list[dict]:
    snap = planner.snapshot(conn, hall, now, forecast=True)
    services = {s["id"]: s for s in read_models.services(conn, hall)}
    all_windows = {r["id"]: r for r in conn.execute(
        "SELECT id, name, name_en, status FROM windows WHERE hall = ? ORDER BY sort, id", (hall,))}
    skills = {wid: read_models.skills(conn, wid) for wid in all_windows}
    out = []
    for sid in sorted({t["service"] for t in snap["tickets"]}):
        svc = services.get(sid)
        if svc is None or not svc["wait_limit_s"]:
            continue
        before = _predicted(snap, sid)
        if before is not None and before <= svc["wait_limit_s"]:
            continue
        best = _best_move(snap, sid, all_windows, skills, now)
        if best is not None and (before is None or best[2] < before):
            out.append(_hint(svc, *best, before))
    return out


def _best_move(snap: dict, sid: str, all_windows: dict, skills: dict, now: float
               ) -> tuple[str, sqlite3.Row, float] | None:
    """The one change (open a closed window that has the skill, or give an open window the
    skill) after which the service's longest wait is shortest: (kind, window, that wait)."""
    open_ids = {w["id"] for w in snap["windows"]}
    best = None
    for wid, w in all_windows.items():
        if wid not in open_ids and w["status"] == "closed" and sid in skills[wid]:
            cand = dict(snap, windows=[*snap["windows"], {
                "id": wid, "skills": skills[wid], "free": True, "busy_until": None,
                "idle_since": now, "served_today": 0, "busy_seconds_today": 0.0}])
            kind = "open"
        elif wid in open_ids and sid not in skills[wid]:
            cand = dict(snap, windows=[dict(x, skills={**x["skills"], sid: NEW_WEIGHT})
                                       if x["id"] == wid else x for x in snap["windows"]])
            kind = "give"
        else:
            continue
        after = _predicted(cand, sid)
        key = (after, kind != "open", wid)  # opening a window disturbs no one else
        if after is not None and (best is None or key < best[0]):
            best = (key, kind, w, after)
    return None if best is None else best[1:]


def _hint(svc: sqlite3.Row, kind: str, w: sqlite3.Row, after: float,
          before: float | None) -> dict:
    sid = svc["id"]
    a = round(after / 60)
    if before is None:  # no open window takes this service at all
        effect = f"目前无窗口可办，调整后预计最长等候 {a} 分钟"
        effect_en = f"no open window serves it now; longest wait then {a} min"
    else:
        effect = f"预计最长等候 {round(before / 60)} → {a} 分钟"
        effect_en = f"longest wait {round(before / 60)} → {a} min"
    name_en = w["name_en"] or w["name"]
    if kind == "open":
        text = f"开启{w['name']}（已有「{svc['name']}」技能）：{effect}"
        text_en = f"Open {name_en} (it has {svc['name_en'] or sid}): {effect_en}"
    else:
        text = f"让{w['name']}临时协办「{svc['name']}」：{effect}"
        text_en = f"Let {name_en} take {svc['name_en'] or sid} for now: {effect_en}"
    return {"service": sid, "kind": kind, "window": w["id"], "limit_s": svc["wait_limit_s"],
            "predicted_s": None if before is None else int(before),
            "expected_s": int(after), "text": text, "text_en": text_en}
