"""Past days for the demo hall, so a newcomer's statistics and skills advice have something to
show (``make demo`` seeds five; ``run.py --demo --history N``, ``hallq seed-demo --history N``).

Each weekday gets arrivals over the opening hours with a morning and an afternoon peak, at
about the capacity of the staffed windows (waits of a few minutes, longer at the peaks); a
ticket is served by the window with its skill that frees up first (primary skills preferred),
by that window's clerk, and some done tickets are rated. Not ``dispatcher.simulate``: that
returns a day's figures, and this needs each ticket's times, window and clerk; the first free
window is close enough for demo data. Written in one transaction with one audit event
(``demo_history``): these tickets were never issued here, so they have no lifecycle events.
"""
from __future__ import annotations

import math
import random
import secrets
from datetime import date, timedelta

from queue_server.domain import clock, read_models, rectification
from queue_server.domain.tickets import token_hash
from queue_server.store.db import Database, Tx

LOAD = 1.1            # arrivals against the staffed windows' capacity (skills spread it unevenly)
NO_SHOW = 0.04        # share of called citizens who do not come
WALK_S = 25.0         # from the call to the window
RATED = 0.6           # share of served citizens who rate
SCORES = [5] * 70 + [4] * 20 + [3] * 6 + [2] * 3 + [1] * 1
REASONS = ["等候时间长", "办理时间长", "服务态度", "材料告知不清"]


def seed_history(db: Database, hall: str = "demo", days: int = 5, seed: int = 2026) -> int:
    """Add ``days`` past weekdays of served tickets to ``hall``; the number of tickets."""
    return db.write("system", lambda tx: _seed(tx, hall, days, random.Random(seed)))


def _seed(tx: Tx, hall: str, days: int, rng: random.Random) -> int:
    h = read_models.hall_row(tx.conn, hall)
    services = {r["id"]: r for r in tx.all(
        "SELECT s.*, c.prefix FROM services s JOIN categories c ON c.id = s.category"
        " WHERE s.hall = ? AND s.active = 1", (hall,))}
    windows = [(w["id"], read_models.skills(tx.conn, w["id"])) for w in tx.all(
        "SELECT id FROM windows WHERE hall = ? ORDER BY sort, id", (hall,))]
    clerks = [r["username"] for r in tx.all(
        "SELECT username FROM users WHERE role = 'clerk' AND active = 1 AND (hall = ? OR hall"
        " IS NULL) ORDER BY username", (hall,))]
    staffed = [(wid, skills, clerks[i]) for i, (wid, skills) in enumerate(windows)
               if skills and i < len(clerks)]  # as many windows open as there are clerks
    weights = {sid: rng.uniform(0.5, 2.0) for sid in services}
    total = 0
    for day in _past_weekdays(clock.day_of(tx.now, h["tz"]), days):
        total += _day(tx, hall, day, h, services, weights, staffed, rng)
    tx.audit(hall, "demo_history", detail={"days": days, "tickets": total})
    return total


def _past_weekdays(today: str, n: int) -> list[str]:
    out, d = [], date.fromisoformat(today)
    while len(out) < n:
        d -= timedelta(days=1)
        if d.weekday() < 5:
            out.append(d.isoformat())
    return sorted(out)


def _profile(t: float) -> float:
    """The day's shape: a morning peak near 10:00, an afternoon one near 14:30."""
    return (0.55 + math.exp(-((t - 10.0 * 3600) / 4000) ** 2)
            + 0.8 * math.exp(-((t - 14.5 * 3600) / 4500) ** 2))


def _arrivals(open_s: float, close_s: float, per_hour: float, rng: random.Random) -> list[float]:
    """Seconds after midnight: ``per_hour`` on average, shaped by the day's profile (a Poisson
    stream at the peak rate, thinned); no one arrives in the last half hour."""
    last = close_s - 1800
    grid = [_profile(open_s + (last - open_s) * k / 200) for k in range(201)]
    mean, top = sum(grid) / len(grid), max(grid)
    rate = per_hour / 3600 * top / mean
    t, out = open_s, []
    while True:
        t += rng.expovariate(rate)
        if t >= last:
            return out
        if rng.random() < _profile(t) / top:
            out.append(t)


def _day(tx: Tx, hall: str, day: str, h, services: dict, weights: dict, staffed: list,
         rng: random.Random) -> int:
    midnight, _ = clock.day_bounds(day, h["tz"])
    open_s, close_s = h["open_s"] or 9 * 3600, h["close_s"] or 17 * 3600
    mean_s = sum(s["mean_service_s"] for s in services.values()) / len(services)
    per_hour = LOAD * len(staffed) * 3600 / mean_s
    free = {wid: midnight + open_s for wid, _, _ in staffed}
    counters: dict[str, int] = {}
    ids, svc_weights = list(weights), list(weights.values())
    n = 0
    for t in _arrivals(open_s, close_s, per_hour, rng):
        sid = rng.choices(ids, svc_weights)[0]
        able = [(w, skills[sid], clerk) for w, skills, clerk in staffed if sid in skills]
        if not able:
            continue
        issued = midnight + t
        wid, _, clerk = min(able, key=lambda a: (max(free[a[0]], issued), -a[1], a[0]))
        called = max(free[wid], issued)
        prefix = services[sid]["prefix"]
        counters[prefix] = counters.get(prefix, 0) + 1
        no_show = rng.random() < NO_SHOW
        service_s = 60.0 if no_show else max(60.0, rng.lognormvariate(
            math.log(services[sid]["mean_service_s"]), 0.35))
        started = None if no_show else called + WALK_S
        finished = called + 60.0 if no_show else started + service_s
        free[wid] = finished
        cur = tx.run(
            "INSERT INTO tickets (hall, day, number, service, status, priority, channel,"
            " token_hash, issued_at, order_at, called_at, first_called_at, started_at,"
            " finished_at, window, served_by) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?)",
            (hall, day, f"{prefix}{counters[prefix]:03d}", sid, "no_show" if no_show else "done",
             "mobile" if rng.random() < 0.3 else "kiosk", token_hash(secrets.token_urlsafe(24)),
             issued, issued, called, called, started, finished, wid, clerk))
        tx.run("UPDATE tickets SET root = id WHERE id = ?", (cur.lastrowid,))
        if not no_show and rng.random() < RATED:
            score = rng.choice(SCORES)
            tx.run("INSERT INTO ratings (ticket, score, reason, comment, at) VALUES (?, ?, ?,"
                   " '', ?)", (cur.lastrowid, score,
                               rng.choice(REASONS) if score <= 2 else None, finished + 30))
            if score <= 2:  # 差评必整改: its case, answered and closed the next day
                _closed_case(tx, hall, cur.lastrowid, score, finished + 30, h["tz"])
        n += 1
    return n


def _closed_case(tx: Tx, hall: str, ticket: int, score: int, rated_at: float, tz: str) -> None:
    """A past bad rating's rectification case, as the hall would have handled it."""
    done = rated_at + 86400
    tx.run("INSERT INTO rectifications (hall, ticket, score, status, opened_at, due_at, owner,"
           " assigned_at, response, responded_at, responded_by, outcome, closed_at, closed_by)"
           " VALUES (?, ?, ?, 'closed', ?, ?, 'manager', ?, ?, ?, 'manager', ?, ?, 'manager')",
           (hall, ticket, score, rated_at, rectification.add_working_days(rated_at, 5, tz),
            rated_at + 600, "您好，已核实情况并对窗口人员进行提醒，感谢您的监督。", done,
            "已约谈窗口人员，纳入月度考评", done))
