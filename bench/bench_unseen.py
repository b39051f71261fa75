"""Every policy on hall shapes the dispatcher was not designed on, judged on later days.

    python bench/bench_unseen.py [--shapes a,b] [--halls comprehensive-40,...] [--judge 30]
        [--history 20] [--explore]

For each shape of `dispatcher.shapes` (and any built-in hall named with --halls):
1. the nightly safeguard (`dispatcher.nightly.choose`) learns the hall's profile from its
   history days (seeds 1..--history);
2. every policy replays the judged days (seeds 101..100+--judge, never seen by step 1):
   `fifo`, `ortools` with the default profile, `nightly` (`ortools` with the profile step 1
   chose: what the hall would run), `fixed`, `dedicated`, `flex`;
3. cells are medians over the judged days of the per-day ratio to `fifo`; P1/P0 is the
   priority-1 mean over the ordinary mean, "bound" the same for `p1_wait_bound_s` (what no
   non-idling order can beat).
Per-day JSON rows go to stderr. With --explore, instead: the TUNING shapes only, on
exploration seeds 201-210, under the candidate profiles that were compared while designing
the safeguard (the held-out shapes never enter it).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dispatcher import nightly
from dispatcher.generate import HALLS, generate
from dispatcher.shapes import CHAINED, FRESH, HELD_OUT, SHAPES, TUNING
from dispatcher.simulate import simulate
from dispatcher.tune import with_params

JUDGED = ["nightly", "ortools", "fixed", "dedicated", "flex"]
EXPLORE = {  # what was compared on the tuning shapes while designing the safeguard
    "default": {},
    "mild": {"secondary_penalty_s": 0, "spt_alpha": 0, "lookahead_beta": 0.25,
             "priority_bonus_s": 600, "appt_bonus_s": 600},
    "plain": {"secondary_penalty_s": 0, "spt_alpha": 0, "lookahead_beta": 0},
    "plain, no bonuses": {"secondary_penalty_s": 0, "spt_alpha": 0, "lookahead_beta": 0,
                          "priority_bonus_s": 0, "appt_bonus_s": 0},
    "SPT only": {"secondary_penalty_s": 0, "lookahead_beta": 0, "priority_bonus_s": 600,
                 "appt_bonus_s": 600},
}
EXPLORE_CHAINED = {  # ... and, on the chained tuning shape only, weights that might lower its mean
    "SPT 0.75": {"spt_alpha": 0.75}, "SPT 1.0": {"spt_alpha": 1.0},
    "secondary 480": {"secondary_penalty_s": 480},
    "SPT 1.0, secondary 480": {"spt_alpha": 1.0, "secondary_penalty_s": 480},
    "look-ahead 0.5": {"lookahead_beta": 0.5}, "no tail guard": {"tail_guard": 0},
}


def _figures(r: dict, f: dict) -> dict:
    pr = r["mean_wait_by_priority_s"]
    p0 = pr.get("0") or 0.0
    return {"mean": r["mean_wait_s"] / f["mean_wait_s"] if f["mean_wait_s"] else 1.0,
            "p95": r["p95_wait_s"] / f["p95_wait_s"] if f["p95_wait_s"] else 1.0,
            "max": r["max_wait_s"] / f["max_wait_s"] if f["max_wait_s"] else 1.0,
            "p1": pr.get("1", 0.0) / p0 if p0 else 0.0,
            "bound": r["p1_wait_bound_s"] / p0 if p0 else 0.0,
            "unserved": r["unserved"]}


def _med(rows: list[dict], k: str) -> float:
    return statistics.median(r[k] for r in rows)


def judge(name: str, desc: dict, history: range, judged: range) -> dict:
    """Step 1 and 2 of the module doc for one hall; returns the medians per policy."""
    choice = nightly.choose([generate(desc, s) for s in history])
    pols = {"nightly": with_params(choice["params"]) if choice["params"] else "ortools",
            "ortools": "ortools", "fixed": "fixed", "dedicated": "dedicated", "flex": "flex"}
    rows: dict[str, list[dict]] = {p: [] for p in JUDGED}
    rows["fifo"] = []
    for s in judged:
        t = generate(desc, s)
        f = simulate(t, "fifo")
        rows["fifo"].append(_figures(f, f))
        done: dict = {}
        for p in JUDGED:
            key = json.dumps(choice["params"]) if p == "nightly" else p
            if p == "ortools" and not choice["params"]:
                key = json.dumps({})
            if key not in done:
                done[key] = _figures(simulate(t, pols[p]), f)
            rows[p].append(done[key])
            print(json.dumps({"hall": name, "seed": s, "policy": p, **done[key]}),
                  file=sys.stderr, flush=True)
    med = {p: {k: _med(v, k) for k in ("mean", "p95", "max", "p1", "bound")}
           | {"unserved": sum(r["unserved"] for r in v)} for p, v in rows.items()}
    return {"hall": name, "profile": choice["profile"],
            "history_default": choice["history"]["default"], "medians": med,
            "days": len(judged)}


def report(results: list[dict]) -> None:
    print("\n| shape | split | windows | nightly profile (history: default mean/p95/max) |"
          " nightly mean / p95 / max | P1/P0 (bound) | default ortools mean / p95 / max |"
          " P1/P0 (bound) | fixed mean | dedicated mean | flex mean | acceptance |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        m, h = r["medians"], r["history_default"]
        n, o = m["nightly"], m["ortools"]
        split = ("tuning" if r["hall"] in TUNING else "held-out" if r["hall"] in HELD_OUT
                 else "fresh" if r["hall"] in FRESH else "built-in")
        desc = SHAPES.get(r["hall"]) or HALLS[r["hall"]]
        ok = n["mean"] <= 1.0 and n["p95"] <= 1.02 and n["max"] <= 1.03
        if r["hall"] in CHAINED or r["hall"].startswith("comprehensive"):
            ok = ok and n["mean"] <= 0.92
        p1_ok = n["p1"] <= 0.5 or n["bound"] > 0.45  # "where the P1 bound allows"
        print(f"| {r['hall']} | {split} | {len(desc['windows'])} | {r['profile']} "
              f"({h['mean_ratio']:.3f} / {h['p95_ratio']:.3f} / {h['max_ratio']:.3f}) |"
              f" **{n['mean']:.3f} / {n['p95']:.3f} / {n['max']:.3f}** |"
              f" {n['p1']:.2f} ({n['bound']:.2f}) |"
              f" {o['mean']:.3f} / {o['p95']:.3f} / {o['max']:.3f} |"
              f" {o['p1']:.2f} ({o['bound']:.2f}) | {m['fixed']['mean']:.3f} |"
              f" {m['dedicated']['mean']:.3f} | {m['flex']['mean']:.3f} |"
              f" {'yes' if ok else 'NO'}{'' if p1_ok else ', P1 NO'} |", flush=True)


def explore(seeds: range) -> None:
    """The design-time comparison: candidate profiles on the tuning shapes only."""
    print("| shape | profile | mean / p95 / max (median ratio to fifo) | P1/P0 |")
    print("|---|---|---|---|")
    for name, desc in TUNING.items():
        days = [generate(desc, s) for s in seeds]
        refs = [simulate(t, "fifo") for t in days]
        extra = EXPLORE_CHAINED if name in CHAINED else {}
        for label, prm in {**EXPLORE, **extra}.items():
            rows = [_figures(simulate(t, with_params(prm) if prm else "ortools"), f)
                    for t, f in zip(days, refs, strict=True)]
            print(f"| {name} | {label} | {_med(rows, 'mean'):.3f} / {_med(rows, 'p95'):.3f} /"
                  f" {_med(rows, 'max'):.3f} | {_med(rows, 'p1'):.2f} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", default=",".join(SHAPES), help="comma list of shapes")
    ap.add_argument("--halls", default="", help="comma list of built-in halls to add")
    ap.add_argument("--history", type=int, default=20, help="history days (seeds 1..N)")
    ap.add_argument("--judge", type=int, default=30, help="judged days (seeds 101..)")
    ap.add_argument("--explore", action="store_true", help="the design-time comparison")
    a = ap.parse_args()
    if a.explore:
        explore(range(201, 211))
        return
    names = [n for n in a.shapes.split(",") if n] + [n for n in a.halls.split(",") if n]
    results = []
    for n in names:
        res = judge(n, SHAPES.get(n) or HALLS[n], range(1, 1 + a.history),
                    range(101, 101 + a.judge))
        print(json.dumps(res), file=sys.stderr, flush=True)
        results.append(res)
        report([res])
    print(f"\nAll shapes (history seeds 1-{a.history}, judged seeds 101-{100 + a.judge}):")
    report(results)


if __name__ == "__main__":
    main()
