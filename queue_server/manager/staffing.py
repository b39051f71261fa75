"""The hall's staffing plan from its own recorded days, and today's plan against what is open.

The recorded days become traces (``skills_advice.trace``, which carries each window's real
opening intervals of that day, ``open_intervals``); ``dispatcher.forecast`` turns them into
the day's expected arrivals and ``dispatcher.staffing.recommend`` into the windows to open
hour by hour, checked by replays counted in work (``MAX_REPLAYS``), never seconds.

Plans are kept per (database, hall, date, recorded days): the days before a date do not change
during it, so the console's reloads cost nothing after the first (seconds of CPU, run off the
event loop by the route).
"""
from __future__ import annotations

import sqlite3
import threading
from datetime import date, timedelta

from dispatcher import forecast as arrivals
from dispatcher import staffing as planner
from queue_server.domain import clock, read_models
from queue_server.errors import invalid
from queue_server.manager import skills_advice
from queue_server.manager.dispatch_profile import recorded_days

HISTORY_DAYS = 28  # four of each weekday: the forecast's weekday pattern and trend
MIN_DAYS = 5
MAX_REPLAYS = 120  # the plan's check, in replayed days, as bench/bench_staffing.py judged it
KEEP = 64  # plans kept per process (a few halls × a few days and targets)
_kept: dict[tuple, dict] = {}
_lock = threading.Lock()


def plan(conn: sqlite3.Connection, hall: str, day: str | None, wait_s: float, share: float,
         now: float | None = None) -> dict:
    """The plan for ``day`` (default tomorrow, hall-local) from the recorded days before it;
    for today, also what is open now against the plan's hour."""
    h = read_models.hall_row(conn, hall)
    now = clock.now() if now is None else now
    today = clock.day_of(now, h["tz"])
    day = day or (date.fromisoformat(today) + timedelta(days=1)).isoformat()
    # complete days only: today's partial record would pull the forecast down
    days = recorded_days(conn, hall, min(day, today), HISTORY_DAYS)
    if len(days) < MIN_DAYS:
        raise invalid("no_history", f"至少需要 {MIN_DAYS} 天的取号记录才能排班 (needs {MIN_DAYS}"
                                    f" recorded days; {len(days)} found)")
    key = (hall, day, tuple(days), wait_s, share, _record_key(conn, hall, days))
    with _lock:
        result = _kept.get(key)
    if result is None:
        history = [{**skills_advice.trace(conn, hall, d), "date": d} for d in days]
        fc = arrivals.forecast(history, day)
        result = planner.recommend(fc, target_wait_s=wait_s, target_share=share,
                                   max_replays=MAX_REPLAYS)
        result["basis"] = {**fc["basis"], "first": days[0], "last": days[-1]}
        with _lock:
            if len(_kept) >= KEEP:  # the oldest plan goes: days and records move on
                _kept.pop(next(iter(_kept)))
            _kept[key] = result
    out = {"hall": hall, "plan": result}
    if day == today:
        out["now"] = against_now(conn, hall, result, now, h["tz"])
    return out


def _record_key(conn: sqlite3.Connection, hall: str, days: list[str]) -> tuple:
    """What the plan was made of: the days' tickets and today's skills (a changed matrix, or
    another database with the same hall and days, is another plan)."""
    n = conn.execute("SELECT COUNT(*), MAX(id) FROM tickets WHERE hall = ? AND day >= ?"
                     " AND day <= ?", (hall, days[0], days[-1])).fetchone()
    skills = conn.execute(
        "SELECT s.window, s.service, s.weight FROM skills s JOIN windows w ON w.id = s.window"
        " WHERE w.hall = ? ORDER BY s.window, s.service", (hall,)).fetchall()
    return tuple(n), tuple(tuple(r) for r in skills)


def against_now(conn: sqlite3.Connection, hall: str, result: dict, now: float,
                tz: str | None) -> dict:
    """The plan's hour that holds ``now``: which windows it opens, which are open (signed in,
    open or paused), which to open and which could close."""
    midnight, _ = clock.day_bounds(clock.day_of(now, tz), tz)
    at = now - midnight
    hour = next((x for x in result["hours"] if x["start"] <= at < x["start"] + planner.HOUR_S),
                None)
    open_now = sorted(r["id"] for r in conn.execute(
        "SELECT id FROM windows WHERE hall = ? AND status != 'closed'", (hall,)))
    planned = sorted(hour["windows"]) if hour else []
    return {"at_s": round(at), "hour_start": hour["start"] if hour else None,
            "planned": planned, "open": open_now,
            "to_open": [w for w in planned if w not in open_now],
            "could_close": [w for w in open_now if w not in planned]}
