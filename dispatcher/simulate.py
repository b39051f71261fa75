"""Replay a recorded hall day under a policy (rules: shared/workloads/README.md).

    python -m dispatcher.simulate TRACE.json --policy ortools --json [--eta]

At every instant when a window is free and a ticket waits, the policy gets the snapshot and its
decisions start at once. A called ticket occupies its window for its recorded `service_s`; a
no-show for 60 s and has no wait. With `--eta`, each ticket's predicted wait at issue
(`dispatcher.eta`) is compared with its actual wait.
"""
from __future__ import annotations

import argparse
import heapq
import json
import math
import sys
import time
from collections.abc import Callable

from . import get_policy

NO_SHOW_S = 60.0


def percentile(xs: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an unsorted list; 0 for an empty one."""
    if not xs:
        return 0.0
    s = sorted(xs)
    return s[max(0, min(len(s) - 1, math.ceil(q / 100 * len(s)) - 1))]


def simulate(trace: dict, policy: str | Callable[[dict], list[dict]] = "ortools",
             eta: bool = False) -> dict:
    """Replay `trace`; return the metrics dict (see module doc and docs/dispatcher.md)."""
    fn = get_policy(policy) if isinstance(policy, str) else policy
    services = {s["id"]: {"mean_service_s": s["mean_service_s"]} for s in trace["services"]}
    arrivals = sorted(trace["arrivals"], key=lambda a: (a["t"], str(a["id"])))
    open_s = float(trace.get("open_s", arrivals[0]["t"] if arrivals else 0.0))
    wins = [{"id": w["id"], "skills": dict(w["skills"]), "free": True, "busy_until": None,
             "idle_since": open_s, "served_today": 0, "busy_seconds_today": 0.0}
            for w in trace["windows"]]
    byid = {w["id"]: w for w in wins}
    busy: list[tuple[float, int, str]] = []  # (until, seq, window id)
    waiting: dict = {}  # id -> (snapshot ticket, arrival)
    waits: dict[int, list[float]] = {0: [], 1: [], 2: []}
    all_waits: list[float] = []
    plan_ms: list[float] = []
    eta_err: list[float] = []
    predicted: dict = {}
    svc_waits: dict[str, list[float]] = {}
    p1_bound: list[float] = []  # see p1_wait_bound_s below
    no_show = 0
    i, seq, now = 0, 0, (arrivals[0]["t"] if arrivals else 0.0)
    if eta:
        from .eta import predict
    while True:
        new = []
        while i < len(arrivals) and arrivals[i]["t"] <= now:
            a = arrivals[i]
            t = {"id": a["id"], "service": a["service"], "issued_at": a["t"],
                 "priority": a.get("priority", 0)}
            if a.get("due_t") is not None:
                t["due_at"] = a["due_t"]
            waiting[a["id"]] = (t, a)
            new.append(a["id"])
            if t["priority"] == 1 and not a.get("no_show"):
                # the wait this ticket would have if the first able window to free took it
                able = [0.0 if w["free"] else max(0.0, w["busy_until"] - now)
                        for w in wins if w["skills"].get(a["service"], 0) > 0]
                p1_bound.append(min(able, default=0.0))
            i += 1
        while busy and busy[0][0] <= now:
            until, _, wid = heapq.heappop(busy)
            w = byid[wid]
            w["free"], w["busy_until"], w["idle_since"] = True, None, until
        free = [w for w in wins if w["free"]]
        if free and waiting:
            snap = {"now": now, "windows": wins,
                    "tickets": [t for t, _ in waiting.values()], "services": services}
            if eta and new:
                pred = predict(snap)
                for tid in new:
                    predicted[tid] = pred[tid]["eta_s"]
            t0 = time.perf_counter()
            decisions = fn(snap)
            plan_ms.append((time.perf_counter() - t0) * 1000)
            for d in decisions:
                w, entry = byid.get(d["window"]), waiting.pop(d["ticket"], None)
                if w is None or entry is None or not w["free"]:
                    raise RuntimeError(f"invalid decision {d} at {now}")
                _, a = entry
                dur = NO_SHOW_S if a.get("no_show") else float(a["service_s"])
                w["free"], w["busy_until"] = False, now + dur
                w["busy_seconds_today"] += dur
                seq += 1
                heapq.heappush(busy, (now + dur, seq, w["id"]))
                if a.get("no_show"):
                    no_show += 1
                    continue
                w["served_today"] += 1
                wait = now - a["t"]
                all_waits.append(wait)
                svc_waits.setdefault(a["service"], []).append(wait)
                waits.setdefault(a.get("priority", 0), []).append(wait)
                if a["id"] in predicted and predicted[a["id"]] is not None:
                    eta_err.append(predicted[a["id"]] - wait)
        elif eta and new:  # nobody free: still predict for the newcomers
            from .eta import predict as _p
            pred = _p({"now": now, "windows": wins,
                       "tickets": [t for t, _ in waiting.values()], "services": services})
            for tid in new:
                predicted[tid] = pred[tid]["eta_s"]
        nxt = [arrivals[i]["t"]] if i < len(arrivals) else []
        if busy:
            nxt.append(busy[0][0])
        if not nxt:
            break
        now = max(now, min(nxt))
    n = len(all_waits)
    out = {
        "policy": policy if isinstance(policy, str) else getattr(policy, "__name__", "custom"),
        "trace": trace.get("name"),
        "arrivals": len(arrivals),
        "served": n,
        "no_show": no_show,
        "unserved": len(waiting),
        "mean_wait_s": round(sum(all_waits) / n, 1) if n else 0.0,
        "p50_wait_s": round(percentile(all_waits, 50), 1),
        "p95_wait_s": round(percentile(all_waits, 95), 1),
        "max_wait_s": round(max(all_waits, default=0.0), 1),
        "mean_wait_by_priority_s": {str(p): round(sum(v) / len(v), 1)
                                    for p, v in sorted(waits.items()) if v},
        # lower bound on the priority-1 mean: each one taken the instant an able window frees
        "p1_wait_bound_s": round(sum(p1_bound) / len(p1_bound), 1) if p1_bound else 0.0,
        "share_over_30min": round(sum(1 for x in all_waits if x > 1800) / n, 4) if n else 0.0,
        "plan_calls": len(plan_ms),
        "plan_p50_ms": round(percentile(plan_ms, 50), 3),
        "plan_p99_ms": round(percentile(plan_ms, 99), 3),
    }
    out["by_service"] = {s: {"served": len(v), "mean_wait_s": round(sum(v) / len(v), 1)}
                         for s, v in sorted(svc_waits.items())}
    out["by_window"] = {w["id"]: {"served": w["served_today"],
                                  "busy_s": round(w["busy_seconds_today"], 1)} for w in wins}
    if eta:
        ae = [abs(e) for e in eta_err]
        out["eta"] = {"n": len(ae),
                      "mae_s": round(sum(ae) / len(ae), 1) if ae else 0.0,
                      "bias_s": round(sum(eta_err) / len(ae), 1) if ae else 0.0,
                      "p90_abs_err_s": round(percentile(ae, 90), 1),
                      "within_5min_share": round(sum(1 for x in ae if x <= 300) / len(ae), 4)
                      if ae else 0.0}
    return out


def load(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dispatcher.simulate", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trace", help="trace JSON file, or gen:NAME[:SEED] for a built-in hall")
    ap.add_argument("--policy", default="ortools")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--eta", action="store_true", help="also measure ETA error at issue")
    args = ap.parse_args(argv)
    if args.trace.startswith("gen:"):
        from .generate import builtin_trace
        _, name, *seed = args.trace.split(":")
        trace = builtin_trace(name, int(seed[0]) if seed else 1)
    else:
        trace = load(args.trace)
    res = simulate(trace, args.policy, eta=args.eta)
    if args.json:
        print(json.dumps(res, ensure_ascii=False))
    else:
        for k, v in res.items():
            print(f"{k:>24}: {v}")
    return 0 if res["unserved"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
