"""Auto mode: a free window is offered its next ticket by itself after the wrap-up time."""
from __future__ import annotations

import time

import pytest

from queue_server import create_app, registry


@pytest.fixture
def auto_app(app):
    registry.services(app).autocall.wrap_up_s = 0.5
    return app


def wait_for(fn, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.05)
    return fn()


def test_auto_window_calls_by_itself_after_wrap_up(auto_app, auth, client, db):
    auth.login("clerk01")
    client.post("/api/v1/windows/W13/open")
    assert client.put("/api/v1/windows/W13/auto", json={"auto": True}).json["window"]["auto"]
    citizen = auto_app.test_client()
    first = citizen.post("/api/v1/halls/demo/tickets", json={"service": "hukou"}).json
    second = citizen.post("/api/v1/halls/demo/tickets", json={"service": "hukou"}).json

    def current():
        return client.get("/api/v1/windows/W13").json["window"]["current"]

    assert wait_for(current)["number"] == first["ticket"]["number"]
    finished_at = time.time()
    client.post("/api/v1/windows/W13/finish")
    nxt = wait_for(lambda: (current() or {}).get("number") == second["ticket"]["number"])
    assert nxt
    # Not before the wrap-up time had passed.
    row = db.one("SELECT called_at FROM tickets WHERE id = ?", (second["ticket"]["id"],))
    assert row["called_at"] - finished_at >= 0.45
    actor = db.one("SELECT actor FROM events WHERE action = 'call' AND ticket = ?",
                   (second["ticket"]["id"],))["actor"]
    assert actor == "system"


def test_auto_off_window_waits_for_its_clerk(app, auth, client):
    auth.login("clerk01")
    client.post("/api/v1/windows/W13/open")
    app.test_client().post("/api/v1/halls/demo/tickets", json={"service": "hukou"})
    caller = registry.services(app).autocall
    assert caller.tick(now=time.time() + 3600) == 0
    assert client.get("/api/v1/windows/W13").json["window"]["current"] is None


def test_paused_auto_window_is_not_called(app, auth, client):
    auth.login("clerk01")
    client.post("/api/v1/windows/W13/open")
    client.put("/api/v1/windows/W13/auto", json={"auto": True})
    client.post("/api/v1/windows/W13/pause", json={"reason": "会议"})
    app.test_client().post("/api/v1/halls/demo/tickets", json={"service": "hukou"})
    assert registry.services(app).autocall.tick(now=time.time() + 3600) == 0


def test_auto_windows_resume_after_restart(app, auth, client):
    auth.login("clerk01")
    client.post("/api/v1/windows/W13/open")
    client.put("/api/v1/windows/W13/auto", json={"auto": True})
    again = create_app({"DB": app.config["DB"], "TESTING": True})
    assert registry.services(again).autocall.loop.started
