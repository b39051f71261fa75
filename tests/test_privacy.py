"""Personal data (PIPL): free text screened before storage, and the retention purge that clears
every personal field of a day past retention, keeps its statistics exact and the audit chain
verifiable (a privacy canary over the whole database dump)."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from queue_server import create_app
from queue_server.domain import clock, privacy
from queue_server.live import retention
from queue_server.manager import stats
from queue_server.store import audit_chain
from tests.helpers import PASSWORD
from tests.test_cli import hallq  # the installed command, this checkout's code

H = "/api/v1/halls/demo"
DAY_S = 86400
COMMENT = "我叫张三 13800138000，身份证 11010519491231002X"
RESPONSE = "张三先生您好，已按 13800138000 回电致歉"
OUTCOME = "已向李四（张三之子）说明，身份证 11010519491231002X 已核实"


def id_number(serial: int) -> str:
    """A valid GB 11643 ID number (Beijing, 1990-01-01, the given serial)."""
    body = f"11010519900101{serial:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


@pytest.mark.parametrize(("text", "kept"), [
    ("我叫张三 13800138000", "我叫张三 ***********"),
    ("身份证11010519491231002X谢谢", "身份证******************谢谢"),
    ("身份证110105491231002", "身份证***************"),        # 15 digits, the old cards
    ("电话 138 0013 8000", "电话 *************"),
    ("+86-138-0013-8000", "+****************"),
    ("１３８００１３８０００", "***********"),                    # full-width digits
    ("6222 0212 3456 7890 123", "***********************"),     # a bank card
    ("等了45分钟，10点到的，A012号", "等了45分钟，10点到的，A012号"),  # short numbers stay
    ("2026-12-01 10:30", "2026-12-01 10:30"),
    ("", ""), (None, None),
])
def test_mask(text, kept):
    assert privacy.mask(text) == kept


def serve(app, citizen, clerk, body: dict) -> dict:
    """Issue a ticket with ``body``, call it at W13; returns the issue's answer."""
    r = citizen.post(f"{H}/tickets", json=body)
    assert r.status_code == 201, r.json
    called = clerk.post("/api/v1/windows/W13/call-next")
    assert called.status_code == 200, called.json
    assert called.json["ticket"]["number"] == r.json["ticket"]["number"]
    return r.json


def a_day_of_personal_data(app) -> dict:
    """Today, through the real API: a rated ticket with ID, phone and a comment full of personal
    data, a transferred ticket (both legs hold the hashes), a held one, one taken by an agent
    (代办) and an appointment."""
    citizen, clerk = app.test_client(), app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    assert clerk.post("/api/v1/windows/W13/open").status_code == 200
    rated = serve(app, citizen, clerk, {"service": "hukou", "id_number": id_number(1),
                                        "phone": "13912345678"})
    assert clerk.post("/api/v1/windows/W13/finish").status_code == 200
    r = citizen.post(f"/api/v1/tickets/{rated['token']}/rating",
                     json={"score": 2, "reason": "态度差 打13700001111投诉", "comment": COMMENT})
    assert r.status_code == 201, r.json
    # the bad rating's rectification case, answered and closed naming the citizen
    manager = app.test_client()
    manager.post("/api/v1/auth/login", json={"username": "manager", "password": PASSWORD})
    case = manager.get(f"{H}/rectifications").json["rectifications"][0]["id"]
    for step, body in (("answer", {"response": RESPONSE}), ("close", {"outcome": OUTCOME})):
        r = manager.post(f"{H}/rectifications/{case}/{step}", json=body)
        assert r.status_code == 200, r.json
    serve(app, citizen, clerk, {"service": "hukou", "id_number": id_number(2),
                                "phone": "13698765432"})
    r = clerk.post("/api/v1/windows/W13/transfer", json={"service": "fund"})
    assert r.status_code == 200, r.json
    serve(app, citizen, clerk, {"service": "hukou", "id_number": id_number(3)})
    assert clerk.post("/api/v1/windows/W13/start").status_code == 200
    r = clerk.post("/api/v1/windows/W13/hold", json={"reason": "回家拿户口本 15011112222"})
    assert r.status_code == 200, r.json
    # 代办: an agent takes a ticket for someone else (both IDs, each kept only as a hash)
    r = citizen.post(f"{H}/tickets", json={"service": "hukou", "id_number": id_number(5),
                                           "agent_id_number": id_number(6)})
    assert r.status_code == 201, r.json
    tomorrow = (datetime.now(clock.zone("Asia/Shanghai")) + timedelta(days=1)).date()
    r = citizen.post(f"{H}/appointments", json={"service": "hukou", "id_number": id_number(4),
                                                "slot_at": f"{tomorrow}T10:00"})
    assert r.status_code == 201, r.json
    return {"day": clock.day_of(clock.now(), "Asia/Shanghai")}


def dump(db) -> str:
    return "\n".join(db.conn().iterdump())


def personal(db) -> set[str]:
    """Every ID and phone hash in the database."""
    rows = db.all("SELECT id_hash h FROM tickets UNION SELECT phone_hash FROM tickets"
                  " UNION SELECT id_hash FROM appointments"
                  " UNION SELECT agent_hash FROM agent_tickets")
    return {r["h"] for r in rows if r["h"]}


def test_free_text_is_masked_before_it_is_stored(app, db):
    a_day_of_personal_data(app)
    text = dump(db)
    for number in ("13800138000", "11010519491231002X", "13700001111", "15011112222",
                   *(id_number(i) for i in range(1, 7)), "13912345678", "13698765432"):
        assert number not in text, number
    rating = db.one("SELECT reason, comment FROM ratings")
    assert rating["comment"] == privacy.mask(COMMENT)
    assert "张三" in rating["comment"]
    assert rating["reason"] == "态度差 打***********投诉"


def test_a_day_past_retention_is_purged_its_statistics_and_the_chain_kept(app, db):
    day = a_day_of_personal_data(app)["day"]
    hashes = personal(db)
    # 4 IDs and 2 phones on tickets (legs share theirs), 1 agent, 1 appointment
    assert len(hashes) == 8
    before_dump = dump(db)
    assert all(h in before_dump for h in hashes)
    assert "张三" in before_dump
    with db.read() as conn:
        figures = stats.compute(conn, "demo", day)
    events = db.one("SELECT COUNT(*) n FROM events")["n"]

    later = clock.now() + 40 * DAY_S  # the day is now 40 days old
    [result] = retention.purge_all(db, 30, now=later)
    assert result["counts"] == {"ticket_phones": 0, "appointment_phones": 0,
                                "notice_outbox": 0, "tickets": 5, "appointments": 1,
                                "ratings": 1, "rectifications": 1, "agent_tickets": 1,
                                "supervision_outbox": 0, "cases": 0}

    after_dump = dump(db)
    for h in hashes:
        assert h not in after_dump
    for pii in ("张三", "李四", "13800138000", "11010519491231002X"):
        assert pii not in after_dump
    assert db.one("SELECT comment FROM ratings")["comment"] == privacy.PURGED_COMMENT
    case = db.one("SELECT response, outcome, status FROM rectifications")
    assert tuple(case) == (privacy.PURGED_COMMENT, privacy.PURGED_COMMENT, "closed")
    with db.read() as conn:
        assert stats.compute(conn, "demo", day) == figures
    purge_events = db.all("SELECT actor, detail FROM events WHERE action = ?",
                          (privacy.PURGE_ACTION,))
    assert [r["actor"] for r in purge_events] == ["system"]
    assert db.one("SELECT COUNT(*) n FROM events")["n"] == events + 1  # nothing deleted
    for hall in audit_chain.halls(db.conn()):
        assert audit_chain.verify(db.conn(), hall)["ok"], hall
    # done is done: a second run clears nothing and records nothing
    [again] = retention.purge_all(db, 30, now=later)
    assert set(again["counts"].values()) == {0}
    assert db.one("SELECT COUNT(*) n FROM events")["n"] == events + 1


def test_nothing_within_retention_is_purged(app, db):
    a_day_of_personal_data(app)
    hashes = personal(db)
    [dry] = retention.purge_all(db, 30, now=clock.now() + 29 * DAY_S)
    [result] = retention.purge_all(db, 30, now=clock.now() + 29 * DAY_S, dry_run=False)
    assert set(dry["counts"].values()) == set(result["counts"].values()) == {0}
    assert personal(db) == hashes
    assert db.one("SELECT comment FROM ratings")["comment"] == privacy.mask(COMMENT)




def test_hallq_purge_dry_run_shows_and_purge_clears(app, db):
    a_day_of_personal_data(app)
    # the day, and the appointment's slot, moved 60 days back (as if they had aged)
    db.write("test", lambda tx: (
        tx.run("UPDATE tickets SET day = '2000-01-01'"),
        tx.run("UPDATE agent_tickets SET day = '2000-01-01'"),
        tx.run("UPDATE appointments SET slot_at = slot_at - 60 * 86400")))
    hashes = personal(db)
    dry = hallq("--db", app.config["DB"], "purge", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert ("would clear: tickets 5, appointments 1, ratings 1, rectifications 1,"
            " agent_tickets 1, supervision_outbox 0") in dry.stdout
    assert "nothing cleared" in dry.stdout
    assert personal(db) == hashes
    real = hallq("--db", app.config["DB"], "purge")
    assert real.returncode == 0, real.stderr
    assert ("cleared: tickets 5, appointments 1, ratings 1, rectifications 1,"
            " agent_tickets 1, supervision_outbox 0") in real.stdout
    assert personal(db) == set()
    assert hallq("--db", app.config["DB"], "audit", "verify").returncode == 0


def test_pause_reason_is_masked(app, db, auth):
    auth.login("clerk01")
    auth.client.post("/api/v1/windows/W13/open")
    r = auth.client.post("/api/v1/windows/W13/pause", json={"reason": "回电 13800138000"})
    assert r.status_code == 200, r.json
    assert "13800138000" not in dump(db)


@pytest.mark.parametrize("days", [0, -3])
def test_retention_must_be_a_positive_number_of_days(tmp_path, days):
    with pytest.raises(ValueError, match="HALLQ_PERSONAL_DATA_DAYS"):
        create_app({"DB": str(tmp_path / "x.db"), "TESTING": True, "PERSONAL_DATA_DAYS": days})


def test_the_audit_log_outlives_the_purge(app, db):
    """网络安全法: audit events are kept at least 180 days; here nothing deletes them at all,
    the purge of a day 200 days old included, and the database refuses to."""
    a_day_of_personal_data(app)
    seqs = [r["seq"] for r in db.all("SELECT seq FROM events ORDER BY seq")]
    retention.purge_all(db, 30, now=clock.now() + (privacy.AUDIT_RETENTION_DAYS + 20) * DAY_S)
    kept = [r["seq"] for r in db.all("SELECT seq FROM events ORDER BY seq")]
    assert kept[:len(seqs)] == seqs
    assert len(kept) == len(seqs) + 1
    for sql in ("DELETE FROM events", "UPDATE events SET detail = '{}'"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.write("test", lambda tx, sql=sql: tx.run(sql))
    assert [r["seq"] for r in db.all("SELECT seq FROM events ORDER BY seq")] == kept
