"""The citizen API: halls, services, issuing with validation and limits, numbering by day."""
from __future__ import annotations

import pytest

from queue_server import create_app
from queue_server.api.fields import id_number_ok, mobile_ok
from queue_server.domain import clock, tickets

VALID_ID = "11010519491231002X"


def issue(client, **body):
    return client.post("/api/v1/halls/demo/tickets", json={"service": "hukou", **body})


def test_halls_and_services(client):
    assert client.get("/api/v1/halls").json == {
        "halls": [{"id": "demo", "name": "示范区政务服务中心",
                   "name_en": "Demo District Service Center"}]}
    data = client.get("/api/v1/halls/demo/services").json
    assert {c["prefix"] for c in data["categories"]} >= {"A", "B", "F"}
    estate = next(s for s in data["services"] if s["id"] == "estate")
    assert "不动产权证书" in estate["materials"]
    assert estate["waiting"] == 0
    assert set(estate) >= {"id", "name", "category", "materials", "waiting", "eta_s"}
    assert client.get("/api/v1/halls/nope/services").status_code == 404


def test_services_list_counts_waiting_and_eta(client, auth, app):
    auth.login("clerk01")
    client.post("/api/v1/windows/W13/open")
    for _ in range(3):
        issue(app.test_client())
    hukou = next(s for s in client.get("/api/v1/halls/demo/services").json["services"]
                 if s["id"] == "hukou")
    assert hukou["waiting"] == 3
    assert hukou["eta_s"] is not None
    assert hukou["eta_s"] > 0


def test_issue_returns_the_public_view_and_a_secret_token(client):
    r = issue(client, channel="mobile")
    assert r.status_code == 201
    t = r.json["ticket"]
    assert set(t) >= {"id", "number", "hall", "service", "service_name", "status", "priority",
                      "issued_at", "position", "eta_s", "window", "called_at"}
    assert t["status"] == "waiting"
    assert t["window"] is None
    assert t["called_at"] is None
    assert t["issued_at"].endswith("+08:00")
    assert len(r.json["token"]) >= 32
    assert client.get(f"/api/v1/tickets/{r.json['token']}").json["ticket"]["id"] == t["id"]
    assert client.get("/api/v1/tickets/" + "x" * 32).status_code == 404


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"service": "nope"}, 422, "unknown_service"),
    ({"service": "hukou", "channel": "fax"}, 422, "invalid_channel"),
    ({"service": "hukou", "id_number": "110105194912310021"}, 422, "invalid_id_number"),
    ({"service": "hukou", "id_number": "12345"}, 422, "invalid_id_number"),
    ({"service": "hukou", "phone": "12345678901"}, 422, "invalid_phone"),
    ({"service": "hukou", "priority": 2}, 422, "out_of_range"),
    ({"service": "hukou", "extra": 1}, 400, "unknown_field"),
    ({}, 400, "missing_field"),
    ({"service": 12}, 400, "wrong_type"),
])
def test_issue_refusals(client, db, body, status, code):
    r = client.post("/api/v1/halls/demo/tickets", json=body)
    assert (r.status_code, r.json["error"]["code"]) == (status, code)
    assert db.one("SELECT COUNT(*) FROM tickets")[0] == 0


def test_gb11643_check_digit():
    assert id_number_ok(VALID_ID)
    assert id_number_ok(VALID_ID.lower())
    assert id_number_ok("440524188001010014")
    assert not id_number_ok("440524188001010015")
    assert mobile_ok("13800138000")
    assert not mobile_ok("23800138000")


def test_rate_limit_per_id_number_per_day(tmp_path, demo_template):
    import shutil
    for suffix in ("", ".secret", ".idkey"):
        shutil.copy(f"{demo_template}{suffix}", tmp_path / f"h.db{suffix}")
    app = create_app({"DB": str(tmp_path / "h.db"), "RATE_ID_PER_DAY": 2})
    c = app.test_client()
    assert issue(c, id_number=VALID_ID).status_code == 201
    assert issue(c, id_number=VALID_ID).status_code == 201
    r = issue(c, id_number=VALID_ID)
    assert r.status_code == 429
    assert r.json["error"]["code"] == "too_many_requests"
    assert issue(c, id_number="440524188001010014").status_code == 201
    # The limit lives in the database: a restarted server still knows.
    again = create_app({"DB": str(tmp_path / "h.db"), "RATE_ID_PER_DAY": 2})
    assert issue(again.test_client(), id_number=VALID_ID).status_code == 429


def test_rate_limit_per_address_per_minute(tmp_path, demo_template):
    import shutil
    for suffix in ("", ".secret", ".idkey"):
        shutil.copy(f"{demo_template}{suffix}", tmp_path / f"h.db{suffix}")
    app = create_app({"DB": str(tmp_path / "h.db"), "RATE_ADDRESS_PER_MIN": 3})
    c = app.test_client()
    assert [issue(c).status_code for _ in range(4)] == [201, 201, 201, 429]
    other = app.test_client()
    r = other.post("/api/v1/halls/demo/tickets", json={"service": "hukou"},
                   environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert r.status_code == 201


def test_numbering_restarts_at_local_midnight_and_never_repeats(db):
    tz = "Asia/Shanghai"
    start, _ = clock.day_bounds("2026-03-01", tz)

    def issue_at(ts):
        def _tx(tx):
            tx.now = ts
            return tickets.issue(tx, "demo", "hukou", "kiosk")[0]["number"]
        return db.write("citizen", _tx)

    before_midnight = start - 60          # 23:59 local on Feb 28
    assert [issue_at(before_midnight) for _ in range(2)] == ["F001", "F002"]
    assert issue_at(start + 1) == "F001"   # 00:00:01 local: a new day starts again at 1
    assert issue_at(start + 2) == "F002"
    assert issue_at(before_midnight + 10) == "F003"  # the old day's counter went on
    days = {r["day"] for r in db.all("SELECT day FROM tickets")}
    assert days == {"2026-02-28", "2026-03-01"}


def test_openapi_document_matches_the_routes_and_their_bodies(client, auth, app):
    """Every route is documented, and every documented body field is one the endpoint takes
    (and nothing else): the document cannot drift from the code unnoticed."""
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = rule.rule.replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (method, path) in documented, (method, path)
    auth.login("manager")
    checked = 0
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            if not schema:
                continue
            url = path.replace("{hall}", "demo").replace("{window_id}", "W13").replace(
                "{token}", "x" * 32)
            r = getattr(client, method)(url, json={"not_a_field": 1})
            assert r.status_code in (400, 404), (url, r.json)
            for field in schema["schema"]["properties"]:
                r = getattr(client, method)(url, json={field: None})
                assert r.json is None or r.json.get("error", {}).get("code") != "unknown_field"
            checked += 1
    assert checked >= 8


def test_errors_have_one_shape(client):
    for r in (client.get("/api/v1/nothing-here"), client.delete("/api/v1/halls"),
              client.post("/api/v1/halls/demo/tickets", data="{", content_type="application/json"),
              client.post("/api/v1/windows/W01/call-next")):
        assert 400 <= r.status_code < 500
        assert set(r.json) == {"error"}
        assert set(r.json["error"]) == {"code", "message"}


def test_no_tickets_outside_opening_hours(app, client, db):
    app.config["OPEN_HOURS_ONLY"] = True
    now = clock.seconds_of_day(clock.now(), "Asia/Shanghai")
    closed_from = int(now + 3600) % 86400
    # Open for an hour that starts an hour from now: closed at this moment.
    db.write("manager", lambda tx: tx.run("UPDATE halls SET open_s = ?, close_s = ?",
                                          (closed_from, min(closed_from + 3600, 86400))))
    r = client.post("/api/v1/halls/demo/tickets", json={"service": "hukou"})
    assert r.status_code == 409
    assert r.json["error"]["code"] == "hall_closed"
    assert db.one("SELECT COUNT(*) FROM tickets")[0] == 0
    db.write("manager", lambda tx: tx.run("UPDATE halls SET open_s = 0, close_s = 86400"))
    assert client.post("/api/v1/halls/demo/tickets", json={"service": "hukou"}).status_code == 201


def test_with_no_open_window_a_ticket_counts_only_its_own_service_ahead(client):
    for _ in range(3):
        client.post("/api/v1/halls/demo/tickets", json={"service": "hukou"})
    estate = client.post("/api/v1/halls/demo/tickets", json={"service": "estate"}).json
    assert estate["ticket"]["position"] == 0
    assert estate["ticket"]["eta_s"] is None
    second = client.post("/api/v1/halls/demo/tickets", json={"service": "hukou"}).json
    assert second["ticket"]["position"] == 3
    listed = {s["id"]: s for s in client.get("/api/v1/halls/demo/services").json["services"]}
    assert (listed["estate"]["ahead"], listed["estate"]["eta_s"]) == (1, None)
    assert listed["fund"]["ahead"] == 0
