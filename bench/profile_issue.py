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
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.busy_hall import SERVICES, busy_hall  # noqa: E402


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
    _app, _manager, citizen, _windows = busy_hall(args.queue, 12)
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
