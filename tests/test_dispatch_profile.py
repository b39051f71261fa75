"""The nightly safeguard in the server: each hall's profile chosen from its own recent days,
stored with its audit event, and used by the plan and the forecast from that commit on."""
from __future__ import annotations

import json

from dispatcher import baselines, model
from queue_server import cli, demo_history
from queue_server.domain import clock, forecast_cache, planner
from queue_server.live import profiles
from queue_server.manager import dispatch_profile
from tests.helpers import PASSWORD

H = "/api/v1/halls/demo"


def _clerk(app, n: int):
    c = app.test_client()
    assert c.post("/api/v1/auth/login", json={"username": f"clerk{n:02d}",
                                              "password": PASSWORD}).status_code == 200
    assert c.post(f"/api/v1/windows/W{n:02d}/open").status_code == 200
    return c


def test_a_hall_without_enough_days_keeps_the_defaults(app, db):
    [r] = profiles.learn_all(db)
    assert r["profile"] is None
    assert r["reason"] == "too_few_days"
    assert planner.snapshot(db.conn(), "demo").get("params") is None
    assert profiles.due(db) == []  # chosen (to keep the defaults) for today: not again today
    assert profiles.learn_all(db) == []


def test_recent_days_choose_and_the_choice_is_stored_audited_and_used(app, db, mgr):
    demo_history.seed_history(db, "demo", days=dispatch_profile.MIN_DAYS)
    conn = db.conn()
    before = forecast_cache.version(conn, "demo")
    [r] = profiles.learn_all(db)
    assert r["profile"] in ("default", "fifo")
    assert len(r["days"]) == dispatch_profile.MIN_DAYS
    assert r["history"]["fifo"]["mean_ratio"] == 1.0
    assert forecast_cache.version(conn, "demo") > before  # kept inputs are read again
    stored = mgr.get(f"{H}/dispatch-profile").json["profile"]
    assert stored == json.loads(json.dumps({k: v for k, v in r.items() if k != "hall"}))
    event = conn.execute("SELECT actor, detail FROM events WHERE action = 'dispatch_profile'"
                         " ORDER BY seq DESC LIMIT 1").fetchone()
    assert event["actor"] == "system"
    assert json.loads(event["detail"])["profile"] == r["profile"]
    # the same days choose the same again (deterministic: work budgets, not seconds)
    with db.read() as c:
        again = dispatch_profile.learn(c, "demo")
    assert again["profile"] == r["profile"]
    assert again["history"] == r["history"]


def test_a_fifo_choice_makes_the_hall_call_as_fifo(app, db):
    """Stored as the nightly replay stores it: the snapshot carries the plain rule, and a
    call-next gives exactly the ticket fifo would."""
    clerk = _clerk(app, 1)  # W01: biz-setup, and biz-change when it helps
    citizen = app.test_client()
    for service in ("biz-change", "biz-setup", "biz-change", "biz-setup"):
        assert citizen.post(f"{H}/tickets", json={"service": service}).status_code == 201
    fifo_choice = {"profile": "fifo", "params": {"fifo_order": 1.0}, "days": [],
                   "learned_for": clock.day_of(clock.now(), None), "history": {}}
    db.write("system", lambda tx: dispatch_profile.store(tx, "demo", fifo_choice))
    snap = planner.snapshot(db.conn(), "demo", only_free="W01")
    assert snap["params"] == {"fifo_order": 1.0}
    expected = baselines.fifo(snap)
    assert model.plan(snap) == expected
    called = clerk.post("/api/v1/windows/W01/call-next").json["ticket"]
    assert called["id"] == expected[0]["ticket"]


def test_only_managers_choose_and_a_refusal_changes_nothing(app, db, mgr):
    clerk = _clerk(app, 2)
    assert clerk.post(f"{H}/dispatch-profile", json={}).status_code == 403
    assert clerk.get(f"{H}/dispatch-profile").status_code == 403
    assert dispatch_profile.current(db.conn(), "demo") is None
    r = mgr.post(f"{H}/dispatch-profile", json={})
    assert r.status_code == 200
    assert r.json["profile"]["reason"] == "too_few_days"
    assert dispatch_profile.current(db.conn(), "demo")["learned_for"] == \
        r.json["profile"]["learned_for"]
    assert mgr.post("/api/v1/halls/nowhere/dispatch-profile", json={}).status_code == 404


def test_the_cli_chooses_and_shows(app, db, capsys):
    demo_history.seed_history(db, "demo", days=dispatch_profile.MIN_DAYS)
    path = app.config["DB"]
    assert cli.main(["--db", path, "dispatch", "show"]) == 0
    assert "not chosen yet" in capsys.readouterr().out
    assert cli.main(["--db", path, "dispatch", "learn", "--hall", "nowhere"]) == 1
    assert cli.main(["--db", path, "dispatch", "learn"]) == 0
    out = capsys.readouterr().out
    assert f"from {dispatch_profile.MIN_DAYS} days" in out
    assert cli.main(["--db", path, "dispatch", "show"]) == 0
    assert "mean wait / fifo" in capsys.readouterr().out
