"""Several halls on one server: staff bound to one hall work only there.

A second hall (`north`) is added the way an operator does, its manager sets it up through the
API, and every staff route of the demo hall is tried as north's manager and clerk.
"""
from __future__ import annotations

import sqlite3

import pytest

from queue_server import auth as auth_mod
from queue_server import create_app, registry
from queue_server.domain import halls
from queue_server.store import db as dbmod
from queue_server.store.migrations import MIGRATIONS
from tests.helpers import PASSWORD
from tests.test_cli import hallq
from tests.test_roles import TABLE

N = "/api/v1/halls/north"


@pytest.fixture
def north(app, db):
    """The hall `north` with its own manager and clerk; returns logged-in clients."""
    def _add(tx):
        halls.create(tx, "north", "北区分中心", "North branch", open_="08:30", close="17:00")
        auth_mod.create_user(tx, "n_mgr", "manager", PASSWORD, hall="north")
        auth_mod.create_user(tx, "n_clerk", "clerk", PASSWORD, hall="north")
        auth_mod.create_user(tx, "city", "admin", PASSWORD)  # every hall

    db.write("system", _add)
    clients = {}
    for name in ("n_mgr", "n_clerk", "city", "manager"):
        c = app.test_client()
        r = c.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.json
        clients[name] = c
    return clients


def set_up_north(mgr) -> None:
    """What north's manager does in the console on the first day."""
    assert mgr.post(f"{N}/categories", json={"id": "n-civ", "name": "民政",
                                             "prefix": "N"}).status_code == 201
    assert mgr.post(f"{N}/services", json={"id": "n-aid", "category": "n-civ", "name": "救助",
                                           "mean_service_s": 300}).status_code == 201
    assert mgr.post(f"{N}/windows", json={"id": "N01", "name": "1号窗口"}).status_code == 201
    assert mgr.put("/api/v1/windows/N01/skills",
                   json={"skills": {"n-aid": 1}}).status_code == 200


def test_a_bound_manager_sets_up_and_runs_only_their_hall(app, north):
    mgr, clerk = north["n_mgr"], north["n_clerk"]
    assert mgr.get("/api/v1/auth/me").json["user"]["hall"] == "north"
    assert north["city"].get("/api/v1/auth/me").json["user"]["hall"] is None
    set_up_north(mgr)
    t = app.test_client().post(f"{N}/tickets", json={"service": "n-aid"}).json["ticket"]
    assert t["number"] == "N001"
    assert clerk.post("/api/v1/windows/N01/open").status_code == 200
    assert clerk.post("/api/v1/windows/N01/call-next").json["ticket"]["number"] == "N001"
    # the demo hall's manager, bound to demo, cannot touch north
    r = north["manager"].get(f"{N}/admin")
    assert r.status_code == 403
    assert r.json["error"]["code"] == "forbidden"
    assert "其他大厅" in r.json["error"]["message"]
    assert north["manager"].get("/api/v1/halls/nowhere/admin").status_code == 404
    # an account of every hall can
    assert north["city"].get(f"{N}/admin").status_code == 200
    assert north["city"].get("/api/v1/halls/demo/admin").status_code == 200


STAFF_ROUTES = [(m, p, b) for m, p, b, _ in TABLE if p != "/api/v1/auth/me"]


@pytest.mark.parametrize("who", ["n_mgr", "n_clerk"])
@pytest.mark.parametrize(("method", "path", "body"), STAFF_ROUTES,
                         ids=[f"{m} {p.replace('/api/v1', '')}" for m, p, _ in STAFF_ROUTES])
def test_every_staff_route_of_another_hall_is_forbidden(app, db, north, who, method, path,
                                                        body):
    citizen = app.test_client()
    citizen.post("/api/v1/halls/demo/tickets", json={"service": "hukou"})
    before = db.one("SELECT COUNT(*) n FROM events")["n"]
    r = getattr(north[who], method)(path, json=body)
    assert r.status_code == 403, (r.status_code, r.json)
    assert set(r.json["error"]) == {"code", "message"}
    assert db.one("SELECT COUNT(*) n FROM events")["n"] == before  # nothing changed


def test_the_console_pages_and_live_monitor_of_another_hall_are_closed(app, north, sio):
    r = north["n_mgr"].get("/manage/demo")
    assert r.status_code == 403
    assert "该账号属于其他大厅" in r.get_data(as_text=True)
    assert north["n_mgr"].get("/manage/north").status_code == 200
    assert north["n_mgr"].get("/manage/north/settings").status_code == 200
    live = sio(north["n_mgr"])
    denied = live.emit("subscribe", {"managers": "demo"}, callback=True)
    assert denied["error"]["code"] == "forbidden"
    assert live.emit("subscribe", {"managers": "north"}, callback=True) == {"ok": True}


def test_users_made_in_a_hall_belong_to_it(app, db, north):
    mgr = north["n_mgr"]
    r = mgr.post(f"{N}/users", json={"username": "n_clerk2", "role": "clerk",
                                     "password": PASSWORD})
    assert r.status_code == 201
    assert r.json["user"]["hall"] == "north"
    # audited in north only, not in every hall
    rows = db.all("SELECT hall FROM events WHERE action = 'user_add' AND detail LIKE ?",
                  ('%"n_clerk2"%',))
    assert [x["hall"] for x in rows] == ["north"]
    # north's users list shows north's staff and accounts of every hall, not demo's clerks
    names = {u["username"] for u in mgr.get(f"{N}/admin").json["users"]}
    assert {"n_mgr", "n_clerk", "n_clerk2", "city"} <= names
    assert "clerk01" not in names
    # a bound manager can neither make an account of every hall nor edit another hall's
    r = mgr.post(f"{N}/users", json={"username": "boss2", "role": "clerk",
                                     "password": PASSWORD, "all_halls": True})
    assert r.status_code == 403
    assert db.one("SELECT 1 FROM users WHERE username = 'boss2'") is None
    for name in ("clerk01", "city"):
        r = mgr.patch(f"{N}/users/{name}", json={"display_name": "x"})
        assert r.status_code in (403, 404), r.json
    assert db.one("SELECT display_name FROM users WHERE username = 'clerk01'")[0] != "x"
    # nor reach demo's users through its own hall's path
    assert mgr.patch("/api/v1/halls/demo/users/clerk01",
                     json={"active": False}).status_code == 403
    assert db.one("SELECT active FROM users WHERE username = 'clerk01'")[0] == 1
    # an account of every hall may make one of every hall
    r = north["city"].post(f"{N}/users", json={"username": "boss3", "role": "manager",
                                               "password": PASSWORD, "all_halls": True})
    assert r.status_code == 201
    assert r.json["user"]["hall"] is None


def test_hall_add_and_bound_user_from_the_command_line(tmp_path):
    db = str(tmp_path / "h.db")
    assert hallq("--db", db, "init-db").returncode == 0
    r = hallq("--db", db, "hall", "add", "east", "--name", "东区政务服务中心",
              "--name-en", "East", "--open", "08:30", "--close", "17:00")
    assert r.returncode == 0, r.stderr
    assert "/manage/east" in r.stdout
    again = hallq("--db", db, "hall", "add", "east", "--name", "x")
    assert again.returncode == 1
    assert "exists" in again.stderr
    for bad in (["bad id", "--name", "x"], ["west", "--name", "x", "--tz", "Mars/Base"],
                ["west", "--name", "x", "--open", "18:00", "--close", "09:00"],
                ["west", "--name", ""]):
        r = hallq("--db", db, "hall", "add", *bad)
        assert r.returncode != 0, (bad, r.stderr)
        assert "Traceback" not in r.stderr, (bad, r.stderr)
    r = hallq("--db", db, "user", "add", "zhao", "--role", "manager", "--hall", "east",
              stdin="s3cret-passw0rd\n")
    assert r.returncode == 0, r.stderr
    assert "hall east" in r.stdout, r.stderr
    r = hallq("--db", db, "user", "add", "qian", "--role", "clerk", "--hall", "nowhere",
              stdin="s3cret-passw0rd\n")
    assert r.returncode == 1
    assert "unknown hall" in r.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT id, name, open_s, close_s FROM halls").fetchall() == [
        ("east", "东区政务服务中心", 30600, 61200)]
    assert conn.execute("SELECT hall FROM users WHERE username = 'zhao'").fetchone() == ("east",)
    assert conn.execute("SELECT COUNT(*) FROM users WHERE username = 'qian'").fetchone() == (0,)
    assert [r[0] for r in conn.execute("SELECT action FROM events WHERE hall = 'east'"
                                       " ORDER BY seq")] == ["hall_add", "user_add"]


def test_moving_an_account_between_one_hall_and_every_hall(app, db, north):
    clerk = north["n_clerk"]
    # only an account of every hall may widen one
    r = north["n_mgr"].patch(f"{N}/users/n_clerk", json={"all_halls": True})
    assert r.status_code == 403
    assert r.json["error"]["code"] == "forbidden"
    assert db.one("SELECT hall FROM users WHERE username = 'n_clerk'")[0] == "north"
    assert clerk.get("/api/v1/auth/me").status_code == 200
    r = north["city"].patch(f"{N}/users/n_clerk", json={"all_halls": True})
    assert r.status_code == 200
    assert r.json["user"]["hall"] is None
    assert clerk.get("/api/v1/auth/me").status_code == 401  # a changed scope signs out
    edit = db.one("SELECT hall, detail FROM events WHERE action = 'user_edit'"
                  " ORDER BY seq DESC LIMIT 1")
    assert edit["hall"] == "north"
    assert '"hall": null' in edit["detail"]
    # now of every hall: north's own manager can no longer edit it; the city account can
    assert north["n_mgr"].patch(f"{N}/users/n_clerk",
                                json={"display_name": "x"}).status_code == 403
    r = north["city"].patch(f"{N}/users/n_clerk", json={"all_halls": False})
    assert r.status_code == 200
    assert r.json["user"]["hall"] == "north"
    r = north["city"].patch(f"{N}/users/n_clerk", json={"all_halls": "no"})
    assert r.status_code == 400


def test_an_older_one_hall_database_binds_its_staff_to_that_hall(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    monkeypatch.setattr(dbmod, "MIGRATIONS", MIGRATIONS[:5])  # as the previous release left it
    conn = dbmod.connect(str(path))
    assert dbmod.migrate(conn)[-1] == "m005_materials_en"
    conn.execute("INSERT INTO halls (id, name, live_seq) VALUES ('h1', '老大厅', 0)")
    for name, role in (("old_mgr", "manager"), ("old_admin", "admin")):
        conn.execute("INSERT INTO users (username, role, password_hash, active, created_at)"
                     " VALUES (?, ?, ?, 1, 0)",
                     (name, role, auth_mod.generate_password_hash(PASSWORD)))
    conn.close()
    monkeypatch.undo()
    app = create_app({"DB": str(path), "TESTING": True})  # migrates on start
    try:
        c = app.test_client()
        r = c.post("/api/v1/auth/login", json={"username": "old_mgr", "password": PASSWORD})
        assert r.status_code == 200
        assert r.json["user"]["hall"] == "h1"
        assert c.get("/api/v1/halls/h1/admin").status_code == 200
        r = c.post("/api/v1/auth/login", json={"username": "old_admin", "password": PASSWORD})
        assert r.json["user"]["hall"] is None  # the administrator keeps every hall
    finally:
        registry.db(app).close()


def test_no_ticket_for_a_service_no_window_takes(app, db, north):
    mgr = north["n_mgr"]
    assert mgr.post(f"{N}/categories", json={"id": "n-civ", "name": "民政",
                                             "prefix": "N"}).status_code == 201
    assert mgr.post(f"{N}/services", json={"id": "n-aid", "category": "n-civ", "name": "救助",
                                           "mean_service_s": 300}).status_code == 201
    citizen = app.test_client()
    listed = citizen.get(f"{N}/services").json["services"]
    assert [s["servable"] for s in listed] == [False]
    before = db.one("SELECT COUNT(*) n FROM tickets")["n"]
    r = citizen.post(f"{N}/tickets", json={"service": "n-aid"})
    assert r.status_code == 422
    assert r.json["error"]["code"] == "no_window"
    assert db.one("SELECT COUNT(*) n FROM tickets")["n"] == before
    assert mgr.post(f"{N}/windows", json={"id": "N01", "name": "1号窗口"}).status_code == 201
    assert mgr.put("/api/v1/windows/N01/skills", json={"skills": {"n-aid": 1}}).status_code == 200
    assert citizen.get(f"{N}/services").json["services"][0]["servable"] is True
    assert citizen.post(f"{N}/tickets", json={"service": "n-aid"}).status_code == 201


def test_an_account_cannot_change_its_own_hall(north, db):
    r = north["city"].patch(f"{N}/users/city", json={"all_halls": False})
    assert r.status_code == 409
    assert r.json["error"]["code"] == "self_hall"
    assert db.one("SELECT hall FROM users WHERE username = 'city'")[0] is None


def test_a_refused_call_changes_nothing(app, db, north):
    app.test_client().post("/api/v1/halls/demo/tickets", json={"service": "hukou"})
    # a ticket left from an earlier day: the hall's day change would cancel it
    db.write("test", lambda tx: tx.run("UPDATE tickets SET day = '2000-01-01'"))
    registry.services(app).rollover._clean.clear()  # as at a new day's first request
    before = db.one("SELECT COUNT(*) n FROM events")["n"]
    for client in (north["n_clerk"], app.test_client()):
        assert client.post("/api/v1/windows/W01/call-next").status_code in (401, 403)
    assert db.one("SELECT COUNT(*) n FROM events")["n"] == before
    assert db.one("SELECT status FROM tickets")[0] == "waiting"
