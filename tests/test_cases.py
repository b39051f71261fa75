"""Cases (办件) from the approval system: an integration token (``hallq token``) posts a case
for a served ticket and moves it through its steps; the ticket's page and the look-up show
them in order; a wrong ID suffix and an unknown case number get the same 404; staff and
citizen tokens cannot post, a revoked token is refused at once; a ready case is collected
with a 出件 ticket; the statistics count them; bad input changes nothing."""
from __future__ import annotations

import csv
import io
import json

import pytest

from queue_server import cli, integration_tokens, registry
from tests.helpers import error_code, received_until
from tests.test_holds import H, W, signed_in

ID = "11010519491231002X"
TABLES = ("cases", "case_steps", "tickets", "integration_tokens", "events")


def snapshot(db) -> dict:
    return {t: [tuple(r) for r in db.all(f"SELECT * FROM {t} ORDER BY 1")] for t in TABLES}


def token(db, name: str = "approval", hall: str | None = "demo") -> str:
    return db.write("system", lambda tx: integration_tokens.add(tx, name, "integration", hall))


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def served(app, service: str = "hukou", finish: bool = True) -> tuple[dict, str]:
    """A ticket issued with an ID number, served at W13; its view and token."""
    issued = app.test_client().post(f"{H}/tickets", json={"service": service,
                                                          "id_number": ID}).json
    clerk = signed_in(app, "clerk01", "W13")
    assert clerk.post(f"{W}/W13/call-next").json["ticket"]["number"] == issued["ticket"][
        "number"]
    clerk.post(f"{W}/W13/start")
    if finish:
        assert clerk.post(f"{W}/W13/finish").status_code == 200
    return issued["ticket"], issued["token"]


def post(client, secret: str, **body):
    return client.post(f"{H}/cases", json=body, headers=bearer(secret))


def test_a_case_moves_through_its_steps_and_the_citizen_sees_them(app, client, db):
    secret = token(db)
    ticket, tk = served(app)
    steps = ["accepted", "in_review", "approved", "ready", "collected"]
    r = post(client, secret, case_no="SP001", ticket=ticket["number"], status="accepted",
             id_number=ID)
    assert r.status_code == 201, r.json
    assert r.json["case"]["status"] == "accepted"
    assert post(client, secret, case_no="SP001", ticket=ticket["number"],
                status="accepted").status_code == 200  # a retry: no second step
    seq = db.one("SELECT live_seq FROM halls WHERE id = 'demo'")[0]
    for status in steps[1:]:
        r = post(client, secret, case_no="SP001", ticket=ticket["number"], status=status)
        assert r.status_code == 200, r.json
    # no hall-room event: the hall screens' seq has no gap to resubscribe over
    assert db.one("SELECT live_seq FROM halls WHERE id = 'demo'")[0] == seq
    page = client.get(f"/api/v1/tickets/{tk}").json
    [case] = page["cases"]
    assert case["case_no"] == "SP001"
    assert case["status"] == "collected"
    assert [s["status"] for s in case["steps"]] == steps
    ats = [s["at"] for s in case["steps"]]
    assert ats == sorted(ats)
    assert all("+08:00" in a for a in ats)
    found = client.post(f"{H}/cases/lookup", json={"case_no": "SP001", "id_suffix": ID[-6:]})
    assert found.status_code == 200
    assert [s["status"] for s in found.json["case"]["steps"]] == steps
    # lower-case x finds it too; each step is audited by the token's name, never the ID
    assert client.post(f"{H}/cases/lookup", json={"case_no": "SP001", "id_suffix": ID[-6:]
                                                   .lower()}).status_code == 200
    events = db.all("SELECT actor, detail FROM events WHERE action = 'case_step' ORDER BY seq")
    assert [json.loads(e["detail"])["after"] for e in events] == steps
    assert {e["actor"] for e in events} == {"integration:approval"}
    assert not any(ID in e["detail"] or ID[-6:] in e["detail"] for e in events)
    # a closed case takes no further step
    r = post(client, secret, case_no="SP001", ticket=ticket["number"], status="ready")
    assert (r.status_code, error_code(r)) == (409, "case_closed")


def test_a_wrong_suffix_and_an_unknown_case_get_the_same_404(app, client, db):
    secret = token(db)
    ticket, _ = served(app)
    assert post(client, secret, case_no="SP002", ticket=ticket["number"], status="accepted",
                id_number=ID).status_code == 201
    wrong = client.post(f"{H}/cases/lookup", json={"case_no": "SP002", "id_suffix": "123456"})
    unknown = client.post(f"{H}/cases/lookup", json={"case_no": "SP999",
                                                     "id_suffix": ID[-6:]})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json == unknown.json
    bad = client.post(f"{H}/cases/lookup", json={"case_no": "SP002", "id_suffix": "12"})
    assert bad.status_code == 422


def test_staff_and_citizen_tokens_cannot_post_and_a_revoked_one_is_refused_at_once(
        app, client, auth, db):
    secret = token(db)
    ticket, citizen_token = served(app)
    body = {"case_no": "SP003", "ticket": ticket["number"], "status": "accepted"}
    before = snapshot(db)
    for who in ("clerk01", "manager"):
        staff = auth.login(who)
        r = client.post(f"{H}/cases", json=body, headers=bearer(staff))
        assert r.status_code == 403, r.json
    auth.logout()
    r = client.post(f"{H}/cases", json=body, headers=bearer(citizen_token))
    assert r.status_code == 401
    assert client.post(f"{H}/cases", json=body).status_code == 401
    assert [r for r in snapshot(db)["cases"]] == before["cases"]
    assert post(client, secret, **body).status_code == 201
    db.write("system", lambda tx: integration_tokens.revoke(tx, "approval"))
    before = snapshot(db)
    r = post(client, secret, **{**body, "status": "in_review"})
    assert (r.status_code, error_code(r)) == (401, "unauthorized")
    assert snapshot(db) == before
    revoked = db.all("SELECT hall FROM events WHERE action = 'token_revoke'")
    assert [e["hall"] for e in revoked] == ["demo"]


def test_a_token_of_another_hall_is_refused(app, client, db):
    db.write("system", lambda tx: tx.run(
        "INSERT INTO halls (id, name, tz, live_seq) VALUES ('north', '北区', 'Asia/Shanghai',"
        " 0)"))
    secret = token(db, "north-approval", "north")
    ticket, _ = served(app)
    r = post(client, secret, case_no="SP004", ticket=ticket["number"], status="accepted")
    assert r.status_code == 403


def test_the_cli_prints_a_token_once_lists_and_revokes_it(app, db, capsys, client):
    path = app.config["DB"]
    assert cli.main(["--db", path, "token", "add", "shenpi", "--role", "integration",
                     "--hall", "demo"]) == 0
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("hqi_")
    stored = db.one("SELECT token_hash FROM integration_tokens WHERE name = 'shenpi'")
    assert stored["token_hash"] != secret
    assert secret not in json.dumps(
        [tuple(r) for r in db.all("SELECT * FROM integration_tokens")])
    assert cli.main(["--db", path, "token", "list"]) == 0
    listed = capsys.readouterr().out
    assert "shenpi\tintegration\tdemo\tactive" in listed
    assert secret not in listed
    ticket, _ = served(app)
    assert post(client, secret, case_no="SP005", ticket=ticket["number"],
                status="accepted").status_code == 201
    assert cli.main(["--db", path, "token", "revoke", "shenpi"]) == 0
    assert post(client, secret, case_no="SP005", ticket=ticket["number"],
                status="in_review").status_code == 401
    assert cli.main(["--db", path, "token", "add", "shenpi", "--role", "integration"]) == 1
    assert db.one("SELECT 1 FROM events WHERE action = 'token_add'") is not None


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"case_no": "SP006", "ticket": "F001"}, 400, "missing_field"),
    ({"case_no": "SP006", "ticket": "F001", "status": "lost"}, 422, "invalid_status"),
    ({"case_no": "SP 6", "ticket": "F001", "status": "accepted"}, 422, "invalid_format"),
    ({"case_no": "SP006", "ticket": "F001", "status": "accepted", "date": "2026-13-40"},
     400, "bad_date"),
    ({"case_no": "SP006", "ticket": "Z999", "status": "accepted"}, 422, "unknown_ticket"),
    ({"case_no": "SP006", "ticket": "F001", "status": "accepted", "service": "nope"},
     422, "unknown_service"),
    ({"case_no": "SP006", "ticket": "F001", "status": "accepted", "id_number": "123"},
     422, "invalid_id_number"),
    ({"case_no": "SP006", "ticket": "F001", "status": "accepted", "at": "2999-01-01T00:00"},
     422, "invalid_time"),
    ({"case_no": "SP006", "ticket": "F001", "status": "accepted", "extra": 1},
     400, "unknown_field"),
])
def test_bad_input_gets_the_error_shape_and_changes_nothing(app, client, db, body, status,
                                                            code):
    secret = token(db)
    served(app)
    before = snapshot(db)
    r = post(client, secret, **body)
    assert (r.status_code, error_code(r)) == (status, code), r.json
    assert set(r.json) == {"error"}
    assert set(r.json["error"]) == {"code", "message"}
    assert snapshot(db) == before


def test_a_ticket_not_served_yet_has_no_case(app, client, db):
    secret = token(db)
    waiting = client.post(f"{H}/tickets", json={"service": "fund"}).json["ticket"]
    before = snapshot(db)
    r = post(client, secret, case_no="SP007", ticket=waiting["number"], status="accepted")
    assert (r.status_code, error_code(r)) == (409, "ticket_not_served")
    assert snapshot(db) == before


def test_a_ready_case_is_collected_with_a_pickup_ticket_and_a_live_notice(app, client, db,
                                                                          sio):
    secret = token(db)
    ticket, tk = served(app)
    follower = sio()
    follower.emit("subscribe", {"ticket": tk})
    follower.get_received()
    post(client, secret, case_no="SP008", ticket=ticket["number"], status="accepted",
         id_number=ID)
    r = client.post(f"/api/v1/tickets/{tk}/collect", json={"case_no": "SP008"})
    assert (r.status_code, error_code(r)) == (409, "case_not_ready")
    post(client, secret, case_no="SP008", ticket=ticket["number"], status="approved")
    post(client, secret, case_no="SP008", ticket=ticket["number"], status="ready")
    got = received_until(follower, "case.ready", "case.updated")
    ready = [e["args"][0] for e in got if e["name"] == "case.ready"]
    assert len(ready) == 1
    assert ready[0]["case_no"] == "SP008"
    assert ID not in json.dumps(got)
    assert ID[-6:] not in json.dumps(got)
    assert client.get(f"/api/v1/tickets/{tk}").json["cases"][0]["collect"] is True
    r = client.post(f"/api/v1/tickets/{tk}/collect", json={"case_no": "SP008"})
    assert r.status_code == 201, r.json
    pick = r.json["ticket"]
    assert pick["service"] == "pickup"
    assert pick["number"].startswith("L")
    row = db.one("SELECT id_hash, priority FROM tickets WHERE number = ? AND service ="
                 " 'pickup'", (pick["number"],))
    original = db.one("SELECT id_hash FROM tickets WHERE number = ?", (ticket["number"],))
    assert row["id_hash"] == original["id_hash"] is not None  # nothing entered again
    again = client.post(f"{H}/cases/collect", json={"case_no": "SP008",
                                                     "id_suffix": ID[-6:]})
    assert (again.status_code, error_code(again)) == (409, "collect_ticket_exists")
    assert client.get(f"/api/v1/tickets/{tk}").json["cases"][0]["collect_ticket"] == \
        pick["number"]


def test_statistics_count_cases_days_to_approval_and_uncollected(app, client, mgr, db):
    secret = token(db)
    ticket, _ = served(app)
    other, _ = served(app, "hukou")
    day = 86400
    now = db.one("SELECT MAX(finished_at) FROM tickets")[0]
    from queue_server.domain import clock
    iso = lambda ts: clock.iso(ts, "Asia/Shanghai")  # noqa: E731
    # SP010: accepted, approved 2 days later, ready, not collected; SP011: accepted only
    # (its step times are in the past: the approval system reports them late)
    for status, at in (("accepted", now - 6 * day), ("approved", now - 4 * day),
                       ("ready", now - 4 * day)):
        assert post(client, secret, case_no="SP010", ticket=ticket["number"], status=status,
                    at=iso(at)).status_code in (200, 201)
    post(client, secret, case_no="SP011", ticket=other["number"], status="accepted")
    since = clock.day_of(now - 10 * day, "Asia/Shanghai")
    s = mgr.get(f"{H}/cases/stats?from={since}&ready_days=3").json
    assert s["cases"] == 2
    assert s["by_status"]["ready"] == 1
    assert s["by_status"]["accepted"] == 1
    [hukou] = s["by_service"]
    assert (hukou["service"], hukou["cases"], hukou["ready"]) == ("hukou", 2, 1)
    assert s["approval_days"] == {"n": 1, "mean": 2.0, "median": 2.0}
    assert s["uncollected"] == {"ready": 1, "uncollected": 1, "share": 1.0}
    assert mgr.get(f"{H}/cases/stats?from={since}&ready_days=5").json["uncollected"][
        "ready"] == 0
    rows = list(csv.reader(io.StringIO(mgr.get(
        f"{H}/cases/stats?from={since}&format=csv").text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["service", "name", "cases"]
    assert rows[1][:3] == ["hukou",
                                                                          "户籍证明与迁移", "2"]
    whole = mgr.get(f"{H}/stats?from={since}").json
    assert whole["cases"]["cases"] == 2
    assert app.test_client().get(f"{H}/cases/stats").status_code == 401


def test_the_purge_clears_a_case_s_id_tail_and_the_look_up_ends(app, client, db):
    from queue_server.domain import clock
    from queue_server.live import retention
    secret = token(db)
    ticket, tk = served(app)
    post(client, secret, case_no="SP020", ticket=ticket["number"], status="accepted",
         id_number=ID)
    lookup = {"case_no": "SP020", "id_suffix": ID[-6:]}
    assert client.post(f"{H}/cases/lookup", json=lookup).status_code == 200
    [result] = retention.purge_all(db, 30, now=clock.now() + 40 * 86400)
    assert result["counts"]["cases"] == 1
    assert client.post(f"{H}/cases/lookup", json=lookup).status_code == 404
    # the steps stay (no personal data), on the ticket's page too
    assert [s["status"] for s in client.get(f"/api/v1/tickets/{tk}").json["cases"][0][
        "steps"]] == ["accepted"]


def test_the_case_ready_notice_carries_no_id_number(app, client, db):
    """What the outbound channel will send (``_notify_case_ready``'s payload): the case, the
    service and the ticket's number, never the ID number, its tail or their hashes."""
    from queue_server.domain import cases
    secret = token(db)
    ticket, _ = served(app)
    post(client, secret, case_no="SP030", ticket=ticket["number"], status="accepted",
         id_number=ID)
    case = db.one("SELECT * FROM cases WHERE case_no = 'SP030'")
    leg = db.one("SELECT * FROM tickets WHERE id = ?", (case["ticket"],))
    payload = db.write("system", lambda tx: cases._notify_case_ready(tx, "demo", case, leg,
                                                                     tx.now))
    assert payload["event"] == "case.ready"
    assert payload["case"]["case_no"] == "SP030"
    assert payload["ticket"]["number"] == ticket["number"]
    text = json.dumps(payload, ensure_ascii=False)
    for secret_part in (ID, ID[-6:], leg["id_hash"], case["id_tail_hash"]):
        assert secret_part not in text


def test_a_real_webhook_receiver_gets_case_ready_signed_and_without_any_id(
        tmp_path, demo_template):
    """case.ready goes out through the outbound channel (domain/notices.py) in the
    transaction of the ready step, and the real receiver gets it signed, with the case and
    the ticket's number and nothing of the ID number."""
    from queue_server.live.notices import NoticeSender
    from tests.helpers import Receiver
    from tests.test_notices import SECRET, make_app, signed

    receiver = Receiver()
    app = make_app(tmp_path, demo_template, WEBHOOK_URL=receiver.url, WEBHOOK_SECRET=SECRET)
    try:
        db, client = registry.db(app), app.test_client()
        secret = token(db)
        ticket, _ = served(app)
        for status in ("accepted", "approved", "ready"):
            r = post(client, secret, case_no="SP040", ticket=ticket["number"], status=status,
                     id_number=ID)
            assert r.status_code in (200, 201), r.json
        NoticeSender(app).deliver_once()
        ready = [(g, json.loads(g["raw"])) for g in receiver.got
                 if json.loads(g["raw"])["event"] == "case.ready"]
        assert len(ready) == 1
        got, body = ready[0]
        assert signed(got)
        assert body["case"]["case_no"] == "SP040"
        assert body["ticket"]["number"] == ticket["number"]
        raw = got["raw"].decode()
        case = db.one("SELECT id_tail_hash FROM cases WHERE case_no = 'SP040'")
        for secret_part in (ID, ID[-6:], case["id_tail_hash"]):
            assert secret_part not in raw
    finally:
        registry.db(app).close()
        receiver.close()
