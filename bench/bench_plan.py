"""plan() latency at hall sizes: python bench/bench_plan.py [--quick]

Snapshots: 20 services, each window 1 primary + 2 secondary skills, tickets spread over the
services with 5 % priority and 5 % appointments. Two cases per size: every window free (the
worst case, e.g. opening time) and a quarter free. Also the flow alone (no tail guard), the
fallback and eta.predict.
"""
from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dispatcher.eta import predict
from dispatcher.model import plan, plan_flow, plan_greedy

SIZES = [(10, 50, 300), (40, 300, 300), (200, 2000, 40), (500, 10000, 12)]


def snapshot(nw: int, nt: int, free_share: float, seed: int = 7) -> dict:
    rng = random.Random(seed)
    now = 40_000.0
    svc = [f"s{i:02d}" for i in range(20)]
    windows = []
    for i in range(nw):
        p = svc[i % 20]
        sk = {p: 1.0}
        for s in rng.sample(svc, 2):
            sk.setdefault(s, 0.5)
        free = rng.random() < free_share
        windows.append({"id": f"W{i}", "skills": sk, "free": free,
                        "busy_until": None if free else now + rng.uniform(0, 900),
                        "idle_since": now - rng.uniform(0, 600) if free else None,
                        "served_today": rng.randint(0, 40),
                        "busy_seconds_today": rng.uniform(0, 20000)})
    tickets = []
    for j in range(nt):
        u = rng.random()
        t = {"id": j, "service": rng.choice(svc), "issued_at": now - rng.uniform(0, 3600),
             "priority": 1 if u < 0.05 else 2 if u < 0.10 else 0}
        if t["priority"] == 2:
            t["due_at"] = now + rng.uniform(-600, 600)
        tickets.append(t)
    return {"now": now, "windows": windows, "tickets": tickets,
            "services": {s: {"mean_service_s": rng.choice([300, 480, 600, 900, 1200])}
                         for s in svc}}


def timeit(fn, snap, reps: int) -> dict:
    xs = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn(snap)
        xs.append((time.perf_counter() - t0) * 1000)
    xs.sort()
    return {"p50_ms": round(statistics.median(xs), 3),
            "p99_ms": round(xs[min(len(xs) - 1, int(0.99 * len(xs)))], 3)}


def main() -> None:
    quick = "--quick" in sys.argv
    plan(snapshot(5, 5, 1.0))  # warm-up: the first call imports OR-Tools
    rows = []
    for nw, nt, reps in SIZES:
        reps = max(3, reps // 10) if quick else reps
        for share in (1.0, 0.25):
            snap = snapshot(nw, nt, share)
            row = {"windows": nw, "tickets": nt, "free": share,
                   "plan": timeit(plan, snap, reps),
                   "flow_only": timeit(plan_flow, snap, reps),  # plan without the tail guard
                   "fallback": timeit(plan_greedy, snap, reps),
                   "eta_predict": timeit(predict, snap, reps)}
            rows.append(row)
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
