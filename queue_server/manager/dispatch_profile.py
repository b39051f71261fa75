"""Each hall's dispatcher profile, chosen from its own recent days (the nightly safeguard).

``dispatcher.nightly.choose`` replays the hall's recorded days under every candidate profile
and the plain rule (``fifo``), and keeps the smart profile only where it beat the plain rule
there (docs/dispatcher.md); otherwise the hall calls exactly as fifo does. This module turns
the hall's recorded tickets into those days (``skills_advice.trace``), stores the choice on
the hall (``halls.dispatch_profile``, one write with its audit event) and gives the plan and
the forecast its weights (``planner.read_hall`` puts them in the snapshot's ``params``).

A hall with fewer than ``MIN_DAYS`` recorded days keeps the defaults: a choice made on a day
or two would follow noise. The replays are bounded by work (``nightly.MAX_TICKETS``), never
by time, so the same days give the same choice on any machine.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

from dispatcher import nightly
from queue_server.domain import clock, read_models
from queue_server.manager import skills_advice
from queue_server.store.db import Tx, loads

HISTORY_DAYS = 20  # the recent days replayed (what dispatcher.nightly was judged with)
MIN_DAYS = 5  # fewer recorded days than this: keep the defaults
MIN_TICKETS = 20  # a day with fewer tickets (a holiday, a test) is not a day to learn from


def recorded_days(conn: sqlite3.Connection, hall: str, today: str,
                  days: int = HISTORY_DAYS) -> list[str]:
    """The hall's most recent days before ``today`` worth learning from, oldest first."""
    first = (date.fromisoformat(today) - timedelta(days=2 * days + 7)).isoformat()
    rows = conn.execute(
        "SELECT day FROM tickets WHERE hall = ? AND day >= ? AND day < ?"
        " AND transferred_from IS NULL AND status != 'cancelled'"
        " GROUP BY day HAVING COUNT(*) >= ? ORDER BY day DESC LIMIT ?",
        (hall, first, today, MIN_TICKETS, days)).fetchall()
    return sorted(r["day"] for r in rows)


def learn(conn: sqlite3.Connection, hall: str, now: float | None = None) -> dict:
    """The profile the hall's recent days choose (CPU: seconds; run it off the event loop).

    ``{"profile": name | None, "params", "learned_for": today, "days": [first, last],
    "history": {profile: medians}, "tickets_replayed"}``; ``profile`` None (and a
    ``reason``) when there are too few days, which keeps the defaults."""
    h = read_models.hall_row(conn, hall)
    today = clock.day_of(clock.now() if now is None else now, h["tz"])
    days = recorded_days(conn, hall, today)
    if len(days) < MIN_DAYS:
        return {"profile": None, "params": {}, "learned_for": today, "days": days,
                "reason": "too_few_days", "min_days": MIN_DAYS}
    res = nightly.choose([skills_advice.trace(conn, hall, d) for d in days])
    return {"profile": res["profile"], "params": res["params"], "learned_for": today,
            "days": days[-res["days"]:], "history": res["history"],
            "tickets_replayed": res["tickets_replayed"]}


def store(tx: Tx, hall: str, result: dict) -> None:
    """Keep ``result`` as the hall's profile (the plan and forecast use it from this commit)."""
    tx.run("UPDATE halls SET dispatch_profile = ? WHERE id = ?",
           (json.dumps(result, ensure_ascii=False, sort_keys=True), hall))
    tx.audit(hall, "dispatch_profile", detail={
        "profile": result.get("profile"), "days": len(result.get("days") or []),
        "learned_for": result.get("learned_for"), "reason": result.get("reason"),
        "mean_ratio": {k: v.get("mean_ratio") for k, v in (result.get("history") or {}).items()}})


def current(conn: sqlite3.Connection, hall: str) -> dict | None:
    """The hall's stored choice, or None before the first."""
    row = conn.execute("SELECT dispatch_profile FROM halls WHERE id = ?", (hall,)).fetchone()
    return loads(row["dispatch_profile"]) if row is not None else None

