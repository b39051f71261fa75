"""超时预警: a waiting ticket past its service's wait limit is flagged and pushed to managers."""
from __future__ import annotations

from queue_server import clock
from queue_server.alerts import Checker, overdue
from tests.helpers import PASSWORD

H = "/api/v1/halls/demo"


def test_overdue_tickets_are_pushed_once_to_the_managers_room(app, client, auth, sio, db):
    citizen = app.test_client()
    number = citizen.post(f"{H}/tickets", json={"service": "hukou"}).json["ticket"]["number"]
    citizen.post(f"{H}/tickets", json={"service": "fund"})
    auth.login("manager")
    manager = sio()
    assert manager.emit("subscribe", {"managers": "demo"}, callback=True) == {"ok": True}
    manager.get_received()
    screen_client = app.test_client()
    screen = sio(screen_client)
    screen.emit("subscribe", {"hall": "demo"}, callback=True)
    screen.get_received()

    checker = Checker(app)
    assert checker.check(clock.now()) == []                 # within the limit: nothing
    later = clock.now() + 1201                              # hukou's limit is 1200 s
    new = checker.check(later)
    assert [(a["number"], a["service"], a["limit_s"]) for a in new] == [(number, "hukou", 1200)]
    got = [m for m in manager.get_received() if m["name"] == "alert.wait"]
    assert len(got) == 1 and got[0]["args"][0]["number"] == number
    assert got[0]["args"][0]["waited_s"] >= 1200
    assert not [m for m in screen.get_received() if m["name"] == "alert.wait"]  # managers only
    assert checker.check(later + 5) == []                   # once per ticket


def test_monitor_flags_tickets_over_their_limit(client, auth, db):
    from queue_server import tickets

    def old_ticket(tx):
        tx.now = clock.now() - 1300                          # issued 1300 s ago
        return tickets.issue(tx, "demo", "hukou", "kiosk")[0]["number"]

    number = db.write("citizen", old_ticket)
    auth.login("manager")
    m = client.get(f"{H}/monitor").json
    assert [(a["number"], a["limit_s"]) for a in m["overdue"]] == [(number, 1200)]
    hukou = next(s for s in m["services"] if s["service"] == "hukou")
    assert hukou["over"] == 1 and hukou["longest_wait_s"] >= 1300


def test_overdue_follows_the_service_limit(app, client, auth, db):
    auth.login("manager")
    app.test_client().post(f"{H}/tickets", json={"service": "fund"})
    assert client.patch(f"{H}/services/fund", json={"wait_limit_s": 1}).status_code == 200
    later = clock.now() + 5
    assert [a["service"] for a in overdue(db.conn(), "demo", later)] == ["fund"]
    # Once called, it is no longer waiting, so no longer flagged.
    clerk = app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    clerk.post("/api/v1/windows/W09/open")
    clerk.post("/api/v1/windows/W09/call-next")
    assert overdue(db.conn(), "demo", later) == []


def test_clerks_cannot_join_the_managers_room(app, sio):
    clerk = app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    c = sio(clerk)
    assert c.emit("subscribe", {"managers": "demo"}, callback=True)["error"]["code"] == "forbidden"
