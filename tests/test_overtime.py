"""办理超时: a service-time norm per service; the clerk's view carries it and the warning
share; the managers get one alert per ticket once it is passed; statistics count it per clerk
and service."""
from __future__ import annotations

from queue_server.live.supervision import SupervisionChecker
from tests.helpers import PASSWORD, error_code

H = "/api/v1/halls/demo"


def test_the_norm_is_set_in_the_admin_api_and_refused_when_bad(mgr, db):
    r = mgr.patch(f"{H}/services/hukou", json={"service_limit_s": 600})
    assert r.status_code == 200, r.json
    assert r.json["service"]["service_limit_s"] == 600
    hukou = next(s for s in mgr.get(f"{H}/admin").json["services"] if s["id"] == "hukou")
    assert hukou["service_limit_s"] == 600
    before = db.one("SELECT COUNT(*) n FROM events")["n"]
    for bad in (-1, 86401, "600", 1.5, None):
        r = mgr.patch(f"{H}/services/hukou", json={"service_limit_s": bad})
        assert r.status_code in (400, 422), (bad, r.json)
        error_code(r)
    assert db.one("SELECT service_limit_s FROM services WHERE id = 'hukou'")[0] == 600
    assert db.one("SELECT COUNT(*) n FROM events")["n"] == before
    assert mgr.put(f"{H}/supervision", json={"overtime_warn_pct": 101}).status_code == 422
    assert mgr.put(f"{H}/supervision", json={"overtime_warn_pct": 75}).status_code == 200
    assert mgr.get(f"{H}/admin").json["hall"]["overtime_warn_pct"] == 75


def test_overtime_alerts_once_at_the_norm(app, mgr, sio, db):
    assert mgr.patch(f"{H}/services/hukou", json={"service_limit_s": 60}).status_code == 200
    citizen, clerk = app.test_client(), app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    clerk.post("/api/v1/windows/W13/open")
    number = citizen.post(f"{H}/tickets", json={"service": "hukou"}).json["ticket"]["number"]
    clerk.post("/api/v1/windows/W13/call-next")
    assert clerk.post("/api/v1/windows/W13/start").status_code == 200
    view = clerk.get("/api/v1/windows/W13").json
    assert view["window"]["current"]["service_limit_s"] == 60
    assert view["window"]["overtime_warn_pct"] == 80
    started = db.one("SELECT started_at FROM tickets WHERE number = ?", (number,))[0]

    managers = sio(mgr)
    assert managers.emit("subscribe", {"managers": "demo"}, callback=True) == {"ok": True}
    managers.get_received()
    checker = SupervisionChecker(app)
    assert checker.check(started + 59)["overtime"] == []
    assert checker.check(started + 60)["overtime"] == []      # at the norm: not passed yet
    [alert] = checker.check(started + 61)["overtime"]
    assert (alert["number"], alert["clerk"], alert["window"], alert["limit_s"]) \
        == (number, "clerk01", "W13", 60)
    assert alert["served_s"] == 61
    got = [m["args"][0] for m in managers.get_received() if m["name"] == "alert.overtime"]
    assert [g["number"] for g in got] == [number]
    # once per ticket, in this process and in another
    assert checker.check(started + 120)["overtime"] == []
    assert SupervisionChecker(app).check(started + 180)["overtime"] == []
    assert not [m for m in managers.get_received() if m["name"] == "alert.overtime"]
    assert db.one("SELECT COUNT(*) n FROM events WHERE action = 'service_overtime'")[0] == 1


def test_no_norm_no_alert(app, mgr, db):
    assert mgr.patch(f"{H}/services/hukou", json={"service_limit_s": 0}).status_code == 200
    citizen, clerk = app.test_client(), app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    clerk.post("/api/v1/windows/W13/open")
    citizen.post(f"{H}/tickets", json={"service": "hukou"})
    clerk.post("/api/v1/windows/W13/call-next")
    clerk.post("/api/v1/windows/W13/start")
    assert clerk.get("/api/v1/windows/W13").json["window"]["current"]["service_limit_s"] is None
    assert SupervisionChecker(app).check(db.one("SELECT MAX(started_at) FROM tickets")[0]
                                         + 86400)["overtime"] == []


def test_statistics_count_overtime_per_clerk_and_service(app, mgr, db):
    assert mgr.patch(f"{H}/services/hukou", json={"service_limit_s": 100}).status_code == 200
    citizen, clerk = app.test_client(), app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    clerk.post("/api/v1/windows/W13/open")
    for served_s in (150, 30, 101):
        number = citizen.post(f"{H}/tickets", json={"service": "hukou"}).json["ticket"]["number"]
        clerk.post("/api/v1/windows/W13/call-next")
        clerk.post("/api/v1/windows/W13/start")
        # as if the service had begun served_s seconds before the finish
        db.write("test", lambda tx, n=number, s=served_s: tx.run(
            "UPDATE tickets SET started_at = ? WHERE number = ? AND status = 'serving'",
            (tx.now - s, n)))
        clerk.post("/api/v1/windows/W13/finish")
    day = mgr.get(f"{H}/stats").json
    assert day["overtime"] == 2
    hukou = next(s for s in day["by_service"] if s["service"] == "hukou")
    assert hukou["overtime"] == 2
    fund = next(s for s in day["by_service"] if s["service"] == "fund")
    assert fund["overtime"] == 0
    [clerk01] = [c for c in day["by_clerk"] if c["clerk"] == "clerk01"]
    assert (clerk01["served"], clerk01["overtime"]) == (3, 2)
