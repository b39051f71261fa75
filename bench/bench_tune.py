"""Per-hall tuned profiles, evaluated out of sample: python bench/bench_tune.py [--max-evals 60]
    [--halls district,tax-office] [--shared] [--write-profiles]

Generated halls: tune on day 1 (`builtin_trace(hall, 1)` plus days resampled from it), then
replay held-out days 2..31 (other seeds of the hall's true description) with the tuned profile,
the default profile and fifo. Shared traces: tune on the recorded day, hold out days resampled
with other seeds (2000+). Prints one JSON row per hall and a Markdown table of medians.
With --write-profiles, the tuned profiles go to dispatcher/profiles/<hall>.json.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dispatcher.generate import HALLS, builtin_trace, describe, generate
from dispatcher.simulate import simulate
from dispatcher.tune import tune, with_params

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "workloads"
if not SHARED.exists():
    SHARED = Path("/work/shared/workloads")


def med(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def held_out(name: str, trace: dict, tuned: dict, days: list[dict]) -> dict:
    rows = []
    for d in days:
        f = simulate(d, "fifo")
        o = simulate(d, "ortools")
        t = simulate(d, with_params(tuned["params"]))
        row = {"day": d["name"]}
        for tag, r in (("tuned", t), ("default", o)):
            for k in ("mean_wait_s", "p95_wait_s", "max_wait_s"):
                row[f"{tag}_{k.split('_')[0]}"] = r[k] / f[k] if f[k] else 1.0
            pr = r["mean_wait_by_priority_s"]
            row[f"{tag}_p1p0"] = pr.get("1", 0.0) / pr["0"] if pr.get("0") else 0.0
        row["bound_p1p0"] = t["p1_wait_bound_s"] / t["mean_wait_by_priority_s"].get("0", 1)
        row["unserved"] = t["unserved"]
        rows.append(row)
    keys = [k for k in rows[0] if k not in ("day", "unserved")]
    out = {"hall": name, "params": tuned["params"], "tune_s": tuned["elapsed_s"],
           "in_sample": tuned["expected"], "days": len(rows),
           "median": {k: round(med([r[k] for r in rows]), 3) for k in keys},
           "days_tuned_meets": sum(1 for r in rows if r["tuned_mean"] < 1
                                   and r["tuned_p95"] <= 1 and r["tuned_max"] <= 1),
           "days_default_meets": sum(1 for r in rows if r["default_mean"] < 1
                                     and r["default_p95"] <= 1 and r["default_max"] <= 1),
           "unserved": sum(r["unserved"] for r in rows)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-evals", type=int, default=60)
    ap.add_argument("--tune-days", type=int, default=16)
    ap.add_argument("--halls", default=",".join(HALLS))
    ap.add_argument("--shared", default="", help="comma list of shared traces, e.g. street-center")
    ap.add_argument("--holdout", type=int, default=30)
    ap.add_argument("--write-profiles", action="store_true")
    args = ap.parse_args()
    results = []
    jobs = []
    for h in [x for x in args.halls.split(",") if x]:
        tr = builtin_trace(h, 1)
        jobs.append((h, tr, [builtin_trace(h, s) for s in range(2, 2 + args.holdout)]))
    for n in [x for x in args.shared.split(",") if x]:
        tr = json.loads((SHARED / f"{n}.json").read_text(encoding="utf-8"))
        desc = describe(tr)
        jobs.append((n, tr, [generate(desc, 2000 + i) for i in range(args.holdout)]))
    for name, tr, days in jobs:
        tuned = tune(tr, days=args.tune_days, max_evals=args.max_evals)
        res = held_out(name, tr, tuned, days)
        results.append(res)
        print(json.dumps(res, ensure_ascii=False), file=sys.stderr, flush=True)
        if args.write_profiles:
            prof = ROOT / "dispatcher" / "profiles" / f"{name}.json"
            prof.parent.mkdir(exist_ok=True)
            prof.write_text(json.dumps(tuned, ensure_ascii=False, indent=1) + "\n",
                            encoding="utf-8")
    print("| hall | held-out days | tuned mean/fifo | p95/fifo | max/fifo | P1/P0 tuned |"
          " P1 bound/P0 | default mean/fifo | default p95 | default max |"
          " days tuned meets all 3 | days default meets |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        m = r["median"]
        print(f"| {r['hall']} | {r['days']} | {m['tuned_mean']:.3f} | {m['tuned_p95']:.3f} |"
              f" {m['tuned_max']:.3f} | {m['tuned_p1p0']:.2f} | {m['bound_p1p0']:.2f} |"
              f" {m['default_mean']:.3f} | {m['default_p95']:.3f} | {m['default_max']:.3f} |"
              f" {r['days_tuned_meets']} | {r['days_default_meets']} |")


if __name__ == "__main__":
    main()
