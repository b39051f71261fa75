"""Hall administration: validation in the contract's error shape, role limits, effects."""
from __future__ import annotations

import pytest

from tests.helpers import PASSWORD

H = "/api/v1/halls/demo"


@pytest.mark.parametrize(("method", "path", "body", "status"), [
    ("post", f"{H}/windows", {"id": "W 1", "name": "x"}, 422),
    ("post", f"{H}/windows", {"id": "W01", "name": "x"}, 409),
    ("post", f"{H}/windows", {"id": "W30"}, 400),
    ("post", f"{H}/windows", {"id": "W30", "name": "x", "colour": "red"}, 400),
    ("patch", f"{H}/windows/W99", {"name": "x"}, 404),
    ("patch", f"{H}/windows/W01", {"sort": "first"}, 400),
    ("post", f"{H}/categories", {"id": "c1", "name": "x", "prefix": "A"}, 409),
    ("post", f"{H}/categories", {"id": "c1", "name": "x", "prefix": "ab"}, 422),
    ("post", f"{H}/services", {"id": "s1", "category": "nope", "name": "x",
                               "mean_service_s": 60}, 422),
    ("patch", f"{H}/services/hukou", {"mean_service_s": -5}, 422),
    ("patch", f"{H}/services/hukou", {"materials": "id card"}, 422),
    ("patch", f"{H}/services/hukou", {"active": "yes"}, 400),
    ("post", f"{H}/users", {"username": "a b", "role": "clerk", "password": PASSWORD}, 422),
    ("post", f"{H}/users", {"username": "boss", "role": "admin", "password": PASSWORD}, 403),
    ("post", f"{H}/users", {"username": "x1", "role": "clerk", "password": "short"}, 422),
    ("patch", f"{H}/users/manager", {"active": False}, 409),
    ("patch", f"{H}/users/nobody", {"role": "clerk"}, 404),
    ("put", f"{H}/notices", {"notices": "hello"}, 422),
    ("put", f"{H}/hours", {"open": "9am", "close": "17:00"}, 422),
    ("put", f"{H}/hours", {"open": "18:00", "close": "17:00"}, 422),
    ("put", f"{H}/skills", {"windows": {"W01": {"hukou": 3}}}, 422),
    ("put", f"{H}/skills", {"windows": []}, 400),
    ("post", f"{H}/windows", "[1, 2]", 400),
])
def test_bad_input_is_refused_in_the_error_shape(mgr, method, path, body, status):
    kwargs = {"data": body, "content_type": "application/json"} if isinstance(body, str) \
        else {"json": body}
    r = getattr(mgr, method)(path, **kwargs)
    assert r.status_code == status, r.json
    assert set(r.json["error"]) == {"code", "message"}


def test_new_window_and_service_work_end_to_end(app, mgr):
    assert mgr.post(f"{H}/categories", json={"id": "ent", "name": "出入境",
                                             "prefix": "K"}).status_code == 201
    r = mgr.post(f"{H}/services", json={"id": "passport", "category": "ent", "name": "护照",
                                        "mean_service_s": 300, "materials": ["身份证"]})
    assert r.status_code == 201
    assert r.json["service"]["materials"] == ["身份证"]
    assert mgr.post(f"{H}/windows", json={"id": "W21", "name": "21号窗口"}).status_code == 201
    assert mgr.put("/api/v1/windows/W21/skills",
                   json={"skills": {"passport": 1}}).status_code == 200
    t = app.test_client().post(f"{H}/tickets", json={"service": "passport"}).json["ticket"]
    assert t["number"] == "K001"
    mgr.post("/api/v1/windows/W21/open")
    assert mgr.post("/api/v1/windows/W21/call-next").json["ticket"]["number"] == "K001"


def test_retired_service_cannot_be_issued(app, mgr):
    assert mgr.patch(f"{H}/services/fund", json={"active": False}).status_code == 200
    r = app.test_client().post(f"{H}/tickets", json={"service": "fund"})
    assert r.status_code == 422


def test_user_management(app, mgr):
    r = mgr.post(f"{H}/users", json={"username": "clerk13", "role": "clerk",
                                     "password": PASSWORD, "display_name": "新同事"})
    assert r.status_code == 201
    assert r.json["user"]["display_name"] == "新同事"
    other = app.test_client()
    assert other.post("/api/v1/auth/login", json={"username": "clerk13",
                                                  "password": PASSWORD}).status_code == 200
    # Disabling ends the session at once; a password change too.
    assert mgr.patch(f"{H}/users/clerk13", json={"active": False}).status_code == 200
    assert other.get("/api/v1/auth/me").status_code == 401
    assert mgr.patch(f"{H}/users/clerk13", json={"active": True,
                                                 "password": "new-pass-456"}).status_code == 200
    assert other.post("/api/v1/auth/login", json={"username": "clerk13",
                                                  "password": "new-pass-456"}).status_code == 200
    # Saving an unchanged role keeps the user signed in.
    assert mgr.patch(f"{H}/users/clerk13", json={"role": "clerk"}).status_code == 200
    assert other.get("/api/v1/auth/me").status_code == 200


def test_a_manager_cannot_take_over_a_peer(app, mgr):
    """Another manager's password, state and role are refused; their name is not, nor is
    anything of a clerk's, nor the manager's own password."""
    r = mgr.post(f"{H}/users", json={"username": "manager2", "role": "manager",
                                     "password": PASSWORD})
    assert r.status_code == 201
    for body in ({"password": "taken-over-1"}, {"active": False}, {"role": "clerk"}):
        r = mgr.patch(f"{H}/users/manager2", json=body)
        assert r.status_code == 403, body
        assert r.json["error"]["code"] == "forbidden"
    peer = app.test_client()
    assert peer.post("/api/v1/auth/login", json={"username": "manager2",
                                                 "password": PASSWORD}).status_code == 200
    assert mgr.patch(f"{H}/users/manager2", json={"display_name": "副主任",
                                                  "role": "manager"}).status_code == 200
    assert peer.get("/api/v1/auth/me").json["user"]["display_name"] == "副主任"
    assert mgr.patch(f"{H}/users/clerk01", json={"password": "clerk-new-1"}).status_code == 200
    assert mgr.patch(f"{H}/users/manager", json={"password": "mine-new-12"}).status_code == 200


def test_hours_and_notices_round_trip(mgr):
    assert mgr.put(f"{H}/hours", json={"open": "08:30", "close": "18:00"}).json == {
        "hours": {"open": "08:30", "close": "18:00"}}
    assert mgr.put(f"{H}/notices", json={"notices": ["一", " ", "二"]}).json == {
        "notices": ["一", "二"]}
    hall = mgr.get(f"{H}/admin").json["hall"]
    assert hall["hours"] == {"open": "08:30", "close": "18:00"}
    assert hall["notices"] == ["一", "二"]


def test_the_settings_view_shows_the_order_it_saved(mgr):
    assert mgr.patch(f"{H}/windows/W02", json={"sort": 7}).status_code == 200
    assert mgr.patch(f"{H}/categories/biz", json={"sort": 5}).status_code == 200
    admin = mgr.get(f"{H}/admin").json
    assert {w["id"]: w["sort"] for w in admin["windows"]}["W02"] == 7
    assert {c["id"]: c["sort"] for c in admin["categories"]}["biz"] == 5


def test_retiring_a_service_strands_no_one(app, client, mgr):
    """Its waiting citizens stay in view on the monitor and are still called; the answer
    to the retirement says how many wait."""
    issued = client.post(f"{H}/tickets", json={"service": "hukou"})
    assert issued.status_code == 201
    r = mgr.patch(f"{H}/services/hukou", json={"active": False})
    assert r.status_code == 200
    assert r.json["waiting"] == 1
    monitor = {s["service"]: s for s in mgr.get(f"{H}/monitor").json["services"]}
    assert monitor["hukou"]["active"] is False
    assert monitor["hukou"]["waiting"] == 1
    assert monitor["fund"]["active"] is True
    assert mgr.post("/api/v1/windows/W13/open").status_code == 200  # W13 takes hukou
    called = mgr.post("/api/v1/windows/W13/call-next").json["ticket"]
    assert called["number"] == issued.json["ticket"]["number"]
    assert client.post(f"{H}/tickets", json={"service": "hukou"}).status_code == 422


def test_an_id_with_a_trailing_newline_is_refused(mgr, db):
    """One id rule (domain/halls.ID_RE) for halls, windows, services and kiosks, matched over
    the whole value: a `$` alone would let "W99\\n" through."""
    before = db.one("SELECT COUNT(*) n FROM windows")["n"]
    r = mgr.post(f"{H}/windows", json={"id": "W99\n", "name": "99号窗口"})
    assert r.status_code == 422
    assert r.json["error"]["code"] == "invalid_id"
    assert db.one("SELECT COUNT(*) n FROM windows")["n"] == before
    assert mgr.get("/kiosk/demo?kiosk=k1%0A").status_code == 400  # a kiosk's name too
    assert mgr.get("/kiosk/demo?kiosk=k1").status_code == 200
