"""Kill the server with SIGKILL while it issues tickets, again and again: every ticket answered
201 survives, the database stays intact, and numbering goes on without a repeat."""
from __future__ import annotations

import random
import sqlite3
import threading
import time

import pytest
import requests

from tests.helpers import SERVERS, demo_server

KILLS = 10


@pytest.mark.slow
@pytest.mark.parametrize("kind", SERVERS)
def test_sigkill_under_load_loses_nothing(tmp_path, kind):
    db = tmp_path / "crash.db"
    rng = random.Random(20261122)
    port = None
    answered: list[dict] = []  # tickets whose 201 reached us: these must survive
    lock = threading.Lock()

    def load(base: str, stop: threading.Event) -> None:
        s = requests.Session()
        while not stop.is_set():
            try:
                r = s.post(f"{base}/api/v1/halls/demo/tickets",
                           json={"service": rng.choice(["hukou", "fund", "civil"])}, timeout=5)
            except requests.RequestException:
                continue  # the server died mid-request: that ticket was never promised
            if r.status_code == 201:
                with lock:
                    answered.append({"token": r.json()["token"],
                                     "number": r.json()["ticket"]["number"]})

    for round_ in range(KILLS):
        proc = demo_server(db, kind, port=port, env={"HALLQ_RATE_ADDRESS_PER_MIN": "0"}).start()
        port = proc.port
        stop = threading.Event()
        workers = [threading.Thread(target=load, args=(proc.url, stop)) for _ in range(4)]
        for w in workers:
            w.start()
        time.sleep(rng.uniform(0.3, 1.2))
        proc.kill()  # SIGKILL to the whole process group: no clean shutdown at all
        stop.set()
        for w in workers:
            w.join()
        assert answered, f"round {round_}: nothing was issued"

    proc = demo_server(db, kind, port=port).start()
    try:
        s = requests.Session()
        for t in answered:
            r = s.get(f"{proc.url}/api/v1/tickets/{t['token']}", timeout=5)
            assert r.status_code == 200, t["number"]
            assert r.json()["ticket"]["number"] == t["number"]
    finally:
        proc.kill()
    check_numbering(sqlite3.connect(db), len(answered))


def check_numbering(conn: sqlite3.Connection, answered: int) -> None:
    """Intact, no number twice, every answered ticket there, each prefix exactly 1..n."""
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    numbers = [r[0] for r in conn.execute("SELECT number FROM tickets")]
    assert len(numbers) == len(set(numbers)), "a number was issued twice"
    assert len(numbers) >= answered
    by_prefix: dict[str, list[int]] = {}
    for n in numbers:
        by_prefix.setdefault(n[0], []).append(int(n[1:]))
    for prefix, seq in by_prefix.items():
        assert sorted(seq) == list(range(1, len(seq) + 1)), prefix
    issued = conn.execute("SELECT COUNT(*) FROM events WHERE action = 'issue'").fetchone()[0]
    assert issued == len(numbers)
