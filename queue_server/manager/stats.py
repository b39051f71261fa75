"""Statistics of a hall over one day or a range of days (hall-local dates).

How tickets are counted (a transfer adds a second row with the same number, ``transferred_from``
set and the original ``issued_at`` kept):

- ``issued``: rows with ``transferred_from IS NULL``: each citizen's ticket once, under the
  service and hour it was issued for.
- ``served``: rows that ended ``done`` (the last leg of a transferred ticket counts, under its
  new service); ``no_show``, ``cancelled``, ``waiting``: rows in that status now.
- ``wait``: first call − ``issued_at`` of every called row that is not a transfer leg (a held
  ticket called again still waited only until its first call; a transfer
  leg's ``issued_at`` is the original one, so its "wait" would include the first service).
  ``p90`` is the nearest-rank percentile (the smallest wait with at least 90 % at or below it).
- ``service``: ``finished_at - started_at - paused_s`` of ``done`` rows (a ticket finished
  straight from "called" was served from the call on; ``paused_s``: time held under a kind
  whose clock stops, ``domain/holds.py``: a 持件 hold's time counts, a 不持件 or 等待 hold's
  does not). A window's ``busy_s`` leaves out all held time (it served others meanwhile) and
  also includes the legs it transferred, since it worked on them.
- ``by_outcome``: ``done`` rows per outcome code (the hall's list, then codes it no longer
  lists, then ``null``: none chosen); ``holds``: per hold kind, the holds begun and how they
  ended (resumed, put back in line, returned by the hall's timer) from the audit log.
- by hour: ``issued`` by the hall-local hour of issue, ``served`` by the hour of finishing.
- ``overtime`` (办理超时), overall, by service and by clerk: served rows whose service time
  passed their service's norm (``service_limit_s``, as it is set now; 0 = no norm).
"""
from __future__ import annotations

import math
import re
import sqlite3
from collections import defaultdict
from datetime import date, datetime
from typing import NoReturn

from queue_server.domain import clock, holds, outcomes, read_models
from queue_server.errors import bad_request, invalid
from queue_server.store.db import loads

MAX_RANGE_DAYS = 366
# Dates a hall can have history for; 9999-12-31 has no next day (clock.day_bounds overflows).
MIN_YEAR, MAX_YEAR = 2000, 9998
_DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A held ticket is called again later; its wait ended at its first call.
COLUMNS = ("id, service, status, issued_at, COALESCE(first_called_at, called_at) AS called_at,"
           " started_at, finished_at, window,"
           " served_by, transferred_from, day, held_s, paused_s, outcome")


def parse_day(value: str | None, name: str) -> str | None:
    """A YYYY-MM-DD query value in years 2000..9998, or a 400 ``bad_date``."""
    if value is None or value == "":
        return None
    if not _DAY_RE.fullmatch(value):
        _bad(name)
    try:
        d = date.fromisoformat(value)
    except ValueError:
        _bad(name)
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise bad_request("bad_date", f"{name} 须在 {MIN_YEAR}–{MAX_YEAR} 年之间 ({name} must be"
                                      f" in the years {MIN_YEAR}..{MAX_YEAR})")
    return d.isoformat()


def _bad(name: str) -> NoReturn:
    raise bad_request("bad_date", f"{name} 须为 YYYY-MM-DD 格式的日期 ({name} must be YYYY-MM-DD)")


def day_range(args, tz: str, now: float | None = None) -> tuple[str, str]:
    """``date``, or ``from``/``to`` (inclusive), defaulting to today in the hall."""
    one = parse_day(args.get("date"), "date")
    first, last = parse_day(args.get("from"), "from"), parse_day(args.get("to"), "to")
    today = clock.day_of(clock.now() if now is None else now, tz)
    if one and (first or last):
        raise bad_request("bad_range", "date 与 from/to 不能同时使用 (use date or from/to)")
    if one:
        return one, one
    first = first or last or today
    last = last or (first if args.get("from") is None else today)
    if last < first:
        raise invalid("bad_range", "结束日期早于开始日期 (to is before from)")
    span = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
    if span > MAX_RANGE_DAYS:
        raise invalid("bad_range", f"日期范围最多 {MAX_RANGE_DAYS} 天 (range too long)")
    return first, last


def _mean(xs: list[float], digits: int = 1) -> float | None:
    return round(sum(xs) / len(xs), digits) if xs else None


def p90(xs: list[float]) -> float | None:
    """Nearest-rank 90th percentile."""
    if not xs:
        return None
    s = sorted(xs)
    return round(s[max(0, math.ceil(0.9 * len(s)) - 1)], 1)


class _Hours:
    """Hall-local hour of an instant, cached per hour bucket (fast for 10,000s of rows)."""

    def __init__(self, tz: str):
        self.tz = tz
        self._cache: dict[int, int] = {}

    def __call__(self, ts: float) -> int:
        key = int(ts // 900)  # offsets are whole quarter hours, so a 15-min bucket is one hour
        h = self._cache.get(key)
        if h is None:
            h = self._cache[key] = datetime.fromtimestamp(key * 900, clock.zone(self.tz)).hour
        return h


class _Tally:
    """Per ticket row, what each table of the statistics collects."""

    def __init__(self, tz: str, limits: dict[str, int] | None = None):
        self.hour = _Hours(tz)
        self.limits = limits or {}  # 办理超时: each service's norm (0: none)
        self.overtime = 0
        self.acc: dict = {k: defaultdict(lambda: defaultdict(list)) for k in
                          ("service", "window", "clerk", "hour", "day")}
        self.waits: list[float] = []
        self.services_s: list[float] = []
        self.status_n: dict[str, int] = defaultdict(int)
        self.issued = 0
        self.scores: list[int] = []
        self.outcomes: dict[str | None, int] = defaultdict(int)

    def add(self, row: tuple) -> None:
        (_id, service, status, issued_at, called_at, started_at, finished_at, window,
         clerk, transferred_from, day, held_s, paused_s, outcome, score) = row
        self.status_n[status] += 1
        by_s, by_d = self.acc["service"][service], self.acc["day"][day]
        if transferred_from is None:  # a transfer's next leg is not a new arrival
            self._arrival(by_s, by_d, issued_at, called_at)
        if status in ("no_show", "cancelled"):
            by_s[status].append(1)
            by_d[status].append(1)
        if status in ("done", "transferred") and finished_at is not None and window:
            busy = finished_at - (started_at if started_at is not None else finished_at)
            busy = max(0.0, busy - (held_s or 0))  # held: the window served others
            self.acc["window"][window]["busy"].append(busy)
            if clerk:
                self.acc["clerk"][clerk]["busy"].append(busy)
        if status == "done":
            self.outcomes[outcome] += 1
            by_s["outcome:" + (outcome or "")].append(1)
            self._served(service, by_d, max(0.0, finished_at - started_at - (paused_s or 0)),
                         finished_at, window, clerk, score)

    def _arrival(self, by_s: dict, by_d: dict, issued_at: float, called_at: float | None
                 ) -> None:
        self.issued += 1
        by_s["issued"].append(1)
        by_d["issued"].append(1)
        self.acc["hour"][self.hour(issued_at)]["issued"].append(1)
        if called_at is not None:
            w = called_at - issued_at
            self.waits.append(w)
            by_s["wait"].append(w)
            by_d["wait"].append(w)

    def _served(self, service: str, by_d: dict, svc_s: float, finished_at: float,
                window: str | None, clerk: str | None, score: int | None) -> None:
        by_s = self.acc["service"][service]
        self.services_s.append(svc_s)
        # 办理超时: served longer than the service's norm (as it is set now)
        over = 0 < self.limits.get(service, 0) < svc_s
        self.overtime += over
        by_s["overtime"].append(int(over))
        by_s["served"].append(1)
        by_s["service_s"].append(svc_s)
        by_d["served"].append(1)
        self.acc["hour"][self.hour(finished_at)]["served"].append(1)
        for key, name in (("window", window), ("clerk", clerk)):
            if name:
                self.acc[key][name]["served"].append(1)
                self.acc[key][name]["service_s"].append(svc_s)
                self.acc[key][name]["overtime"].append(int(over))
                if score is not None:
                    self.acc[key][name]["score"].append(score)
        if score is not None:
            self.scores.append(score)
            by_s["score"].append(score)


def compute(conn: sqlite3.Connection, hall: str, first: str, last: str | None = None) -> dict:
    """The contract's stats object for ``first``..``last`` plus clerks, ratings and days."""
    last = last or first
    rows = conn.execute(
        f"SELECT {COLUMNS}, r.score FROM tickets t LEFT JOIN ratings r ON r.ticket = t.id"
        " WHERE t.hall = ? AND t.day BETWEEN ? AND ?", (hall, first, last)).fetchall()
    tz = read_models.tz_of(conn, hall)
    limits = {r[0]: r[1] or 0 for r in conn.execute(
        "SELECT id, service_limit_s FROM services WHERE hall = ?", (hall,))}
    tally = _Tally(tz, limits)
    for row in rows:
        tally.add(tuple(row))
    acc, waits, services_s, status_n = tally.acc, tally.waits, tally.services_s, tally.status_n
    issued, scores = tally.issued, tally.scores
    moves = _moves(conn, hall, first, last)
    total = {k: sum(d[k] for d in moves.values()) for k in ("postponed", "rejoined", "mobile")}
    return {
        "date": first, "from": first, "to": last,
        "issued": issued, "served": status_n["done"], "no_show": status_n["no_show"],
        "cancelled": status_n["cancelled"], "waiting": status_n["waiting"],
        "transferred": status_n["transferred"], **total,
        "mean_wait_s": _mean(waits), "p90_wait_s": p90(waits),
        "mean_service_s": _mean(services_s), "overtime": tally.overtime,
        "held": status_n["held"],
        "by_service": _by_service(conn, hall, acc["service"]),
        "by_outcome": _by_outcome(conn, hall, tally.outcomes),
        "holds": _holds(conn, hall, tz, first, last),
        "by_window": _by_window(conn, hall, acc["window"]),
        "by_hour": _by_hour(conn, hall, acc["hour"]),
        "by_clerk": _by_clerk(conn, acc["clerk"]),
        "by_day": [{"date": d, "issued": len(v["issued"]), "served": len(v["served"]),
                    "no_show": len(v["no_show"]), "cancelled": len(v["cancelled"]),
                    "mean_wait_s": _mean(v["wait"]), "p90_wait_s": p90(v["wait"]),
                    **moves.get(d, dict.fromkeys(total, 0))}
                   for d, v in sorted(acc["day"].items())],
        "ratings": _ratings(scores),
        "appointments": _appointments(conn, hall, tz, first, last),
    }


def _appointments(conn: sqlite3.Connection, hall: str, tz: str, first: str, last: str) -> dict:
    """Bookings of the slots of these days by what became of them (``missed``: nobody checked
    in by the slot's end; a rescheduled one counts on its new day)."""
    lo, hi = clock.day_bounds(first, tz)[0], clock.day_bounds(last, tz)[1]
    counts = dict(conn.execute(
        "SELECT status, COUNT(*) FROM appointments WHERE hall = ? AND slot_at >= ?"
        " AND slot_at < ? GROUP BY status", (hall, lo, hi)).fetchall())
    out = {k: counts.get(k, 0) for k in ("booked", "checked_in", "missed", "cancelled")}
    return {"total": sum(out.values()), **out}


def _moves(conn: sqlite3.Connection, hall: str, first: str, last: str) -> dict[str, dict]:
    """Per day: postpones (顺延) and rejoins made (each ticket row keeps its own count), and
    tickets taken on the phone."""
    rows = conn.execute(
        "SELECT day, COALESCE(SUM(postpones), 0), COALESCE(SUM(rejoins), 0),"
        " SUM(CASE WHEN channel = 'mobile' AND transferred_from IS NULL THEN 1 ELSE 0 END)"
        " FROM tickets"
        " WHERE hall = ? AND day BETWEEN ? AND ? GROUP BY day", (hall, first, last)).fetchall()
    return {r[0]: {"postponed": r[1], "rejoined": r[2], "mobile": r[3] or 0} for r in rows}


def _ratings(scores: list[int]) -> dict:
    return {"count": len(scores), "mean": _mean(scores, 2),
            "by_score": {str(s): scores.count(s) for s in range(1, 6)}}


def _by_service(conn: sqlite3.Connection, hall: str, acc: dict) -> list[dict]:
    rows = conn.execute("SELECT id, name, name_en, active FROM services WHERE hall = ?"
                        " ORDER BY sort, id", (hall,)).fetchall()
    out = []
    for r in rows:
        v = acc.get(r["id"], {})
        if not r["active"] and not v:
            continue
        out.append({"service": r["id"], "name": r["name"], "name_en": r["name_en"] or "",
                    "issued": len(v.get("issued", [])), "served": len(v.get("served", [])),
                    "no_show": len(v.get("no_show", [])),
                    "cancelled": len(v.get("cancelled", [])),
                    "mean_wait_s": _mean(v.get("wait", [])), "p90_wait_s": p90(v.get("wait", [])),
                    "mean_service_s": _mean(v.get("service_s", [])),
                    "overtime": sum(v.get("overtime", [])),
                    "rating_mean": _mean(v.get("score", []), 2),
                    "outcomes": {k.removeprefix("outcome:") or "none": len(n)
                                 for k, n in v.items() if k.startswith("outcome:")}})
    return out


def _by_outcome(conn: sqlite3.Connection, hall: str, counts: dict) -> list[dict]:
    listed = outcomes.of_hall(conn, hall)
    codes = [o["code"] for o in listed]
    out = [{"outcome": o["code"], "name": o["name"], "name_en": o["name_en"],
            "served": counts.get(o["code"], 0)} for o in listed]
    out += [{"outcome": c, "name": c, "name_en": c, "served": n}
            for c, n in sorted((c, n) for c, n in counts.items() if c and c not in codes)]
    out.append({"outcome": None, "name": "未选择", "name_en": "not given",
                "served": counts.get(None, 0)})
    return out


_HOLD_ACTIONS = {"hold": "holds", "resume": "resumed", "unhold": "returned",
                 "hold_return": "auto_returned"}


def _holds(conn: sqlite3.Connection, hall: str, tz: str, first: str, last: str) -> list[dict]:
    """Per kind: holds begun, and how holds ended, in the days' audit events."""
    start, end = clock.day_bounds(first, tz)[0], clock.day_bounds(last, tz)[1]
    acc = {k: {"kind": k, "clock": "runs" if holds.CLOCK_RUNS[k] else "stops", "holds": 0,
               "resumed": 0, "returned": 0, "auto_returned": 0, "held_s": 0.0}
           for k in holds.KINDS}
    q = ",".join("?" * len(_HOLD_ACTIONS))
    for action, detail in conn.execute(
            f"SELECT action, detail FROM events WHERE hall = ? AND at >= ? AND at < ?"
            f" AND action IN ({q})", (hall, start, end, *_HOLD_ACTIONS)):
        d = loads(detail, {}) or {}
        row = acc.get(d.get("kind") or holds.DEFAULT_KIND)
        if row is None:
            continue
        row[_HOLD_ACTIONS[action]] += 1
        row["held_s"] += float(d.get("held_s") or 0)
    for row in acc.values():
        row["held_s"] = round(row["held_s"], 1)
    return list(acc.values())


def _by_window(conn: sqlite3.Connection, hall: str, acc: dict) -> list[dict]:
    rows = conn.execute("SELECT id, name, name_en FROM windows WHERE hall = ? ORDER BY sort, id",
                        (hall,)).fetchall()
    return [{"window": r["id"], "name": r["name"], "name_en": r["name_en"] or "",
             "served": len(acc.get(r["id"], {}).get("served", [])),
             "busy_s": round(sum(acc.get(r["id"], {}).get("busy", [])), 1),
             "mean_service_s": _mean(acc.get(r["id"], {}).get("service_s", [])),
             "rating_mean": _mean(acc.get(r["id"], {}).get("score", []), 2)} for r in rows]


def _by_clerk(conn: sqlite3.Connection, acc: dict) -> list[dict]:
    names = {r["username"]: r["display_name"] for r in conn.execute(
        "SELECT username, display_name FROM users")}
    return [{"clerk": u, "display_name": names.get(u) or u, "served": len(v["served"]),
             "busy_s": round(sum(v["busy"]), 1), "mean_service_s": _mean(v["service_s"]),
             "overtime": sum(v["overtime"]),
             "rating_mean": _mean(v["score"], 2)} for u, v in sorted(acc.items())]


def _by_hour(conn: sqlite3.Connection, hall: str, acc: dict) -> list[dict]:
    """Every hour the hall is open, plus any other hour that saw a ticket."""
    h = conn.execute("SELECT open_s, close_s FROM halls WHERE id = ?", (hall,)).fetchone()
    hours = set(acc)
    if h and h["open_s"] is not None and h["close_s"] is not None:
        hours |= set(range(h["open_s"] // 3600, math.ceil(h["close_s"] / 3600)))
    return [{"hour": x, "issued": len(acc.get(x, {}).get("issued", [])),
             "served": len(acc.get(x, {}).get("served", []))} for x in sorted(hours)]

