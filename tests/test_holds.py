"""The three hold kinds (持件 keep, 不持件 release, 等待 wait): who may resume or unhold which
hold from which window, the service clock per kind, the hall's auto-return timers, the held
lists; every refusal changes nothing (the whole database compared before and after)."""
from __future__ import annotations

import json
import time

import pytest

from queue_server import auth, registry
from queue_server.domain import clock, holds, tickets
from queue_server.manager import stats
from tests.helpers import PASSWORD, error_code

H = "/api/v1/halls/demo"
W = "/api/v1/windows"


def snapshot(db) -> dict:
    """Every row that a refusal must leave alone."""
    return {t: [tuple(r) for r in db.all(f"SELECT * FROM {t} ORDER BY 1")]
            for t in ("tickets", "windows", "halls", "events", "skills")}


def signed_in(app, user: str, window: str | None = None):
    c = app.test_client()
    assert c.post("/api/v1/auth/login", json={"username": user,
                                              "password": PASSWORD}).status_code == 200
    if window:
        assert c.post(f"{W}/{window}/open").status_code == 200
    return c


def serving(app, clerk, window: str, service: str = "hukou") -> dict:
    """Issue a ticket and bring it to ``serving`` at ``window``."""
    app.test_client().post(f"{H}/tickets", json={"service": service})
    t = clerk.post(f"{W}/{window}/call-next").json["ticket"]
    assert clerk.post(f"{W}/{window}/start").status_code == 200
    return t


def held_by(app, kind: str | None, reason: str = "回家取户口本"):
    """clerk01 at W13 holds a hukou ticket with ``kind``."""
    clerk = signed_in(app, "clerk01", "W13")
    t = serving(app, clerk, "W13")
    body = {"reason": reason} | ({"kind": kind} if kind else {})
    r = clerk.post(f"{W}/W13/hold", json=body)
    assert r.status_code == 200, r.json
    assert r.json["ticket"]["status"] == "held"
    return clerk, t


def received(screen, name: str) -> list[tuple[str, dict]]:
    """Every (event, payload) a socket got until one named ``name`` came (the publisher
    sends after the commit, off the request: looked for a few times)."""
    got: list = []
    for _ in range(100):
        got += [(m["name"], m["args"][0]) for m in screen.get_received()]
        if any(n == name for n, _ in got):
            return got
        time.sleep(0.05)
    return got


def refused(client, path: str, body: dict, db, status: int, code: str | None = None) -> None:
    before = snapshot(db)
    r = client.post(path, json=body)
    assert r.status_code == status, r.json
    if code:
        assert error_code(r) == code
    assert snapshot(db) == before


def test_a_hold_without_kind_is_keep_as_before(app, db):
    clerk, t = held_by(app, None)
    row = db.one("SELECT * FROM tickets WHERE id = ?", (t["id"],))
    assert (row["hold_kind"], row["hold_by"], row["window"]) == ("keep", "clerk01", "W13")
    trail = [r["action"] for r in db.all("SELECT action FROM events WHERE ticket = ?"
                                         " ORDER BY seq", (t["id"],))]
    assert trail == ["issue", "call", "start", "hold"]  # the hold: one audit event
    ev = db.one("SELECT actor, detail FROM events WHERE action = 'hold'")
    assert ev["actor"] == "clerk01"
    assert json.loads(ev["detail"])["kind"] == "keep"
    assert clerk.post(f"{W}/W13/unhold", json={"ticket": t["id"]}).json["ticket"][
        "status"] == "waiting"


def test_an_unknown_kind_is_refused_and_changes_nothing(app, db):
    clerk = signed_in(app, "clerk01", "W13")
    serving(app, clerk, "W13")
    refused(clerk, f"{W}/W13/hold", {"kind": "forever"}, db, 422, "invalid_kind")
    refused(clerk, f"{W}/W13/hold", {"kind": None}, db, 400)
    refused(clerk, f"{W}/W13/hold", {"kind": "keep", "extra": 1}, db, 400, "unknown_field")


def test_keep_only_the_clerk_who_held_it_at_that_window_resumes(app, db):
    clerk, t = held_by(app, "keep")
    other = signed_in(app, "clerk02", "W14")  # W14 serves hukou too
    body = {"ticket": t["id"]}
    refused(other, f"{W}/W14/resume", body, db, 404, "not_found")  # another window's case
    refused(other, f"{W}/W14/unhold", body, db, 404, "not_found")
    refused(other, f"{W}/W13/resume", body, db, 403)  # clerk01 is signed into W13
    # clerk01 leaves W13 and clerk03 takes it: still not theirs to resume
    assert clerk.post(f"{W}/W13/close").status_code == 200
    third = signed_in(app, "clerk03", "W13")
    refused(third, f"{W}/W13/resume", body, db, 403, "not_your_hold")
    refused(third, f"{W}/W13/unhold", body, db, 403, "not_your_hold")
    assert third.post(f"{W}/W13/close").status_code == 200
    assert clerk.post(f"{W}/W13/open").status_code == 200
    before = db.one("SELECT MAX(seq) FROM events")[0]
    r = clerk.post(f"{W}/W13/resume", json=body)
    assert r.status_code == 200, r.json
    assert r.json["ticket"]["status"] == "serving"
    assert db.one("SELECT current FROM windows WHERE id = 'W13'")[0] == t["id"]
    new = db.all("SELECT action, actor, detail FROM events WHERE seq > ?", (before,))
    assert [e["action"] for e in new] == ["resume"]  # one transaction, one audit event
    assert json.loads(new[0]["detail"])["kind"] == "keep"
    # resumed: not held any more
    refused(clerk, f"{W}/W13/resume", body, db, 409)


def test_a_manager_resumes_a_kept_case_only_at_its_window(app, db, mgr):
    _, t = held_by(app, "keep")
    signed_in(app, "clerk02", "W14")
    refused(mgr, f"{W}/W14/resume", {"ticket": t["id"]}, db, 404)
    # but may put it back in line from anywhere (as before the kinds)
    r = mgr.post(f"{W}/W14/unhold", json={"ticket": t["id"]})
    assert r.status_code == 200, r.json
    assert r.json["ticket"]["status"] == "waiting"


def test_release_any_window_that_can_serve_it_resumes(app, db):
    _, t = held_by(app, "release")
    cannot = signed_in(app, "clerk04", "W01")  # W01: business set-up, no hukou
    refused(cannot, f"{W}/W01/resume", {"ticket": t["id"]}, db, 422, "cannot_serve")
    refused(cannot, f"{W}/W01/unhold", {"ticket": t["id"]}, db, 422, "cannot_serve")
    other = signed_in(app, "clerk02", "W14")
    listed = other.get(f"{W}/W14").json["held"]
    assert [(h["number"], h["hold_kind"], h["actions"]) for h in listed] == [
        (t["number"], "release", ["resume", "unhold"])]
    assert cannot.get(f"{W}/W01").json["held"] == []
    r = other.post(f"{W}/W14/resume", json={"ticket": t["id"]})
    assert r.status_code == 200, r.json
    assert r.json["ticket"]["window"]["id"] == "W14"
    assert db.one("SELECT current FROM windows WHERE id = 'W14'")[0] == t["id"]
    assert other.post(f"{W}/W14/finish").json["ticket"]["status"] == "done"
    assert db.one("SELECT served_by FROM tickets WHERE id = ?", (t["id"],))[0] == "clerk02"


def test_wait_the_window_resumes_whoever_is_signed_in(app, db):
    clerk, t = held_by(app, "wait")
    other = signed_in(app, "clerk02", "W14")
    refused(other, f"{W}/W14/resume", {"ticket": t["id"]}, db, 404)
    assert other.get(f"{W}/W14").json["held"] == []
    assert clerk.post(f"{W}/W13/close").status_code == 200
    third = signed_in(app, "clerk03", "W13")
    assert [h["actions"] for h in third.get(f"{W}/W13").json["held"]] == [["resume", "unhold"]]
    r = third.post(f"{W}/W13/resume", json={"ticket": t["id"]})
    assert r.status_code == 200, r.json
    assert r.json["ticket"]["status"] == "serving"


def test_resume_needs_an_open_free_window(app, db):
    clerk, t = held_by(app, "keep")
    serving(app, clerk, "W13")  # the window took the next citizen meanwhile
    refused(clerk, f"{W}/W13/resume", {"ticket": t["id"]}, db, 409, "window_busy")
    clerk.post(f"{W}/W13/finish")
    clerk.post(f"{W}/W13/pause")
    refused(clerk, f"{W}/W13/resume", {"ticket": t["id"]}, db, 409, "window_not_open")
    refused(clerk, f"{W}/W13/resume", {"ticket": 2**70}, db, 404)
    refused(clerk, f"{W}/W13/resume", {"ticket": "x"}, db, 400)


@pytest.mark.parametrize("role", ["anonymous", "guide", "other_clerk"])
def test_who_may_not_hold_or_resume_at_all(app, db, role):
    clerk, t = held_by(app, "release")
    serving(app, clerk, "W13")  # something to hold
    if role == "anonymous":
        c, status = app.test_client(), 401
    elif role == "guide":
        registry.db(app).write("system", lambda tx: auth.create_user(
            tx, "guide01", "guide", PASSWORD, "导办员01", "D001", hall="demo"))
        c, status = signed_in(app, "guide01"), 403
    else:
        c, status = signed_in(app, "clerk02", "W14"), 403  # W13 is clerk01's
    refused(c, f"{W}/W13/hold", {"kind": "keep"}, db, status)
    refused(c, f"{W}/W13/resume", {"ticket": t["id"]}, db, status)
    refused(c, f"{W}/W13/unhold", {"ticket": t["id"]}, db, status)
    # the hall's held list is for staff: any clerk of the hall reads it
    assert c.get(f"{H}/holds").status_code == (200 if role == "other_clerk" else status)


def test_the_clock_runs_for_keep_and_stops_for_release_and_wait(app, db):
    """Held for 60 s in the middle of 100 s at the window: a 持件 case took 100 s of service,
    a released or waiting one 40 s; the window was busy 40 s either way. Each kind on its own
    earlier day, so each day's statistics hold that one case."""
    signed_in(app, "clerk01", "W13")
    got = {}
    for n, kind in enumerate(holds.KINDS, start=1):
        t0 = clock.now() - n * 86400

        def step(fn, at):
            def _tx(tx):
                tx.now = at
                return fn(tx)
            return db.write("clerk01", _tx)

        def w(tx):
            return tx.one("SELECT * FROM windows WHERE id = 'W13'")

        row, _ = step(lambda tx: tickets.issue(tx, "demo", "hukou", "kiosk"), t0)
        step(lambda tx, r=row: tickets.call(tx, w(tx), r["id"]), t0 + 1)
        step(lambda tx: tickets.start(tx, w(tx)), t0 + 10)
        step(lambda tx, k=kind: holds.hold(tx, w(tx), k, None), t0 + 40)
        step(lambda tx, r=row: holds.resume(tx, w(tx), r["id"], "clerk01", False), t0 + 100)
        step(lambda tx: tickets.finish(tx, w(tx)), t0 + 110)
        s = stats.compute(db.conn(), "demo", clock.day_of(t0, "Asia/Shanghai"))
        got[kind] = (s["mean_service_s"], next(x["busy_s"] for x in s["by_window"]
                                               if x["window"] == "W13"))
        counted = {k["kind"]: k for k in s["holds"]}
        assert (counted[kind]["holds"], counted[kind]["resumed"]) == (1, 1)
        assert counted[kind]["held_s"] == 60.0
        assert counted[kind]["clock"] == ("runs" if kind == "keep" else "stops")
    assert got == {"keep": (100.0, 40.0), "release": (40.0, 40.0), "wait": (40.0, 40.0)}


def test_the_halls_timer_returns_a_held_ticket_to_the_queue(app, db, mgr, sio):
    r = mgr.put(f"{H}/hold-return", json={"release": 120})
    assert r.json["return_after_s"] == {"keep": None, "release": 120, "wait": None}
    _, t = held_by(app, "release")
    screen = sio(app.test_client())
    screen.emit("subscribe", {"hall": "demo"}, callback=True)
    screen.get_received()
    returner = registry.services(app).hold_return
    row = db.one("SELECT held_at, hold_until FROM tickets WHERE id = ?", (t["id"],))
    assert row["hold_until"] == pytest.approx(row["held_at"] + 120)
    before = snapshot(db)
    assert returner.tick(now=row["held_at"] + 119) == 0  # not yet
    assert snapshot(db) == before
    seq = db.one("SELECT MAX(seq) FROM events")[0]
    assert returner.tick(now=row["held_at"] + 121) == 1
    after = db.one("SELECT status, window, order_at, issued_at, hold_until FROM tickets"
                   " WHERE id = ?", (t["id"],))
    assert (after["status"], after["window"], after["hold_until"]) == ("waiting", None, None)
    assert after["order_at"] == after["issued_at"]  # its original place in line
    new = db.all("SELECT action, actor, detail FROM events WHERE seq > ?", (seq,))
    assert [(e["action"], e["actor"]) for e in new] == [("hold_return", "system")]
    assert json.loads(new[0]["detail"])["held_s"] == pytest.approx(121, abs=0.5)
    assert returner.tick(now=row["held_at"] + 500) == 0  # once
    pushed = received(screen, "holds.updated")
    assert [(p["number"], p["status"], p["held"]) for n, p in pushed
            if n == "holds.updated"] == [(t["number"], "waiting", 0)]
    assert "queue.updated" in [n for n, _ in pushed]  # the hall screens' waiting counts


def test_a_call_next_returns_due_holds_first(app, db, mgr):
    mgr.put(f"{H}/hold-return", json={"release": 60})
    _, t = held_by(app, "release")
    # the hold began 61 s ago as far as its timer is concerned
    db.write("system", lambda tx: tx.run("UPDATE tickets SET hold_until = ? WHERE id = ?",
                                         (clock.now() - 1, t["id"])))
    other = signed_in(app, "clerk02", "W14")
    r = other.post(f"{W}/W14/call-next")
    assert r.json["ticket"]["id"] == t["id"]
    actions = [e["action"] for e in db.all("SELECT action FROM events WHERE ticket = ?"
                                           " ORDER BY seq", (t["id"],))]
    assert actions[-2:] == ["hold_return", "call"]


def test_hold_return_settings_rules(app, db, mgr):
    clerk = signed_in(app, "clerk01")
    before = snapshot(db)
    assert clerk.put(f"{H}/hold-return", json={"keep": 600}).status_code == 403
    assert app.test_client().put(f"{H}/hold-return", json={"keep": 600}).status_code == 401
    for bad in ({"keep": 5}, {"wait": 10**6}, {"keep": "600"}, {"forever": 1}):
        assert mgr.put(f"{H}/hold-return", json=bad).status_code in (400, 422), bad
    assert mgr.put("/api/v1/halls/nowhere/hold-return", json={"keep": 600}).status_code == 404
    assert snapshot(db) == before
    assert mgr.put(f"{H}/hold-return", json={"keep": 600}).json["return_after_s"] == {
        "keep": 600, "release": 1800, "wait": None}
    assert mgr.put(f"{H}/hold-return", json={"keep": None}).json["return_after_s"]["keep"] is None


def test_held_lists_for_the_monitor_and_the_live_event(app, db, mgr, sio):
    screen = sio(app.test_client())
    screen.emit("subscribe", {"hall": "demo"}, callback=True)
    screen.get_received()
    _, t = held_by(app, "wait", reason="等待不动产中心回复")
    listed = mgr.get(f"{H}/holds").json
    assert [(h["number"], h["hold_kind"], h["held_by"], h["held_window"], h["hold_reason"])
            for h in listed["held"]] == [(t["number"], "wait", "clerk01", "W13",
                                          "等待不动产中心回复")]
    monitor = mgr.get(f"{H}/monitor").json
    assert [h["number"] for h in monitor["held"]] == [t["number"]]
    assert monitor["today"]["held"] == 1
    got = [p for n, p in received(screen, "holds.updated") if n == "holds.updated"]
    assert got, "no holds.updated"
    payload = got[0]
    assert (payload["number"], payload["kind"], payload["status"], payload["held"]) == (
        t["number"], "wait", "held", 1)
    assert "等待" not in json.dumps(payload, ensure_ascii=False)  # no reason on the hall room


def test_tickets_held_before_the_kinds_existed_become_keep_holds_of_their_window(tmp_path,
                                                                                monkeypatch):
    from queue_server.store import db as dbmod
    from queue_server.store.migrations import MIGRATIONS

    monkeypatch.setattr(dbmod, "MIGRATIONS", MIGRATIONS[:9])  # as the previous release left it
    conn = dbmod.connect(str(tmp_path / "old.db"))
    assert dbmod.migrate(conn)[-1] == "m009_purgeable_appointments"
    conn.execute("INSERT INTO halls (id, name, live_seq) VALUES ('h1', '老大厅', 0)")
    conn.execute("INSERT INTO users (username, role, password_hash, active, created_at)"
                 " VALUES ('old_clerk', 'clerk', 'x', 1, 0)")
    conn.execute("INSERT INTO categories (id, hall, name, prefix) VALUES ('c', 'h1', '类', 'A')")
    conn.execute("INSERT INTO services (id, hall, category, name, mean_service_s)"
                 " VALUES ('s', 'h1', 'c', '业务', 300)")
    conn.execute("INSERT INTO windows (id, hall, name, status, clerk) VALUES"
                 " ('W1', 'h1', '1号窗口', 'open', 'old_clerk')")
    conn.execute("INSERT INTO tickets (hall, day, number, service, status, issued_at, order_at,"
                 " window, held_at) VALUES ('h1', '2026-01-01', 'A001', 's', 'held', 1, 1,"
                 " 'W1', 2)")
    conn.commit()
    monkeypatch.undo()
    assert dbmod.migrate(conn)[0] == "m010_holds_outcomes"
    row = conn.execute("SELECT hold_kind, hold_by, held_s, paused_s, outcome FROM tickets"
                       ).fetchone()
    assert tuple(row) == ("keep", "old_clerk", 0, 0, None)
    assert conn.execute("SELECT outcomes, hold_return FROM halls").fetchone()[:] == (None, None)
    conn.close()
