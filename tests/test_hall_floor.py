"""The hall floor's overrides: a 特呼号 from the guide desk is called before everyone by the
first able window, within a daily quota; 指呼 calls a waiting ticket by its number. Every
refusal changes nothing (second round of the contract)."""
from __future__ import annotations

import pytest

from queue_server import auth, registry
from tests.helpers import PASSWORD

H = "/api/v1/halls/demo"


@pytest.fixture
def guide(app):
    registry.db(app).write("system", lambda tx: auth.create_user(
        tx, "guide01", "guide", PASSWORD, "导办员01", "D001", hall="demo"))
    c = app.test_client()
    assert c.post("/api/v1/auth/login", json={"username": "guide01",
                                              "password": PASSWORD}).status_code == 200
    return c


def dump(db) -> list:
    return [tuple(r) for r in db.all("SELECT id, status, window FROM tickets ORDER BY id")]


def opened(app, user: str, window: str):
    c = app.test_client()
    c.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    assert c.post(f"/api/v1/windows/{window}/open").status_code == 200
    return c


def test_a_special_ticket_goes_before_everyone(app, client, db, guide):
    ordinary = [client.post(f"{H}/tickets", json={"service": "hukou", "priority": p}).json
                for p in (1, 0)]
    r = guide.post(f"{H}/special-tickets", json={"service": "hukou", "reason": "材料已核验"})
    assert r.status_code == 201, r.json
    special = r.json["ticket"]
    clerk = opened(app, "clerk01", "W13")  # W13 serves hukou
    called = clerk.post("/api/v1/windows/W13/call-next").json
    assert called["ticket"]["number"] == special["number"]
    assert "特呼" in called["why"]
    audit = db.one("SELECT detail FROM events WHERE action = 'call' ORDER BY seq DESC LIMIT 1")
    assert '"chosen_by": "special"' in audit["detail"]
    issued = db.one("SELECT detail FROM events WHERE action = 'issue' AND ticket = ?",
                    (special["id"],))
    assert "材料已核验" in issued["detail"]
    # then the dispatcher's order again: the priority ticket
    clerk.post("/api/v1/windows/W13/finish")
    assert clerk.post("/api/v1/windows/W13/call-next").json["ticket"]["number"] == \
        ordinary[0]["ticket"]["number"]


def test_who_may_issue_special_tickets_and_the_quota(app, db, guide, mgr):
    clerk = app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    body = {"service": "hukou", "reason": "已核验"}
    before = dump(db)
    assert app.test_client().post(f"{H}/special-tickets", json=body).status_code == 401
    assert clerk.post(f"{H}/special-tickets", json=body).status_code == 403
    assert guide.post(f"{H}/special-tickets", json={"service": "hukou"}).status_code == 400
    assert guide.post(f"{H}/special-tickets", json={**body, "reason": "  "}).status_code == 422
    assert dump(db) == before
    app.config["SPECIAL_PER_DAY"] = 2
    assert mgr.post(f"{H}/special-tickets", json=body).status_code == 201
    assert guide.post(f"{H}/special-tickets", json=body).status_code == 201
    full = guide.post(f"{H}/special-tickets", json=body)
    assert full.status_code == 409
    assert full.json["error"]["code"] == "quota_reached"
    assert len(dump(db)) == len(before) + 2
    # a guide works no window
    assert guide.post("/api/v1/windows/W13/open").status_code == 403


def test_a_clerk_calls_a_number(app, client, db):
    first, second = (client.post(f"{H}/tickets", json={"service": "hukou"}).json["ticket"]
                     for _ in range(2))
    fund = client.post(f"{H}/tickets", json={"service": "fund"}).json["ticket"]
    clerk = opened(app, "clerk01", "W13")  # hukou primary, no fund
    before = dump(db)
    r = clerk.post("/api/v1/windows/W13/call", json={"number": fund["number"]})
    assert r.status_code == 422
    assert r.json["error"]["code"] == "cannot_serve"
    assert clerk.post("/api/v1/windows/W13/call", json={"number": "Z999"}).status_code == 404
    assert clerk.post("/api/v1/windows/W13/call", json={"number": "12"}).status_code == 422
    assert dump(db) == before
    r = clerk.post("/api/v1/windows/W13/call", json={"number": second["number"].lower()})
    assert r.status_code == 200, r.json
    assert r.json["ticket"]["number"] == second["number"]  # ahead of the first, by choice
    audit = db.one("SELECT detail FROM events WHERE action = 'call' ORDER BY seq DESC LIMIT 1")
    assert '"chosen_by": "number"' in audit["detail"]
    busy = clerk.post("/api/v1/windows/W13/call", json={"number": first["number"]})
    assert busy.status_code == 409  # finish the current one first
    clerk.post("/api/v1/windows/W13/finish")
    again = clerk.post("/api/v1/windows/W13/call", json={"number": second["number"]})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "not_waiting"
