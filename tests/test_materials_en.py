"""Materials to bring (一次性告知) in English: the m005 migration, the demo data, every view that
returns ``materials``, and the manager's edits (validated like the Chinese list, audited)."""
from __future__ import annotations

import json

import pytest

from queue_server import create_app, demo
from queue_server import db as dbmod
from queue_server.migrations import MIGRATIONS

H = "/api/v1/halls/demo"


@pytest.fixture
def mgr(client, auth):
    auth.login("manager")
    return client


def events(db, action: str) -> list:
    return db.all("SELECT * FROM events WHERE action = ? ORDER BY seq", (action,))


# The migration -------------------------------------------------------------------------------

def test_an_old_database_migrates_and_keeps_its_materials(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    # A database as the previous release left it: migrations 1-4 only, a hall in use.
    monkeypatch.setattr(dbmod, "MIGRATIONS", MIGRATIONS[:4])
    conn = dbmod.connect(str(path))
    assert dbmod.migrate(conn)[-1] == "m004_first_called_at"
    conn.execute("INSERT INTO halls (id, name, live_seq) VALUES ('h1', '老大厅', 0)")
    conn.execute("INSERT INTO categories (id, hall, name, prefix) VALUES ('c', 'h1', '户籍', 'F')")
    conn.execute("INSERT INTO services (id, hall, category, name, mean_service_s, materials)"
                 " VALUES ('s', 'h1', 'c', '户籍证明', 300, ?)",
                 (json.dumps(["身份证", "户口簿"], ensure_ascii=False),))
    assert "materials_en" not in {r[1] for r in conn.execute("PRAGMA table_info(services)")}
    conn.close()
    monkeypatch.undo()

    app = create_app({"DB": str(path), "TESTING": True})  # migrates on start
    try:
        db = app.extensions["hallq.db"]
        assert [r["name"] for r in db.all("SELECT name FROM _migrations ORDER BY id")][-1] \
            == "m005_materials_en"
        row = db.one("SELECT materials, materials_en FROM services WHERE id = 's'")
        assert json.loads(row["materials"]) == ["身份证", "户口簿"]
        assert row["materials_en"] == "[]"
        # A row written without the new column gets the empty list, never NULL.
        db.write("test", lambda tx: tx.run(
            "INSERT INTO services (id, hall, category, name, mean_service_s)"
            " VALUES ('s2', 'h1', 'c', '新事项', 60)"))
        assert db.one("SELECT materials_en FROM services WHERE id = 's2'")["materials_en"] == "[]"
        svc = {s["id"]: s for s in
               app.test_client().get("/api/v1/halls/h1/services").json["services"]}
        assert svc["s"]["materials"] == ["身份证", "户口簿"] and svc["s"]["materials_en"] == []
        assert dbmod.migrate(db.conn()) == []  # nothing left to apply
    finally:
        app.extensions["hallq.db"].close()


# Demo data and views ---------------------------------------------------------------------------

def test_every_demo_material_has_plain_english():
    for sid, *_, materials in demo.SERVICES:
        english = [demo.MATERIALS_EN[m] for m in materials]
        assert len(english) == len(materials), sid
        assert all(e.strip() and e.isascii() for e in english), sid
    assert demo.MATERIALS_EN[demo.ID_CARD] == "Original ID card of the applicant"


def test_views_return_materials_en(app, client, mgr):
    services = {s["id"]: s for s in client.get(f"{H}/services").json["services"]}
    estate = services["estate"]
    assert len(estate["materials_en"]) == len(estate["materials"])
    assert "Real estate title certificate" in estate["materials_en"]

    issued = client.post(f"{H}/tickets", json={"service": "hukou"}).json
    tk = client.get(f"/api/v1/tickets/{issued['token']}").json["ticket"]
    assert tk["materials"][1] == "户口簿"
    assert tk["materials_en"][1] == "Household register (hukou booklet)"

    admin = {s["id"]: s for s in mgr.get(f"{H}/admin").json["services"]}
    assert admin["hukou"]["materials_en"] == tk["materials_en"]

    assert mgr.put("/api/v1/windows/W13/skills", json={"skills": {"hukou": 1}}).status_code == 200
    mgr.post("/api/v1/windows/W13/open")
    assert mgr.post("/api/v1/windows/W13/call-next").status_code == 200
    cur = mgr.get("/api/v1/windows/W13").json["window"]["current"]
    assert cur["materials_en"] == tk["materials_en"]


def test_openapi_describes_materials_en(client):
    doc = client.get("/api/v1/openapi.json").json
    assert "materials_en" in doc["components"]["schemas"]["Service"]["properties"]
    for path, method in (("/api/v1/halls/{hall}/services", "post"),
                         ("/api/v1/halls/{hall}/services/{sid}", "patch")):
        body = doc["paths"][path][method]["requestBody"]["content"]["application/json"]
        assert "materials_en" in body["schema"]["properties"]


# The manager's edits ---------------------------------------------------------------------------

def test_manager_edits_both_lists_in_one_audited_change(app, db, mgr, client):
    before = len(events(db, "service_edit"))
    r = mgr.patch(f"{H}/services/hukou", json={
        "materials": ["身份证", "户口簿"],
        "materials_en": ["  ID card  ", "Household register"]})
    assert r.status_code == 200, r.json
    assert r.json["service"]["materials_en"] == ["ID card", "Household register"]
    assert r.json["service"]["materials"] == ["身份证", "户口簿"]
    edits = events(db, "service_edit")
    assert len(edits) == before + 1  # one change, one audit event
    detail = json.loads(edits[-1]["detail"])
    assert edits[-1]["actor"] == "manager"
    assert json.loads(detail["after"]["materials_en"]) == ["ID card", "Household register"]
    assert json.loads(detail["before"]["materials_en"])[0] == "Original ID card of the applicant"
    assert set(detail["after"]) == {"materials", "materials_en"}
    svc = {s["id"]: s for s in client.get(f"{H}/services").json["services"]}["hukou"]
    assert svc["materials_en"] == ["ID card", "Household register"]
    # Emptying the English list is allowed: the pages then show the Chinese one.
    assert mgr.patch(f"{H}/services/hukou", json={"materials_en": []}).status_code == 200
    admin = {s["id"]: s for s in mgr.get(f"{H}/admin").json["services"]}
    assert admin["hukou"]["materials_en"] == []


def test_a_new_service_takes_materials_en_or_defaults_to_none(mgr):
    r = mgr.post(f"{H}/services", json={"id": "passport", "category": "hukou", "name": "护照",
                                        "mean_service_s": 300, "materials": ["身份证"],
                                        "materials_en": ["ID card"]})
    assert r.status_code == 201 and r.json["service"]["materials_en"] == ["ID card"]
    r = mgr.post(f"{H}/services", json={"id": "visa", "category": "hukou", "name": "签注",
                                        "mean_service_s": 300})
    assert r.status_code == 201 and r.json["service"]["materials_en"] == []


@pytest.mark.parametrize("value", [
    "ID card", None, {"a": 1}, [1], [""], ["   "], ["x" * 101], ["ok"] * 31, ["ok", None],
])
def test_materials_en_is_validated_like_materials(app, db, mgr, value):
    before = db.one("SELECT materials_en FROM services WHERE id = 'hukou'")["materials_en"]
    n = len(events(db, "service_edit"))
    for key in ("materials", "materials_en"):
        r = mgr.patch(f"{H}/services/hukou", json={key: value})
        assert r.status_code == 422, (key, r.json)
        assert r.json["error"]["code"] == "invalid_materials"
        assert key in r.json["error"]["message"]
    # A refused body changes nothing, even with a valid Chinese list beside it.
    r = mgr.patch(f"{H}/services/hukou", json={"materials": ["身份证"], "materials_en": value})
    assert r.status_code == 422
    assert db.one("SELECT materials_en FROM services WHERE id = 'hukou'")["materials_en"] == before
    assert len(events(db, "service_edit")) == n


def test_the_limits_themselves_are_accepted(mgr):
    r = mgr.patch(f"{H}/services/hukou", json={"materials_en": ["x" * 100] * 30})
    assert r.status_code == 200 and len(r.json["service"]["materials_en"]) == 30


def test_a_clerk_cannot_edit_materials_en(client, auth):
    auth.login("clerk01")
    r = client.patch(f"{H}/services/hukou", json={"materials_en": ["ID card"]})
    assert r.status_code == 403
