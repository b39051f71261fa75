"""Statistics for a day of 10,000 tickets: how long ``GET /halls/<hall>/stats`` takes.

    .venv/bin/python bench/bench_stats.py [--tickets 10000] [--runs 7]

Seeds the demo hall into a temporary database, writes one day of tickets straight into the
tables (statuses, waits and service times drawn at random, a third of them rated), then times
the endpoint (JSON, CSV, XLSX) through the app's own test client and prints the medians.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from queue_server import create_app, demo, registry
from queue_server.domain import clock

DAY = "2026-03-02"
PASSWORD = "bench-pass-123"


def seed_day(db, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    t0, _ = clock.day_bounds(DAY, "Asia/Shanghai")
    services = [r["id"] for r in db.all("SELECT id FROM services WHERE hall = 'demo'")]
    windows = [r["id"] for r in db.all("SELECT id FROM windows WHERE hall = 'demo'")]
    clerks = [f"clerk{i:02d}" for i in range(1, 13)]

    def _write(tx):
        for i in range(n):
            issued = t0 + 9 * 3600 + rng.random() * 8.5 * 3600
            u = rng.random()
            status = ("done" if u < 0.85 else "no_show" if u < 0.9 else "cancelled"
                      if u < 0.95 else "waiting")
            called = started = finished = window = clerk = None
            if status in ("done", "no_show"):
                called = issued + rng.expovariate(1 / 600)
                window = rng.choice(windows)
                finished = called + 60
            if status == "done":
                started = called + 20
                finished = started + rng.expovariate(1 / 480)
                clerk = rng.choice(clerks)
            if status == "cancelled":
                finished = issued + 300
            cur = tx.run(
                "INSERT INTO tickets (hall, day, number, service, status, priority, channel,"
                " issued_at, order_at, called_at, started_at, finished_at, window, served_by)"
                " VALUES ('demo', ?, ?, ?, ?, 0, 'kiosk', ?, ?, ?, ?, ?, ?, ?)",
                (DAY, f"Z{i:05d}", rng.choice(services), status, issued, issued, called,
                 started, finished, window, clerk))
            if status == "done" and rng.random() < 0.33:
                tx.run("INSERT INTO ratings (ticket, score, at) VALUES (?, ?, ?)",
                       (cur.lastrowid, rng.choice([3, 4, 5, 5, 5, 2]), finished + 30))

    db.write("system", _write)


def median_s(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DB": os.path.join(tmp, "bench.db"), "TESTING": True})
        db = registry.db(app)
        demo.seed(db, PASSWORD)
        seed_day(db, args.tickets)
        client = app.test_client()
        client.post("/api/v1/auth/login", json={"username": "manager", "password": PASSWORD})
        url = f"/api/v1/halls/demo/stats?date={DAY}"
        first = client.get(url)
        assert first.status_code == 200, first.json
        assert first.json["issued"] == args.tickets, first.json
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores,"
              f" Python {platform.python_version()}; {args.tickets} tickets, median of"
              f" {args.runs} runs")
        for fmt in ("json", "csv", "xlsx"):
            s = median_s(lambda fmt=fmt: client.get(f"{url}&format={fmt}"), args.runs)
            print(f"GET stats format={fmt}: {s * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
