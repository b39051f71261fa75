"""The staffing plan in the server: the hall's recorded days with their real window hours,
tomorrow's plan and today's against what is open, in the API and the console."""
from __future__ import annotations

import pytest

from queue_server.demo_history import seed_history
from queue_server.domain import clock, tickets
from queue_server.domain import window_state as win
from queue_server.manager import skills_advice, staffing

H = "/api/v1/halls/demo"
TZ = "Asia/Shanghai"


def at(db, when, fn, actor="system"):
    def _tx(tx):
        tx.now = when
        return fn(tx)
    return db.write(actor, _tx)


def test_a_recorded_day_carries_each_windows_real_hours(db):
    """Events say when W13 was staffed (opened, paused for lunch, reopened, closed); W14,
    with no events that day, counts from its first call to its last finish; the others were
    not staffed at all."""
    day = clock.day_of(clock.now() - 86400, TZ)
    t0, _ = clock.day_bounds(day, TZ)
    h = 3600
    at(db, t0 + 9 * h, lambda tx: win.open_(tx, win.get(tx, "W13"), "clerk01"))
    at(db, t0 + 12 * h, lambda tx: win.pause(tx, win.get(tx, "W13"), "午休"))
    at(db, t0 + 13 * h, lambda tx: win.open_(tx, win.get(tx, "W13"), "clerk01"))
    at(db, t0 + 16 * h, lambda tx: win.close(tx, win.get(tx, "W13")))
    tid = at(db, t0 + 10 * h, lambda tx: tickets.issue(tx, "demo", "hukou", "kiosk")[0]["id"])
    db.conn().execute("UPDATE windows SET status = 'open' WHERE id = 'W14'")  # no event
    at(db, t0 + 10.5 * h, lambda tx: tickets.call(tx, win.get(tx, "W14"), tid))
    at(db, t0 + 11 * h, lambda tx: tickets.finish(tx, win.get(tx, "W14")))
    tr = skills_advice.trace(db.conn(), "demo", day)
    hours = {w["id"]: w["open"] for w in tr["windows"]}
    assert hours["W13"] == [[9 * h, 12 * h], [13 * h, 16 * h]]
    assert hours["W14"] == [[10.5 * h, 11 * h]]
    assert hours["W01"] == []


@pytest.fixture
def recorded(db):
    """Eight working days of the demo hall's seeded history before today."""
    seed_history(db, "demo", 8)
    return db


def test_tomorrows_plan_opens_fewer_window_hours_than_all_day_and_is_the_same_twice(
        recorded, mgr):
    r = mgr.get(f"{H}/staffing")
    assert r.status_code == 200, r.json
    p = r.json["plan"]
    tomorrow = clock.day_of(clock.now() + 86400, TZ)
    assert p["date"] == tomorrow
    assert "now" not in r.json
    assert p["basis"]["days"] == 8
    assert p["replays"] <= staffing.MAX_REPLAYS
    assert p["target"] == {**p["target"], "wait_s": 900.0, "share": 0.9}
    windows = {w["id"] for w in mgr.get(f"{H}/windows").json["windows"]}
    assert p["hours"]
    assert all(set(x["windows"]) <= windows and x["open"] == len(x["windows"])
               for x in p["hours"])
    assert 0 < p["window_hours"] < p["all_open_window_hours"]
    assert mgr.get(f"{H}/staffing").json == r.json  # kept: the days before it don't change


def test_todays_plan_against_what_is_open_now(recorded, mgr, auth, client):
    today = clock.day_of(clock.now(), TZ)
    r = mgr.get(f"{H}/staffing?date={today}&wait_min=10&share=80")
    assert r.status_code == 200, r.json
    assert r.json["plan"]["target"]["wait_s"] == 600.0
    now = r.json["now"]
    assert now["open"] == []
    assert now["to_open"] == now["planned"]
    auth.logout()
    auth.login("clerk01")
    assert client.post("/api/v1/windows/W01/open").status_code == 200
    auth.logout()
    auth.login("manager")
    now = client.get(f"{H}/staffing?date={today}&wait_min=10&share=80").json["now"]
    assert now["open"] == ["W01"]
    assert "W01" not in now["to_open"]
    assert ("W01" in now["could_close"]) == ("W01" not in now["planned"])


def test_refusals(db, mgr, auth, client):
    r = mgr.get(f"{H}/staffing")
    assert r.status_code == 422
    assert r.json["error"]["code"] == "no_history"
    for bad in ("date=2026-13-01", "date=tomorrow", "wait_min=0", "share=100"):
        r = mgr.get(f"{H}/staffing?{bad}")
        assert r.status_code == 400, (bad, r.json)
        assert set(r.json) == {"error"}
    assert mgr.get("/api/v1/halls/nowhere/staffing").status_code == 404
    auth.logout()
    assert client.get(f"{H}/staffing").status_code == 401
    auth.login("clerk01")
    assert client.get(f"{H}/staffing").status_code == 403
