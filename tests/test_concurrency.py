"""Eight clerks calling at once over real HTTP: no ticket called twice, none lost, every call in
the event log exactly once."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from queue_server.store.db import connect
from tests.helpers import SERVERS, demo_server, is_url, login

WORKERS = 8
TICKETS = 500
SERVICES = ["hukou", "fund", "civil", "medical"]


@pytest.fixture(params=SERVERS)
def busy_server(request, tmp_path, server_db):
    proc = demo_server(server_db, request.param, log_dir=tmp_path,
                       env={"HALLQ_RATE_ADDRESS_PER_MIN": "0"}).start()
    yield proc
    proc.kill()


def test_parallel_call_next_never_double_calls(busy_server):
    base = busy_server.url
    manager = requests.Session()
    login(manager, base, "manager")
    windows = [f"W{i:02d}" for i in range(1, WORKERS + 1)]
    for w in windows:  # every window may take every service used here
        r = manager.put(f"{base}/api/v1/windows/{w}/skills",
                        json={"skills": {s: 1.0 for s in SERVICES}}, timeout=10)
        assert r.status_code == 200

    def issue(i: int) -> str:
        r = requests.post(f"{base}/api/v1/halls/demo/tickets",
                          json={"service": SERVICES[i % len(SERVICES)]}, timeout=30)
        assert r.status_code == 201, r.text
        return r.json()["ticket"]["number"]

    with ThreadPoolExecutor(8) as pool:
        issued = list(pool.map(issue, range(TICKETS)))
    assert len(set(issued)) == TICKETS

    start = threading.Barrier(WORKERS)

    def clerk(k: int) -> list[int]:
        s = requests.Session()
        login(s, base, f"clerk{k + 1:02d}")
        w = windows[k]
        assert s.post(f"{base}/api/v1/windows/{w}/open", timeout=10).status_code == 200
        got = []
        start.wait()
        while True:
            r = s.post(f"{base}/api/v1/windows/{w}/call-next", timeout=30)
            assert r.status_code == 200, r.text
            ticket = r.json()["ticket"]
            if ticket is None:
                return got
            assert ticket["window"]["id"] == w
            got.append(ticket["id"])
            assert s.post(f"{base}/api/v1/windows/{w}/finish", timeout=30).status_code == 200

    with ThreadPoolExecutor(WORKERS) as pool:
        per_clerk = list(pool.map(clerk, range(WORKERS)))
    called = [t for got in per_clerk for t in got]
    assert len(called) == TICKETS
    assert len(set(called)) == TICKETS
    assert sum(1 for got in per_clerk if got) >= WORKERS // 2  # the load really was shared

    conn = connect(str(busy_server.db))  # the SQLite file or the PostgreSQL database
    statuses = Counter(r[0] for r in conn.execute("SELECT status FROM tickets"))
    assert statuses == {"done": TICKETS}
    calls = Counter(r[0] for r in conn.execute("SELECT ticket FROM events WHERE action = 'call'"))
    assert len(calls) == TICKETS
    assert set(calls.values()) == {1}
    finishes = conn.execute("SELECT COUNT(*) FROM events WHERE action = 'finish'").fetchone()[0]
    assert finishes == TICKETS
    if not is_url(busy_server.db):
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
