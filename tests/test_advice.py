"""Skills advice from the hall's own history; applying it changes the matrix and the audit."""
from __future__ import annotations

import pytest

from queue_server.domain import clock, tickets
from queue_server.domain import window_state as win
from queue_server.manager import skills_advice

H = "/api/v1/halls/demo"


def record_day(db, n: int = 24) -> str:
    """Yesterday: a burst of household-registration tickets that only W13 served."""
    day = clock.day_of(clock.now() - 86400, "Asia/Shanghai")
    t0, _ = clock.day_bounds(day, "Asia/Shanghai")

    def at(when, fn, actor="system"):
        def _tx(tx):
            tx.now = when
            return fn(tx)
        return db.write(actor, _tx)

    at(t0 + 9 * 3600 - 60, lambda tx: win.open_(tx, win.get(tx, "W13"), "clerk01"))
    def issue(tx):
        return tickets.issue(tx, "demo", "hukou", "kiosk")[0]["id"]

    ids = [at(t0 + 9 * 3600 + 60 * i, issue) for i in range(n)]
    t = t0 + 9 * 3600
    for tid in ids:
        at(t, lambda tx, tid=tid: tickets.call(tx, win.get(tx, "W13"), tid))
        t += 300
        at(t, lambda tx: tickets.finish(tx, win.get(tx, "W13")))
    return day


def test_trace_from_history(db):
    day = record_day(db, 6)
    tr = skills_advice.trace(db.conn(), "demo", day)
    assert [a["service"] for a in tr["arrivals"]] == ["hukou"] * 6
    assert tr["arrivals"][0]["t"] == 9 * 3600
    assert tr["arrivals"][1]["t"] == 9 * 3600 + 60
    assert all(a["service_s"] == 300 for a in tr["arrivals"])
    assert {w["id"]: w["skills"] for w in tr["windows"]}["W13"] == {"hukou": 1.0, "civil": 0.5}


def test_advice_through_the_console_applies_and_is_audited(db, mgr):
    record_day(db)
    r = mgr.get(f"{H}/advice?max_changes=2&days=3")
    assert r.status_code == 200, r.json
    a = r.json
    assert len(a["changes"]) <= 2
    assert a["arrivals"] == 24
    assert set(a["current"]) >= {"mean_wait_s", "p95_wait_s"}
    assert a["expected"]["mean_wait_s"] <= a["current"]["mean_wait_s"]
    changes = a["changes"] or [{"window": "W14", "service": "civil", "from": None, "to": 0.5}]
    r = mgr.post(f"{H}/advice/apply", json={"changes": changes})
    assert r.status_code == 200, r.json
    matrix = {w["id"]: w["skills"] for w in r.json["windows"]}
    for c in changes:
        assert matrix[c["window"]].get(c["service"]) == c["to"]
    events = mgr.get(f"{H}/audit").json["events"]
    skills_events = [e for e in events if e["action"] == "window_skills"]
    assert {e["window"] for e in skills_events} == {c["window"] for c in changes}
    assert all(e["actor"] == "manager" for e in skills_events)
    assert [e for e in events if e["action"] == "advice_apply"][-1]["actor"] == "manager"
    # The same advice again is stale: the matrix changed since it was computed.
    r = mgr.post(f"{H}/advice/apply", json={"changes": changes})
    assert r.status_code == 409
    assert r.json["error"]["code"] == "advice_stale"


@pytest.mark.parametrize(("changes", "status"), [
    ([{"window": "W13", "service": "hukou", "to": None}], 422),   # W13's last primary skill
    ([{"window": "W99", "service": "hukou", "to": 1}], 404),
    ([{"window": "W13", "service": "nope", "to": 1}], 422),
    ([{"window": "W13", "service": "fund", "to": 2}], 422),
    ("x", 422),
])
def test_bad_advice_is_refused_and_changes_nothing(db, mgr, changes, status):
    before = mgr.get(f"{H}/windows").json
    r = mgr.post(f"{H}/advice/apply", json={"changes": changes})
    assert r.status_code == status
    assert "error" in r.json
    assert mgr.get(f"{H}/windows").json == before


def test_no_history_is_a_422(mgr):
    r = mgr.get(f"{H}/advice")
    assert r.status_code == 422
    assert r.json["error"]["code"] == "no_history"


def test_live_hint_when_a_service_has_no_open_window(db, mgr):
    mgr.post("/api/v1/windows/W01/open")
    db.write("citizen", lambda tx: tickets.issue(tx, "demo", "estate", "kiosk"))
    hints = mgr.get(f"{H}/monitor").json["hints"]
    estate = [h for h in hints if h["service"] == "estate"]
    assert len(estate) == 1
    assert estate[0]["kind"] in ("open", "give")
    assert estate[0]["expected_s"] <= 2400
    assert estate[0]["text"]
    assert estate[0]["text_en"]
