"""Issuing tickets over HTTP with synchronous=FULL, next to SQLite's raw durable-commit rate.

    .venv/bin/python bench/bench_issue.py [--seconds 8] [--runs 3] [--clients 1,16,64]

Starts the README's production command exactly (gunicorn, one gevent worker) on a fresh demo
database with the hall at a busy steady state: 12 windows open and --queue tickets waiting
(every issue answers with the ticket's position and ETA, whose cost grows with the queue).
Each closed-loop client (Node's keep-alive HTTP, bench/issue_clients.js) issues a ticket
(timed) and then cancels it (not timed), so the queue stays at its size. Runs --runs times
and prints medians. The raw rate is one INSERT + COMMIT per transaction, WAL,
synchronous=FULL, on the same disk, in the same run.
The load generator shares the machine's two cores with the server.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.helpers import LOAD_ENV, PASSWORD, gunicorn_server, seed_demo_db  # noqa: E402

SERVICES = ["hukou", "fund", "civil", "medical", "social-ins", "tax-invoice"]


def raw_commit_rate(folder: Path, seconds: float) -> float:
    path = folder / "raw.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    n, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (v) VALUES ('x')")
        conn.execute("COMMIT")
        n += 1
    conn.close()
    return n / seconds


def load(base: str, clients: int, seconds: float) -> tuple[float, list[float]]:
    """--clients closed-loop clients for --seconds (bench/issue_clients.js)."""
    out = subprocess.run(["node", str(ROOT / "bench" / "issue_clients.js"), base, str(clients),
                          str(seconds), ",".join(SERVICES)], capture_output=True, text=True,
                         check=True, cwd=ROOT, timeout=seconds + 120)
    res = json.loads(out.stdout)
    if res["errors"]:
        raise RuntimeError(f"{res['errors']} issues were refused")
    return res["issued"] / res["seconds"], [x / 1e3 for x in res["latencies_ms"]]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--clients", default="1,16,64")
    ap.add_argument("--queue", type=int, default=200)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hallq-bench-"))
    db = seed_demo_db(folder / "bench.db")
    server = gunicorn_server(db, LOAD_ENV).start()
    results = {"raw_commits_per_s": [], "levels": {}}
    manager = requests.Session()
    manager.post(f"{server.url}/api/v1/auth/login",
                 json={"username": "manager", "password": PASSWORD}, timeout=10)
    for w in range(1, 13):  # each by its own clerk: a window nobody staffs is no forecast's
        clerk = requests.Session()
        clerk.post(f"{server.url}/api/v1/auth/login",
                   json={"username": f"clerk{w:02d}", "password": PASSWORD}, timeout=10)
        clerk.post(f"{server.url}/api/v1/windows/W{w:02d}/open", timeout=10).raise_for_status()
    for i in range(args.queue):
        manager.post(f"{server.url}/api/v1/halls/demo/tickets",
                     json={"service": SERVICES[i % len(SERVICES)]}, timeout=10)
    try:
        for _ in range(args.runs):
            results["raw_commits_per_s"].append(raw_commit_rate(folder, args.seconds / 2))
            for c in [int(x) for x in args.clients.split(",")]:
                rate, lat = load(server.url, c, args.seconds)
                results["levels"].setdefault(c, []).append(
                    {"tickets_per_s": rate, "p50_ms": pct(lat, 50) * 1e3,
                     "p99_ms": pct(lat, 99) * 1e3})
    finally:
        server.kill()
    raw = statistics.median(results["raw_commits_per_s"])
    print(f"raw SQLite durable commits/s (median of {args.runs}): {raw:.0f}")
    print(f"queue held at {args.queue} waiting, 12 windows open; each issue is followed by a"
          " cancel (a second durable commit)")
    print("| clients | tickets/s | p50 ms | p99 ms | issue commits / raw rate |")
    print("|---|---|---|---|---|")
    summary = {"raw_commits_per_s": raw, "levels": {}}
    for c, runs in results["levels"].items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        summary["levels"][c] = med
        print(f"| {c} | {med['tickets_per_s']:.0f} | {med['p50_ms']:.1f} | {med['p99_ms']:.1f}"
              f" | {med['tickets_per_s'] / raw:.0%} |")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
