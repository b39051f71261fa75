"""Outbound notices to citizens: written in the transaction of their cause, delivered by the
webhook channel to a real local HTTP receiver signed, in order per hall, retried after the
receiver was down, never with an ID number (nor a phone number unless the hall chose it), and
never on the request: a call-next answers while the receiver holds a notice."""
from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import threading
import time

import pytest
import requests

from queue_server import create_app, registry
from queue_server.domain import clock, notices, privacy
from queue_server.live.notices import NoticeChecker, NoticeSender
from queue_server.live.outbox import signature
from tests.helpers import LOAD_ENV, PASSWORD, SERVERS, Receiver, demo_server, login

H = "/api/v1/halls/demo"
SECRET = "webhook-secret-for-tests"
ID = "11010519491231002X"
PHONE = "13800138000"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def make_app(tmp_path, demo_template, **config):
    for suffix in ("", ".secret", ".idkey"):
        shutil.copy(f"{demo_template}{suffix}", tmp_path / f"hallq.db{suffix}")
    return create_app({"DB": str(tmp_path / "hallq.db"), "TESTING": True,
                       "WEBHOOK_RETRY_S": 30.0, "WEBHOOK_TIMEOUT_S": 5.0,
                       "RATE_ID_PER_DAY": 100, **config})


@pytest.fixture
def hook_app(tmp_path, demo_template, receiver):
    app = make_app(tmp_path, demo_template, WEBHOOK_URL=receiver.url, WEBHOOK_SECRET=SECRET)
    yield app
    registry.db(app).close()


def signed(got: dict) -> bool:
    want = "sha256=" + hmac.new(SECRET.encode(), got["raw"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(got["headers"]["x-hallq-signature"], want)


def clerk_of(app):
    clerk = app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    assert clerk.post("/api/v1/windows/W13/open").status_code == 200
    return clerk


def take(app, n: int = 1, **extra) -> list[dict]:
    citizen = app.test_client()
    out = []
    for _ in range(n):
        r = citizen.post(f"{H}/tickets", json={"service": "hukou", "id_number": ID, **extra})
        assert r.status_code == 201, r.json
        out.append(r.json)
    return out


def test_called_and_no_show_are_signed_in_order_without_personal_data(hook_app, receiver):
    db = registry.db(hook_app)
    clerk = clerk_of(hook_app)
    t1, t2 = take(hook_app, 2, phone=PHONE)
    assert clerk.post("/api/v1/windows/W13/call-next").json["ticket"]["number"] == \
        t1["ticket"]["number"]
    clerk.post("/api/v1/windows/W13/no-show")
    clerk.post("/api/v1/windows/W13/call-next")
    clerk.post("/api/v1/windows/W13/recall")
    rows = db.all("SELECT event, channel, delivered_at FROM notice_outbox ORDER BY id")
    assert [r["event"] for r in rows] == ["ticket.called", "ticket.no_show", "ticket.called",
                                          "ticket.called"]
    assert {r["channel"] for r in rows} == {"webhook"}
    assert receiver.got == []                        # nothing is sent on the request
    assert NoticeSender(hook_app).deliver_once() == 4
    assert all(signed(g) for g in receiver.got)
    bodies = receiver.delivered()
    assert [(b["event"], b["ticket"]["number"]) for b in bodies] == [
        ("ticket.called", t1["ticket"]["number"]), ("ticket.no_show", t1["ticket"]["number"]),
        ("ticket.called", t2["ticket"]["number"]), ("ticket.called", t2["ticket"]["number"])]
    assert [b["id"] for b in bodies] == sorted(b["id"] for b in bodies)
    first = bodies[0]
    assert (first["hall"], first["recall"], first["ticket"]["window"]["id"]) == ("demo", 0, "W13")
    assert first["ticket"]["status"] == "called"
    assert set(first["ticket"]) >= {"number", "service", "status", "position", "window"}
    assert bodies[3]["recall"] == 1
    assert receiver.got[0]["headers"]["x-hallq-event"] == "ticket.called"
    assert receiver.got[0]["headers"]["x-hallq-delivery"] == str(first["id"])
    for g in receiver.got:                           # the phone goes only where configured
        assert ID not in g["raw"].decode()
        assert PHONE not in g["raw"].decode()
    assert db.one("SELECT COUNT(*) FROM tickets WHERE phone_enc IS NOT NULL")[0] == 0
    assert NoticeSender(hook_app).deliver_once() == 0  # delivered once


def test_retried_with_back_off_after_the_receiver_was_down(hook_app, receiver):
    db = registry.db(hook_app)
    clerk = clerk_of(hook_app)
    take(hook_app, 2)
    clerk.post("/api/v1/windows/W13/call-next")
    clerk.post("/api/v1/windows/W13/finish")
    clerk.post("/api/v1/windows/W13/call-next")
    receiver.down()
    sender, now = NoticeSender(hook_app), clock.now()
    assert sender.deliver_once(now) == 0             # refused: the second waits behind it
    first = db.one("SELECT attempts, next_at, last_error FROM notice_outbox ORDER BY id")
    assert first["attempts"] == 1
    assert "Connection" in first["last_error"] or "Errno" in first["last_error"]
    assert first["next_at"] >= now + 30
    receiver.up()
    receiver.statuses = [503]
    assert sender.deliver_once(now + 1) == 0         # not due yet: nothing sent
    assert receiver.got == []
    assert sender.deliver_once(first["next_at"] + 1) == 0  # 503: the back-off doubles
    again = db.one("SELECT attempts, next_at FROM notice_outbox ORDER BY id")
    assert again["attempts"] == 2
    assert again["next_at"] - first["next_at"] >= 59
    assert sender.deliver_once(again["next_at"] + 1) == 2
    got = [json.loads(g["raw"]) for g in receiver.got]
    assert got[0]["id"] == got[1]["id"]              # the same notice, tried again
    assert [b["id"] for b in receiver.delivered()] == [got[0]["id"], got[0]["id"] + 1]
    assert all(signed(g) for g in receiver.got)


def test_order_is_kept_per_hall_a_failing_hall_holds_back_only_its_own(hook_app, receiver):
    db = registry.db(hook_app)
    clerk = clerk_of(hook_app)
    take(hook_app, 1)
    clerk.post("/api/v1/windows/W13/call-next")
    # a second hall's notice, written after the first hall's
    db.write("system", lambda tx: tx.run(
        "INSERT INTO halls (id, name) VALUES ('other', 'Other hall')"))
    db.write("system", lambda tx: notices.enqueue(tx, "other", "case.ready", {"case": 1}))
    receiver.statuses = [500]
    now = clock.now()
    assert NoticeSender(hook_app).deliver_once(now) == 1  # demo's failed, other's went out
    assert [b["hall"] for b in receiver.delivered()] == ["other"]
    assert NoticeSender(hook_app).deliver_once(now + 31) == 1
    assert [b["hall"] for b in receiver.delivered()] == ["other", "demo"]


def test_a_call_next_answers_while_the_receiver_blocks(hook_app, receiver):
    db = registry.db(hook_app)
    clerk = clerk_of(hook_app)
    take(hook_app, 3)
    assert clerk.post("/api/v1/windows/W13/call-next").status_code == 200
    clerk.post("/api/v1/windows/W13/finish")
    receiver.hold.clear()                            # the receiver hangs on the next POST
    sender = NoticeSender(hook_app)
    delivering = threading.Thread(target=sender.deliver_once, daemon=True)
    delivering.start()
    assert receiver.waiting.wait(10)                 # the sender is stuck in the receiver
    r = clerk.post("/api/v1/windows/W13/call-next")  # answers all the same
    assert r.status_code == 200
    assert r.json["ticket"]["status"] == "called"
    assert db.one("SELECT COUNT(*) FROM notice_outbox WHERE delivered_at IS NULL")[0] == 2
    receiver.hold.set()
    delivering.join(10)
    assert not delivering.is_alive()
    # the held notice went out, then the call's that was answered meanwhile
    assert [b["event"] for b in receiver.delivered()] == ["ticket.called"] * 2
    assert db.one("SELECT COUNT(*) FROM notice_outbox WHERE delivered_at IS NULL")[0] == 0


def test_near_front_once_per_ticket(hook_app, receiver):
    db = registry.db(hook_app)
    clerk = clerk_of(hook_app)
    tickets = take(hook_app, 6)
    checker = NoticeChecker(hook_app)
    first = checker.check()["near_front"]
    # position 0..3: the first four (at most three ahead); the last two are further back
    assert sorted(first) == sorted(t["ticket"]["id"] for t in tickets[:4])
    assert checker.check()["near_front"] == []       # nothing changed, nothing again
    clerk.post("/api/v1/windows/W13/call-next")
    clerk.post("/api/v1/windows/W13/finish")
    assert checker.check()["near_front"] == [tickets[4]["ticket"]["id"]]
    assert NoticeChecker(hook_app).check()["near_front"] == []  # another process: once
    NoticeSender(hook_app).deliver_once()
    near = [b for b in receiver.delivered() if b["event"] == "ticket.near_front"]
    assert [b["ticket"]["number"] for b in near] == \
        [t["ticket"]["number"] for t in tickets[:5]]
    assert [b["ticket"]["position"] for b in near] == [0, 1, 2, 3, 3]
    assert all(b["ticket"]["status"] == "waiting" for b in near)
    assert db.one("SELECT COUNT(*) FROM tickets WHERE near_front_at IS NOT NULL")[0] == 5


def test_the_phone_only_to_a_webhook_configured_for_it_sealed_and_purged(
        tmp_path, demo_template, receiver):
    app = make_app(tmp_path, demo_template, WEBHOOK_URL=receiver.url, WEBHOOK_SECRET=SECRET,
                   WEBHOOK_PHONE=True)
    db = registry.db(app)
    clerk = clerk_of(app)
    take(app, 1, phone=PHONE)
    clerk.post("/api/v1/windows/W13/call-next")
    sealed = db.one("SELECT phone_enc FROM tickets")[0]
    assert sealed.startswith("s1.")
    assert privacy.unseal(app.config["PHONE_KEY"], sealed) == PHONE
    for table in ("tickets", "notice_outbox", "events"):
        dump = json.dumps([dict(r) for r in db.all(f"SELECT * FROM {table}")])
        assert PHONE not in dump
        assert ID not in dump
    NoticeSender(app).deliver_once()
    [body] = receiver.delivered()
    assert body["phone"] == PHONE
    assert ID not in receiver.got[0]["raw"].decode()
    from queue_server.live import retention

    [result] = retention.purge_all(db, 30, now=clock.now() + 86400)  # the next day
    assert result["counts"]["ticket_phones"] == 1
    assert db.one("SELECT phone_enc FROM tickets")[0] is None
    registry.db(app).close()


def test_no_channel_writes_no_notices_and_an_unsigned_webhook_stops_the_start(
        app, db, tmp_path, receiver):
    clerk = clerk_of(app)
    take(app, 1, phone=PHONE)
    clerk.post("/api/v1/windows/W13/call-next")
    clerk.post("/api/v1/windows/W13/no-show")
    assert db.one("SELECT COUNT(*) FROM notice_outbox")[0] == 0
    assert db.one("SELECT COUNT(*) FROM tickets WHERE phone_enc IS NOT NULL")[0] == 0
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        create_app({"DB": str(tmp_path / "x.db"), "TESTING": True,
                    "WEBHOOK_URL": receiver.url})
    # a webhook configured once, then taken out of the settings: no more notices written
    hooked = create_app({"DB": app.config["DB"], "TESTING": True,
                         "WEBHOOK_URL": receiver.url, "WEBHOOK_SECRET": SECRET})
    assert notices.enabled_names(registry.db(hooked).conn()) == {"webhook"}
    registry.db(hooked).close()
    plain = create_app({"DB": app.config["DB"], "TESTING": True})
    assert notices.enabled_names(registry.db(plain).conn()) == set()
    registry.db(plain).close()


def test_an_undelivered_notice_is_dropped_after_its_time(hook_app, receiver):
    db = registry.db(hook_app)
    clerk = clerk_of(hook_app)
    take(hook_app, 1)
    clerk.post("/api/v1/windows/W13/call-next")
    later = clock.now() + hook_app.config["NOTICE_TTL_S"] + 1
    assert NoticeSender(hook_app).deliver_once(later) == 0
    assert receiver.got == []
    row = db.one("SELECT dropped_at, last_error FROM notice_outbox")
    assert row["dropped_at"] is not None
    assert row["last_error"] == "expired"


def test_seal_is_authenticated_and_keyed():
    sealed = privacy.seal("k1", PHONE)
    assert PHONE not in sealed
    assert privacy.seal("k1", PHONE) != sealed       # a fresh nonce each time
    assert privacy.unseal("k1", sealed) == PHONE
    assert privacy.unseal("k2", sealed) is None      # another key
    tampered = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
    assert privacy.unseal("k1", tampered) is None
    assert privacy.unseal("k1", "s1.!!") is None
    assert signature("s", b"x") == "sha256=" + hmac.new(b"s", b"x", hashlib.sha256).hexdigest()


@pytest.mark.parametrize("kind", SERVERS)
def test_a_hanging_receiver_never_delays_a_call_on_a_real_server(tmp_path, receiver, kind):
    """A real server (run.py, and the README's gevent command) whose notice sender runs in
    the background: while the receiver holds the first notice unanswered, calls keep being
    answered; released, the receiver gets every notice, in order, signed."""
    receiver.hold.clear()
    server = demo_server(tmp_path / "hook.db", kind, env={
        "HALLQ_WEBHOOK_URL": receiver.url, "HALLQ_WEBHOOK_SECRET": SECRET,
        "HALLQ_NOTICE_POLL_S": "0.1", "HALLQ_WEBHOOK_TIMEOUT_S": "60", **LOAD_ENV}).start()
    try:
        api = server.url + "/api/v1"
        clerk = requests.Session()
        login(clerk, server.url, "clerk01")
        assert clerk.post(f"{api}/windows/W13/open", timeout=10).ok
        numbers = [requests.post(f"{api}/halls/demo/tickets", json={"service": "hukou"},
                                 timeout=10).json()["ticket"]["number"] for _ in range(3)]
        assert clerk.post(f"{api}/windows/W13/call-next", timeout=10).ok
        assert receiver.waiting.wait(30), "the sender never reached the receiver"
        for _ in range(2):  # the receiver holds a notice: calls are answered regardless
            assert clerk.post(f"{api}/windows/W13/finish", timeout=10).ok
            assert clerk.post(f"{api}/windows/W13/call-next", timeout=10).ok
        assert not receiver.hold.is_set()
        receiver.hold.set()
        deadline = time.monotonic() + 30
        while len([b for b in receiver.delivered() if b["event"] == "ticket.called"]) < 3 \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        called = [b["ticket"]["number"] for b in receiver.delivered()
                  if b["event"] == "ticket.called"]
        assert called == numbers
        ids = [b["id"] for b in receiver.delivered()]
        assert ids == sorted(ids)
        assert all(signed(g) for g in receiver.got)
    finally:
        server.kill()


def test_an_appointments_reminder_once_and_its_missed_notice(hook_app, receiver):
    from queue_server.live import bookings

    db = registry.db(hook_app)
    db.write("test", lambda tx: tx.run("UPDATE halls SET open_s = 0, close_s = 86400"))
    tomorrow = clock.day_of(clock.now() + 86400, "Asia/Shanghai")
    slot = clock.day_bounds(tomorrow, "Asia/Shanghai")[0] + 12 * 3600
    r = hook_app.test_client().post(f"{H}/appointments", json={
        "service": "estate", "slot_at": clock.iso(slot, "Asia/Shanghai"), "id_number": ID,
        "phone": PHONE})
    assert r.status_code == 201, r.json
    code = r.json["appointment"]["code"]
    checker = NoticeChecker(hook_app)
    assert checker.check(slot - 7200)["reminded"] == []   # not yet: an hour before
    assert checker.check(slot - 3000)["reminded"] == [code]
    assert checker.check(slot - 2000)["reminded"] == []   # once
    assert bookings.settle(db, now=slot + 1800) == [code]
    NoticeSender(hook_app).deliver_once(slot + 1801)
    bodies = receiver.delivered()
    assert [(b["event"], b["appointment"]["code"]) for b in bodies] == [
        ("appointment.reminder", code), ("appointment.missed", code)]
    assert bodies[1]["appointment"]["status"] == "missed"
    for g in receiver.got:
        assert ID not in g["raw"].decode()
        assert PHONE not in g["raw"].decode()
