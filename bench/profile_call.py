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
    ap.add_argument("--queue", type=int, default=600)
    ap.add_argument("--windows", type=int, default=6)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hallq-prof-"))
    app = create_app({"DB": str(folder / "p.db")})
    demo.seed(registry.db(app), "profile-pass-1", hash_method="pbkdf2:sha256:1000")
    manager = app.test_client()
    manager.post("/api/v1/auth/login", json={"username": "manager", "password": "profile-pass-1"})
    windows = [f"W{w:02d}" for w in range(1, args.windows + 1)]
    for w in windows:  # each by its own clerk: a window nobody staffs is no forecast's
        clerk = app.test_client()
        clerk.post("/api/v1/auth/login", json={"username": f"clerk{w[1:]}",
                                               "password": "profile-pass-1"})
        assert clerk.post(f"/api/v1/windows/{w}/open").status_code == 200
    citizen = app.test_client()
    for i in range(args.queue):
        citizen.post("/api/v1/halls/demo/tickets", json={"service": SERVICES[i % 6]})
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
