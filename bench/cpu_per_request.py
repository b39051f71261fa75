"""CPU per request, in-process, on a busy hall: call-next, finish, issue, the kiosk's list.

    .venv/bin/python bench/cpu_per_request.py [--queue 600] [--rounds 200]

A fresh demo database, six windows opened by their clerks, --queue tickets waiting; then
--rounds rounds of call-next, finish and a new issue over the windows in turn, each timed with
``time.process_time`` around Flask's test client (this process's CPU only: a loaded machine
stretches wall time, not this), and ten loads of the kiosk's service list. Run it from an older
checkout for the figure before (docs/benchmarks.md, "Kept forecast inputs").
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.busy_hall import SERVICES, busy_hall  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queue", type=int, default=600)
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()
    _app, manager, citizen, windows = busy_hall(args.queue, 6)
    spent = {"call-next": 0.0, "finish": 0.0, "issue": 0.0}
    called = 0
    for i in range(args.rounds):
        w = windows[i % len(windows)]
        t0 = time.process_time()
        r = manager.post(f"/api/v1/windows/{w}/call-next")
        spent["call-next"] += time.process_time() - t0
        if r.status_code == 200 and r.json.get("ticket"):
            called += 1
            t0 = time.process_time()
            manager.post(f"/api/v1/windows/{w}/finish", json={})
            spent["finish"] += time.process_time() - t0
        t0 = time.process_time()
        citizen.post("/api/v1/halls/demo/tickets", json={"service": SERVICES[i % 6]})
        spent["issue"] += time.process_time() - t0
    t0 = time.process_time()
    for _ in range(10):
        citizen.get("/api/v1/halls/demo/services")
    listing = (time.process_time() - t0) / 10
    print(f"queue {args.queue}, {called} of {args.rounds} calls served; ms of CPU per request:"
          f" call-next {spent['call-next'] / args.rounds * 1e3:.2f},"
          f" finish {spent['finish'] / max(called, 1) * 1e3:.2f},"
          f" issue {spent['issue'] / args.rounds * 1e3:.2f},"
          f" service list {listing * 1e3:.2f}")


if __name__ == "__main__":
    main()
