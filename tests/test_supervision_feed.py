"""The 电子监察 feed: notices written in the transaction of their event, delivered to a real
HTTP receiver signed, in order, retried with back-off; a receiver that hangs never delays a
write (a real server process, its sender in the background)."""
from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import time

import pytest
import requests

from queue_server import create_app, registry
from queue_server.domain import clock
from queue_server.live import alerts
from queue_server.live.feed import FeedSender
from queue_server.live.supervision import SupervisionChecker
from tests.helpers import PASSWORD, Receiver, ServerProcess

H = "/api/v1/halls/demo"
SECRET = "feed-secret-for-tests"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def feed_app(tmp_path, demo_template, receiver):
    for suffix in ("", ".secret", ".idkey"):
        shutil.copy(f"{demo_template}{suffix}", tmp_path / f"hallq.db{suffix}")
    app = create_app({"DB": str(tmp_path / "hallq.db"), "TESTING": True,
                      "SUPERVISION_URL": receiver.url, "SUPERVISION_SECRET": SECRET,
                      "SUPERVISION_RETRY_S": 30.0, "SUPERVISION_TIMEOUT_S": 5.0})
    yield app
    registry.db(app).close()


def signed(got: dict) -> bool:
    want = "sha256=" + hmac.new(SECRET.encode(), got["raw"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(got["headers"]["x-hallq-signature"], want)


def bad_rating(app, score: int = 1) -> dict:
    citizen, clerk = app.test_client(), app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    clerk.post("/api/v1/windows/W13/open")
    t = citizen.post(f"{H}/tickets", json={"service": "hukou"}).json
    clerk.post("/api/v1/windows/W13/call-next")
    clerk.post("/api/v1/windows/W13/finish")
    r = citizen.post(f"/api/v1/tickets/{t['token']}/rating",
                     json={"score": score, "reason": "态度差 13800138000",
                           "comment": "我叫张三 11010519491231002X"})
    assert r.status_code == 201, r.json
    return t


def test_a_bad_rating_is_fed_signed_and_without_personal_data(feed_app, receiver):
    db = registry.db(feed_app)
    t = bad_rating(feed_app)
    [row] = db.all("SELECT * FROM supervision_outbox")
    assert row["kind"] == "rating.bad"
    assert row["delivered_at"] is None
    assert receiver.got == []                    # nothing is sent on the request
    assert FeedSender(feed_app).deliver_once() == 1
    [got] = receiver.got
    assert signed(got)
    assert got["headers"]["x-hallq-event"] == "rating.bad"
    body = json.loads(got["raw"])
    assert got["headers"]["x-hallq-delivery"] == str(body["id"])
    assert (body["event"], body["hall"], body["score"]) == ("rating.bad", "demo", 1)
    assert body["ticket"]["number"] == t["ticket"]["number"]
    assert body["ticket"]["window"] == "W13"
    assert body["case"] == db.one("SELECT id FROM rectifications")["id"]
    for pii in ("13800138000", "张三", "11010519491231002X"):
        assert pii not in got["raw"].decode()
    assert db.one("SELECT delivered_at FROM supervision_outbox")[0] is not None
    assert FeedSender(feed_app).deliver_once() == 0  # delivered once


def test_a_failed_delivery_is_retried_with_back_off_in_order(feed_app, receiver):
    db = registry.db(feed_app)
    bad_rating(feed_app, 1)
    bad_rating(feed_app, 2)
    receiver.statuses = [500, 503]
    sender = FeedSender(feed_app)
    now = clock.now()
    assert sender.deliver_once(now) == 0          # the first fails: the second waits behind it
    assert [g["status"] for g in receiver.got] == [500]
    first = db.one("SELECT attempts, next_at, last_error FROM supervision_outbox ORDER BY id")
    assert first["attempts"] == 1
    assert first["last_error"] == "HTTP 500"
    assert first["next_at"] >= now + 30
    assert sender.deliver_once(now + 1) == 0      # not due yet: nothing sent
    assert len(receiver.got) == 1
    assert sender.deliver_once(first["next_at"] + 1) == 0  # 503: the back-off doubles
    again = db.one("SELECT attempts, next_at FROM supervision_outbox ORDER BY id")
    assert again["attempts"] == 2
    assert again["next_at"] - first["next_at"] >= 59
    assert sender.deliver_once(again["next_at"] + 1) == 2
    ids = [json.loads(g["raw"])["id"] for g in receiver.got]
    assert ids[0] == ids[1] == ids[2]             # the same notice, tried three times
    assert [b["score"] for b in receiver.delivered()] == [1, 2]
    assert all(signed(g) for g in receiver.got)


def test_overdue_waits_overtime_and_overdue_cases_are_fed(feed_app, receiver):
    db = registry.db(feed_app)
    mgr = feed_app.test_client()
    mgr.post("/api/v1/auth/login", json={"username": "manager", "password": PASSWORD})
    mgr.patch(f"{H}/services/hukou", json={"service_limit_s": 60})
    bad_rating(feed_app)                                      # rating.bad, a case opened
    citizen, clerk = feed_app.test_client(), feed_app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    citizen.post(f"{H}/tickets", json={"service": "hukou"})
    clerk.post("/api/v1/windows/W13/call-next")
    clerk.post("/api/v1/windows/W13/start")
    waiting = citizen.post(f"{H}/tickets", json={"service": "fund"}).json["ticket"]["number"]
    now = clock.now()
    alerts.Checker(feed_app).check(now + 1801)               # the fund ticket waited too long
    due = db.one("SELECT due_at FROM rectifications")[0]
    later = max(due, now + 1801) + 61
    SupervisionChecker(feed_app).check(later)                # overtime and the overdue case
    assert FeedSender(feed_app).deliver_once(later) == 4
    kinds = [(b["event"], b["ticket"]["number"]) for b in receiver.delivered()]
    assert [k for k, _ in kinds] == ["rating.bad", "wait.overdue", "service.overtime",
                                     "rectification.overdue"]
    assert kinds[1][1] == waiting
    over = receiver.delivered()[2]
    assert (over["limit_s"], over["ticket"]["clerk"]) == (60, "clerk01")


def test_only_the_chosen_kinds_are_fed(tmp_path, demo_template, receiver):
    for suffix in ("", ".secret", ".idkey"):
        shutil.copy(f"{demo_template}{suffix}", tmp_path / f"hallq.db{suffix}")
    app = create_app({"DB": str(tmp_path / "hallq.db"), "TESTING": True,
                      "SUPERVISION_URL": receiver.url, "SUPERVISION_SECRET": SECRET,
                      "SUPERVISION_EVENTS": "wait.overdue"})
    bad_rating(app)
    assert registry.db(app).one("SELECT COUNT(*) FROM supervision_outbox")[0] == 0
    registry.db(app).close()
    with pytest.raises(ValueError, match="SUPERVISION_EVENTS"):
        create_app({"DB": str(tmp_path / "hallq.db"), "TESTING": True,
                    "SUPERVISION_URL": receiver.url, "SUPERVISION_SECRET": SECRET,
                    "SUPERVISION_EVENTS": "rating.bad,everything"})
    with pytest.raises(ValueError, match="SUPERVISION_SECRET"):
        create_app({"DB": str(tmp_path / "hallq.db"), "TESTING": True,
                    "SUPERVISION_URL": receiver.url})


def test_no_feed_configured_writes_no_notices(app, db):
    bad_rating(app)
    assert db.one("SELECT COUNT(*) FROM rectifications")[0] == 1
    assert db.one("SELECT COUNT(*) FROM supervision_outbox")[0] == 0


def test_a_hanging_receiver_never_delays_a_write(tmp_path, receiver):
    """A real server whose sender delivers in the background: while the receiver holds the
    first notice unanswered, the server keeps answering writes (among them one more bad
    rating); released, the receiver gets every notice, in order."""
    receiver.hold.clear()
    server = ServerProcess(tmp_path / "feed.db", env={
        "HALLQ_SUPERVISION_URL": receiver.url, "HALLQ_SUPERVISION_SECRET": SECRET,
        "HALLQ_SUPERVISION_POLL_S": "0.1", "HALLQ_SUPERVISION_TIMEOUT_S": "60"}).start()
    try:
        api = server.url + "/api/v1"
        clerk = requests.Session()
        assert clerk.post(f"{api}/auth/login", json={"username": "clerk01",
                                                     "password": PASSWORD}).ok
        assert clerk.post(f"{api}/windows/W13/open").ok

        def served_and_rated(score: int) -> str:
            t = requests.post(f"{api}/halls/demo/tickets", json={"service": "hukou"}).json()
            assert clerk.post(f"{api}/windows/W13/call-next").ok
            assert clerk.post(f"{api}/windows/W13/finish").ok
            r = requests.post(f"{api}/tickets/{t['token']}/rating",
                              json={"score": score, "reason": "慢"})
            assert r.status_code == 201, r.text
            return t["ticket"]["number"]

        first = served_and_rated(1)
        assert receiver.waiting.wait(30), "the sender never reached the receiver"
        # the receiver now holds the first notice: writes go on regardless
        numbers = [served_and_rated(score) for score in (2, 5, 1)]
        assert not receiver.hold.is_set()
        assert receiver.got == []                 # still nothing answered
        receiver.hold.set()
        deadline = time.monotonic() + 30
        while len(receiver.delivered()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        got = [(b["event"], b["ticket"]["number"]) for b in receiver.delivered()]
        assert got == [("rating.bad", first), ("rating.bad", numbers[0]),
                       ("rating.bad", numbers[2])]
        assert all(signed(g) for g in receiver.got)
    finally:
        server.kill()


def test_notices_are_purged_past_the_retention(feed_app, receiver):
    from queue_server.live import retention

    db = registry.db(feed_app)
    bad_rating(feed_app)
    assert FeedSender(feed_app).deliver_once() == 1
    bad_rating(feed_app, 2)                       # one still undelivered
    [within] = retention.purge_all(db, 30, now=clock.now() + 29 * 86400)
    assert within["counts"]["supervision_outbox"] == 0
    [result] = retention.purge_all(db, 30, now=clock.now() + 40 * 86400)
    assert result["counts"]["supervision_outbox"] == 2
    assert db.one("SELECT COUNT(*) FROM supervision_outbox")[0] == 0
