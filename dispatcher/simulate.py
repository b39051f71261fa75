"""Replay a recorded hall day under a policy (rules: shared/workloads/README.md).

    python -m dispatcher.simulate TRACE.json --policy ortools --json [--eta]

At every instant when a window is free and a ticket waits, the policy gets the snapshot and its
decisions start at once. A called ticket occupies its window for its recorded `service_s`; a
no-show for 60 s and has no wait. A window with an `open` schedule (`dispatcher.schedule`) is
offered to the policy only inside its intervals; one closing while it serves finishes that
ticket and takes no new one. With `--eta`, each ticket's predicted wait at issue
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

from . import get_policy, schedule

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
    r = replay(trace, policy, eta)
    name = policy if isinstance(policy, str) else getattr(policy, "__name__", "custom")
    return r.result(name, trace.get("name"))


def replay(trace: dict, policy: str | Callable[[dict], list[dict]] = "ortools",
           eta: bool = False) -> _Replay:
    """Replay `trace` and return the finished replay (its `waits_at` lists each served
    ticket's (id, arrival, wait): what the staffing plan checks per hour)."""
    fn = get_policy(policy) if isinstance(policy, str) else policy
    r = _Replay(trace, fn, eta)
    now = r.arrivals[0]["t"] if r.arrivals else 0.0
    while True:
        new = r.admit(now)
        r.release(now)
        if r.waiting and r.any_free(now):
            r.dispatch(now, new)
        elif eta and new:  # nobody free: still predict for the newcomers
            r.predict(now, new)
        nxt = r.next_time(now)
        if nxt is None:
            break
        now = max(now, nxt)
    return r


class _Replay:
    """The state of one replay: windows, waiting tickets, and what is measured."""

    def __init__(self, trace: dict, fn: Callable[[dict], list[dict]], eta: bool):
        self.fn, self.eta = fn, eta
        self.services = {s["id"]: {"mean_service_s": s["mean_service_s"]}
                         for s in trace["services"]}
        self.arrivals = sorted(trace["arrivals"], key=lambda a: (a["t"], str(a["id"])))
        open_s = float(trace.get("open_s", self.arrivals[0]["t"] if self.arrivals else 0.0))
        self.wins = [{"id": w["id"], "skills": dict(w["skills"]), "free": True,
                      "busy_until": None, "idle_since": open_s, "served_today": 0,
                      "busy_seconds_today": 0.0} for w in trace["windows"]]
        self.byid = {w["id"]: w for w in self.wins}
        # window schedules; without any, every window is open all day (the old behaviour)
        self.sched = {w["id"]: schedule.parse(w.get("open")) for w in trace["windows"]}
        self.scheduled = any(v is not None for v in self.sched.values())
        self.busy: list[tuple[float, int, str]] = []  # (until, seq, window id)
        self.waiting: dict = {}  # id -> (snapshot ticket, arrival)
        self.waits: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self.all_waits: list[float] = []
        self.waits_at: list[tuple[str, float, float]] = []  # (id, arrival, wait) when served
        self.plan_ms: list[float] = []
        self.eta_err: list[float] = []
        self.predicted: dict = {}
        self.svc_waits: dict[str, list[float]] = {}
        self.p1_bound: list[float] = []  # see p1_wait_bound_s in result()
        self.no_show = 0
        self.i, self.seq = 0, 0

    def admit(self, now: float) -> list:
        """The tickets arriving by ``now`` join the queue; their ids."""
        new = []
        while self.i < len(self.arrivals) and self.arrivals[self.i]["t"] <= now:
            a = self.arrivals[self.i]
            t = {"id": a["id"], "service": a["service"], "issued_at": a["t"],
                 "priority": a.get("priority", 0)}
            if a.get("due_t") is not None:
                t["due_at"] = a["due_t"]
            self.waiting[a["id"]] = (t, a)
            new.append(a["id"])
            if t["priority"] == 1 and not a.get("no_show"):
                # the wait this ticket would have if the first able window to free took it
                able = [0.0 if w["free"] else max(0.0, w["busy_until"] - now)
                        for w in self.open_windows(now)
                        if w["skills"].get(a["service"], 0) > 0]
                self.p1_bound.append(min(able, default=0.0))
            self.i += 1
        return new

    def release(self, now: float) -> None:
        """Windows whose ticket is done by ``now`` are free again."""
        while self.busy and self.busy[0][0] <= now:
            until, _, wid = heapq.heappop(self.busy)
            w = self.byid[wid]
            w["free"], w["busy_until"], w["idle_since"] = True, None, until

    def open_windows(self, now: float) -> list[dict]:
        """The windows staffed at ``now`` (all of them when no window has a schedule)."""
        if not self.scheduled:
            return self.wins
        out = []
        for w in self.wins:
            iv = self.sched[w["id"]]
            if schedule.is_open(iv, now):
                start = schedule.current_start(iv, now)
                if w["free"] and start is not None and w["idle_since"] < start:
                    w["idle_since"] = start  # idle since it opened, not since it closed
                out.append(w)
        return out

    def any_free(self, now: float) -> bool:
        return any(w["free"] for w in self.open_windows(now))

    def snapshot(self, now: float) -> dict:
        return {"now": now, "windows": self.open_windows(now),
                "tickets": [t for t, _ in self.waiting.values()], "services": self.services}

    def predict(self, now: float, new: list) -> None:
        from .eta import predict
        pred = predict(self.snapshot(now))
        for tid in new:
            self.predicted[tid] = pred[tid]["eta_s"]

    def dispatch(self, now: float, new: list) -> None:
        """Ask the policy, and start each of its calls at once."""
        snap = self.snapshot(now)
        if self.eta and new:
            self.predict(now, new)
        t0 = time.perf_counter()
        decisions = self.fn(snap)
        self.plan_ms.append((time.perf_counter() - t0) * 1000)
        for d in decisions:
            w, entry = self.byid.get(d["window"]), self.waiting.pop(d["ticket"], None)
            if w is None or entry is None or not w["free"]:
                raise RuntimeError(f"invalid decision {d} at {now}")
            self._start(now, w, entry[1])

    def _start(self, now: float, w: dict, a: dict) -> None:
        dur = NO_SHOW_S if a.get("no_show") else float(a["service_s"])
        w["free"], w["busy_until"] = False, now + dur
        w["busy_seconds_today"] += dur
        self.seq += 1
        heapq.heappush(self.busy, (now + dur, self.seq, w["id"]))
        if a.get("no_show"):
            self.no_show += 1
            return
        w["served_today"] += 1
        wait = now - a["t"]
        self.all_waits.append(wait)
        self.waits_at.append((a["id"], a["t"], wait))
        self.svc_waits.setdefault(a["service"], []).append(wait)
        self.waits.setdefault(a.get("priority", 0), []).append(wait)
        if self.predicted.get(a["id"]) is not None:
            self.eta_err.append(self.predicted[a["id"]] - wait)

    def next_time(self, now: float) -> float | None:
        """The next arrival or the next window to free, whichever comes first."""
        nxt = [self.arrivals[self.i]["t"]] if self.i < len(self.arrivals) else []
        if self.busy:
            nxt.append(self.busy[0][0])
        if self.scheduled and self.waiting:  # a window opening may take the queue
            nxt += [t for t in (schedule.next_opening(iv, now) for iv in
                                self.sched.values()) if t is not None]
        return min(nxt) if nxt else None

    def result(self, policy: str, trace_name: str | None) -> dict:
        all_waits, n = self.all_waits, len(self.all_waits)
        out = {
            "policy": policy,
            "trace": trace_name,
            "arrivals": len(self.arrivals),
            "served": n,
            "no_show": self.no_show,
            "unserved": len(self.waiting),
            "mean_wait_s": round(sum(all_waits) / n, 1) if n else 0.0,
            "p50_wait_s": round(percentile(all_waits, 50), 1),
            "p95_wait_s": round(percentile(all_waits, 95), 1),
            "max_wait_s": round(max(all_waits, default=0.0), 1),
            "mean_wait_by_priority_s": {str(p): round(sum(v) / len(v), 1)
                                        for p, v in sorted(self.waits.items()) if v},
            # lower bound on the priority-1 mean: each one taken the instant an able window
            # frees
            "p1_wait_bound_s": round(sum(self.p1_bound) / len(self.p1_bound), 1)
            if self.p1_bound else 0.0,
            "share_over_30min": round(sum(1 for x in all_waits if x > 1800) / n, 4) if n
            else 0.0,
            "plan_calls": len(self.plan_ms),
            "plan_p50_ms": round(percentile(self.plan_ms, 50), 3),
            "plan_p99_ms": round(percentile(self.plan_ms, 99), 3),
        }
        out["by_service"] = {s: {"served": len(v), "mean_wait_s": round(sum(v) / len(v), 1)}
                             for s, v in sorted(self.svc_waits.items())}
        out["by_window"] = {w["id"]: {"served": w["served_today"],
                                      "busy_s": round(w["busy_seconds_today"], 1)}
                            for w in self.wins}
        if self.eta:
            out["eta"] = _eta_errors(self.eta_err)
        return out


def _eta_errors(eta_err: list[float]) -> dict:
    ae = [abs(e) for e in eta_err]
    return {"n": len(ae),
            "mae_s": round(sum(ae) / len(ae), 1) if ae else 0.0,
            "bias_s": round(sum(eta_err) / len(ae), 1) if ae else 0.0,
            "p90_abs_err_s": round(percentile(ae, 90), 1),
            "within_5min_share": round(sum(1 for x in ae if x <= 300) / len(ae), 4)
            if ae else 0.0}


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
