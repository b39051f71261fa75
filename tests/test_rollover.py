"""The end of a day: yesterday's leftovers never reach today's queue."""
from __future__ import annotations

import time

from queue_server import registry
from queue_server.domain import planner, tickets
from queue_server.domain import window_state as win
from queue_server.domain.rollover import Rollover

DAY = 86400


def at(db, ts, fn):
    def _tx(tx):
        tx.now = ts
        return fn(tx)
    return db.write("clerk01", _tx)


def test_leftovers_of_yesterday_are_ended_and_windows_closed(app, db):
    yesterday = time.time() - DAY
    waiting = at(db, yesterday, lambda tx: tickets.issue(tx, "demo", "hukou", "kiosk")[0])
    called = at(db, yesterday, lambda tx: tickets.issue(tx, "demo", "hukou", "kiosk")[0])
    at(db, yesterday, lambda tx: win.open_(tx, win.get(tx, "W13"), "clerk01"))
    at(db, yesterday, lambda tx: tickets.call(tx, win.get(tx, "W13"), called["id"]))
    at(db, yesterday + 1, lambda tx: win.open_(tx, win.get(tx, "W14"), "clerk02"))

    # Before the rollover has run, the dispatcher already ignores yesterday's tickets.
    snap = planner.snapshot(db.conn(), "demo")
    assert waiting["id"] not in {t["id"] for t in snap["tickets"]}

    assert Rollover(db).ensure("demo") == 2
    status = {r["id"]: r["status"] for r in db.all("SELECT id, status FROM tickets")}
    assert status == {waiting["id"]: "cancelled", called["id"]: "no_show"}
    for wid in ("W13", "W14"):
        w = db.one("SELECT * FROM windows WHERE id = ?", (wid,))
        assert (w["status"], w["clerk"], w["current"]) == ("closed", None, None)
    actions = [(r["action"], r["actor"]) for r in db.all(
        "SELECT action, actor FROM events WHERE actor = 'system'"
        " AND action NOT IN ('seed_demo', 'user_add') ORDER BY seq")]
    assert actions == [("expire", "system"), ("no_show", "system"),
                       ("window_close", "system"), ("window_close", "system")]
    # Today starts from 001 again, with an empty queue.
    r = app.test_client().post("/api/v1/halls/demo/tickets", json={"service": "hukou"})
    assert r.json["ticket"]["number"] == "F001"
    counts = app.test_client().get("/api/v1/halls/demo/services").json["services"]
    assert next(s for s in counts if s["id"] == "hukou")["waiting"] == 1


def test_rollover_runs_once_per_day(db):
    roll = Rollover(db)
    roll.ensure("demo")
    before = db.one("SELECT COUNT(*) FROM events")[0]
    at(db, time.time() - DAY, lambda tx: tickets.issue(tx, "demo", "hukou", "kiosk"))
    assert roll.ensure("demo") == 0  # already checked today: no second look
    assert db.one("SELECT COUNT(*) FROM events")[0] == before + 1


def test_first_issue_of_the_day_triggers_the_rollover(app, db):
    registry.services(app).rollover._clean.clear()
    old = at(db, time.time() - DAY, lambda tx: tickets.issue(tx, "demo", "hukou", "kiosk")[0])
    app.test_client().post("/api/v1/halls/demo/tickets", json={"service": "hukou"})
    assert db.one("SELECT status FROM tickets WHERE id = ?", (old["id"],))[0] == "cancelled"
