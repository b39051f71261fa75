"""Materials to bring (一次性告知) in English: the m005 migration, the demo data, every view that
returns ``materials``, and the manager's edits (validated like the Chinese list, audited)."""
from __future__ import annotations

import json
import re

import pytest

from queue_server import create_app, demo, registry
from queue_server.store import db as dbmod
from queue_server.store.migrations import MIGRATIONS

H = "/api/v1/halls/demo"


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
        db = registry.db(app)
        names = [r["name"] for r in db.all("SELECT name FROM _migrations ORDER BY id")]
        assert names[names.index("m004_first_called_at") + 1] == "m005_materials_en"
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
        assert svc["s"]["materials"] == ["身份证", "户口簿"]
        assert svc["s"]["materials_en"] == []
        assert dbmod.migrate(db.conn()) == []  # nothing left to apply
    finally:
        registry.db(app).close()


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
    assert r.status_code == 201
    assert r.json["service"]["materials_en"] == ["ID card"]
    r = mgr.post(f"{H}/services", json={"id": "visa", "category": "hukou", "name": "签注",
                                        "mean_service_s": 300})
    assert r.status_code == 201
    assert r.json["service"]["materials_en"] == []


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
    r = mgr.patch(f"{H}/services/hukou", json={"materials": ["材" * 100] * 30,
                                                "materials_en": ["x" * 100] * 30})
    assert r.status_code == 200
    assert len(r.json["service"]["materials_en"]) == 30


# The English list follows the Chinese one item by item -------------------------------------

def lists(db, sid: str = "hukou") -> tuple:
    row = db.one("SELECT materials, materials_en FROM services WHERE id = ?", (sid,))
    return (row["materials"], row["materials_en"]) if row else None


def refused_as_mismatch(r, zh: int, en: int) -> None:
    assert r.status_code == 422, r.json
    assert set(r.json) == {"error"}
    assert set(r.json["error"]) == {"code", "message"}
    assert r.json["error"]["code"] == "materials_mismatch"
    # "中文 (English)", the shape the pages split by language (HallQ.i18n.message)
    m = re.fullmatch(r"(.*?)\s*\(([^()]*)\)\s*", r.json["error"]["message"])
    assert m, r.json["error"]["message"]
    assert f"中文 {zh} 项" in m[1]
    assert f"英文 {en} 项" in m[1]
    assert not m[1].isascii()
    assert f"{zh} in Chinese, {en} in English" in m[2]
    assert m[2].isascii()


@pytest.mark.parametrize(("body", "zh", "en"), [
    ({"materials": ["身份证", "户口簿"], "materials_en": ["ID card"]}, 2, 1),
    ({"materials": ["身份证"], "materials_en": ["ID card", "Household register"]}, 1, 2),
    # hukou stores 3 Chinese and 3 English items: changing one list alone is checked too
    ({"materials": ["身份证", "户口簿", "照片", "申请表"]}, 4, 3),
    ({"materials_en": ["ID card"]}, 3, 1),
])
def test_lists_of_different_lengths_are_refused_and_change_nothing(db, mgr, body, zh, en):
    before, n = lists(db), len(db.all("SELECT seq FROM events"))
    assert [len(json.loads(x)) for x in before] == [3, 3]
    refused_as_mismatch(mgr.patch(f"{H}/services/hukou", json=body), zh, en)
    assert lists(db) == before
    assert len(db.all("SELECT seq FROM events")) == n  # no audit event of any kind


def test_a_new_service_with_lists_of_different_lengths_is_not_created(db, mgr):
    n = len(db.all("SELECT seq FROM events"))
    r = mgr.post(f"{H}/services", json={"id": "passport", "category": "hukou", "name": "护照",
                                        "mean_service_s": 300, "materials": ["身份证", "照片"],
                                        "materials_en": ["ID card"]})
    refused_as_mismatch(r, 2, 1)
    assert lists(db, "passport") is None
    assert len(db.all("SELECT seq FROM events")) == n


def test_lists_of_the_same_length_or_an_empty_english_list_are_saved(db, mgr):
    r = mgr.patch(f"{H}/services/hukou", json={"materials": ["身份证", "户口簿", "照片"],
                                                "materials_en": ["ID card", "Hukou", "Photo"]})
    assert r.status_code == 200, r.json
    assert r.json["service"]["materials_en"] == ["ID card", "Hukou", "Photo"]
    # the Chinese list alone, keeping the length the stored English list has
    r = mgr.patch(f"{H}/services/hukou", json={"materials": ["身份证", "户口簿", "近照"]})
    assert r.status_code == 200
    assert r.json["service"]["materials"][2] == "近照"
    # English emptied, then the Chinese list changes length freely (Chinese is the fallback)
    assert mgr.patch(f"{H}/services/hukou", json={"materials_en": []}).status_code == 200
    r = mgr.patch(f"{H}/services/hukou", json={"materials": ["身份证"]})
    assert r.status_code == 200
    assert r.json["service"]["materials_en"] == []
    assert json.loads(lists(db)[0]) == ["身份证"]
    # both emptied in one change, and an English list for a service without a Chinese one
    r = mgr.patch(f"{H}/services/hukou", json={"materials": [], "materials_en": []})
    assert r.status_code == 200
    assert mgr.patch(f"{H}/services/hukou", json={"materials_en": ["ID card", "Hukou"]}) \
        .status_code == 200
    assert len(events(db, "service_edit")) >= 6


def test_an_edit_that_leaves_both_lists_alone_is_not_refused_for_older_data(db, mgr):
    # lists that drifted before this check existed do not block renaming the service
    db.write("test", lambda tx: tx.run(
        "UPDATE services SET materials_en = ? WHERE id = 'hukou'", (json.dumps(["ID card"]),)))
    r = mgr.patch(f"{H}/services/hukou", json={"name_en": "Household register"})
    assert r.status_code == 200
    assert r.json["service"]["name_en"] == "Household register"
    refused_as_mismatch(mgr.patch(f"{H}/services/hukou", json={"materials": ["身份证", "照片"]}),
                        2, 1)


def test_a_clerk_cannot_edit_materials_en(client, auth):
    auth.login("clerk01")
    r = client.patch(f"{H}/services/hukou", json={"materials_en": ["ID card"]})
    assert r.status_code == 403
