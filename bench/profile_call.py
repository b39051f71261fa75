"""Where one clerk's call-next spends its time, in-process, on a busy hall.

    .venv/bin/python bench/profile_call.py [--queue 600] [--windows 6] [--n 200] [--top 30]

A fresh demo database, --windows windows open (each with its clerk), --queue tickets
waiting; then --n rounds of call-next (profiled) and finish (not profiled) over the windows
in turn, new tickets keeping the queue at its size. Prints the mean time per call-next and the
functions with the most cumulative time. The database is durable as in the server
(synchronous=FULL), so the COMMIT's fsync is part of the figure.
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
    ap.add_argument("--queue", type=int, default=600)
    ap.add_argument("--windows", type=int, default=6)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args()
    _app, manager, citizen, windows = busy_hall(args.queue, args.windows)
    prof = cProfile.Profile()
    spent, calls = 0.0, 0
    for i in range(args.n):
        w = windows[i % len(windows)]
        t0 = time.perf_counter()
        prof.enable()
        r = manager.post(f"/api/v1/windows/{w}/call-next")
        prof.disable()
        spent += time.perf_counter() - t0
        if r.status_code == 200 and r.json.get("ticket"):
            calls += 1
            manager.post(f"/api/v1/windows/{w}/finish")
            citizen.post("/api/v1/halls/demo/tickets", json={"service": SERVICES[i % 6]})
    print(f"{spent / args.n * 1e3:.2f} ms per call-next (under cProfile), queue {args.queue},"
          f" {calls} of {args.n} called")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
