"""An Idempotency-Key on issuing: a kiosk that retries after a lost answer gets the ticket it
already has, never a second number that nobody holds (from the first-week issue)."""
from __future__ import annotations

import threading

import requests

from queue_server.domain import tickets
from tests.helpers import gunicorn_server, seed_demo_db

URL = "/api/v1/halls/demo/tickets"


def issued(db) -> int:
    return db.one("SELECT COUNT(*) n FROM tickets")["n"]


def test_a_retry_with_the_same_key_gets_the_same_ticket(client, db):
    first = client.post(URL, json={"service": "hukou"}, headers={"Idempotency-Key": "k-1"})
    again = client.post(URL, json={"service": "hukou"}, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json["token"] == first.json["token"]
    assert again.json["ticket"]["number"] == first.json["ticket"]["number"]
    assert issued(db) == 1
    assert db.one("SELECT COUNT(*) n FROM events WHERE action = 'issue'")["n"] == 1
    other = client.post(URL, json={"service": "hukou"}, headers={"Idempotency-Key": "k-2"})
    assert other.json["ticket"]["number"] != first.json["ticket"]["number"]
    plain = client.post(URL, json={"service": "hukou"})
    assert plain.status_code == 201
    assert issued(db) == 3


def test_a_bad_key_is_refused_and_issues_nothing(client, db):
    for key in ("", "x" * 65, "空格 no"):
        r = client.post(URL, json={"service": "hukou"}, headers={"Idempotency-Key": key})
        assert r.status_code == 400, key
        assert r.json["error"]["code"] == "bad_idempotency_key"
    assert issued(db) == 0


def test_the_key_lasts_a_day_and_a_hall():
    day1 = tickets.retry_token("s", "demo", "2026-12-01", "k")
    assert day1 == tickets.retry_token("s", "demo", "2026-12-01", "k")
    assert day1 != tickets.retry_token("s", "demo", "2026-12-02", "k")
    assert day1 != tickets.retry_token("s", "north", "2026-12-01", "k")
    assert day1 != tickets.retry_token("other secret", "demo", "2026-12-01", "k")


def test_simultaneous_retries_make_one_ticket(tmp_path):
    """Eight copies of one request at once on the README's production command: one ticket."""
    proc = gunicorn_server(seed_demo_db(tmp_path / "i.db"),
                           {"HALLQ_RATE_ADDRESS_PER_MIN": "0"}).start()
    try:
        answers: list[dict] = []
        start = threading.Barrier(8)

        def send() -> None:
            start.wait()
            r = requests.post(proc.url + URL, json={"service": "fund"}, timeout=30,
                              headers={"Idempotency-Key": "kiosk-3:000417"})
            answers.append(r.json())

        threads = [threading.Thread(target=send) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len({a["token"] for a in answers}) == 1, answers
        waiting = requests.get(proc.url + "/api/v1/halls/demo/services", timeout=10).json()
        assert {s["id"]: s["waiting"] for s in waiting["services"]}["fund"] == 1
    finally:
        proc.kill()
