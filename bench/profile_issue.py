"""Where one ticket issue spends its time, in-process, on the hall at a busy steady state.

    .venv/bin/python bench/profile_issue.py [--queue 200] [--n 500] [--top 25] [--no-fsync]

A fresh demo database, 12 windows open, --queue tickets waiting; then --n issues (each
followed by an unprofiled cancel) through Flask's test client under cProfile. Prints the
mean time per issue and the functions with the most cumulative time. ``--no-fsync`` opens
the profiling database with synchronous=OFF (never so in the server), so that a shared
machine's disk does not drown the Python side of the figures.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HALLQ_OPEN_HOURS_ONLY", "0")
os.environ.setdefault("HALLQ_RATE_ADDRESS_PER_MIN", "0")

from queue_server import create_app, demo, registry  # noqa: E402

SERVICES = ["hukou", "fund", "civil", "medical", "social-ins", "tax-invoice"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queue", type=int, default=200)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--no-fsync", action="store_true")
    args = ap.parse_args()
    if args.no_fsync:
        from queue_server.store import db as store

        durable = store.connect

        def connect(path: str):
            conn = durable(path)
            conn.execute("PRAGMA synchronous = OFF")  # profiling only: see the docstring
            return conn
        store.connect = connect
    folder = Path(tempfile.mkdtemp(prefix="hallq-prof-"))
    app = create_app({"DB": str(folder / "p.db")})
    demo.seed(registry.db(app), "profile-pass-1", hash_method="pbkdf2:sha256:1000")
    c = app.test_client()
    c.post("/api/v1/auth/login", json={"username": "manager", "password": "profile-pass-1"})
    for w in range(1, 13):  # each by its own clerk: a window nobody staffs is no forecast's
        clerk = app.test_client()
        clerk.post("/api/v1/auth/login", json={"username": f"clerk{w:02d}",
                                               "password": "profile-pass-1"})
        assert clerk.post(f"/api/v1/windows/W{w:02d}/open").status_code == 200
    citizen = app.test_client()
    for i in range(args.queue):
        citizen.post("/api/v1/halls/demo/tickets", json={"service": SERVICES[i % 6]})
    prof = cProfile.Profile()
    spent = 0.0
    for i in range(args.n):
        t0 = time.perf_counter()
        prof.enable()
        r = citizen.post("/api/v1/halls/demo/tickets", json={"service": SERVICES[i % 6]})
        prof.disable()
        spent += time.perf_counter() - t0
        assert r.status_code == 201, r.json
        citizen.delete(f"/api/v1/tickets/{r.json['token']}")
    print(f"{spent / args.n * 1e3:.2f} ms per issue (under cProfile), queue {args.queue}")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
