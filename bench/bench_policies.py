"""Every policy on every trace: python bench/bench_policies.py [--plot docs/img/policies.png]
    [--days 6] [--first-seed 1] [--halls a,b] [--shared city-center,street-center] [--jobs 2]
    [--days-only] [--params '{"tail_guard": 0}']

Traces: the two shared workloads and day 1 of each built-in generated hall. Prints one JSON row
per (trace, policy) and a Markdown table with ortools/fifo ratios; with --plot, a PNG of mean
and p95 wait per policy. Then the seeds table: ortools/fifo ratios on days 1..N of each
generated hall (and on N days resampled from each --shared trace), medians and the number of
days meeting issue 3's three criteria (per-day JSON rows on stderr).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dispatcher.generate import HALLS, builtin_trace, describe, generate
from dispatcher.simulate import simulate
from dispatcher.tune import with_params

POLICIES = ["ortools", "fifo", "fixed", "dedicated", "flex"]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "workloads"
if not SHARED.exists():
    SHARED = Path("/work/shared/workloads")


def traces() -> list[dict]:
    out = [json.loads((SHARED / f"{n}.json").read_text(encoding="utf-8"))
           for n in ("street-center", "city-center")]
    return out + [builtin_trace(h, 1) for h in HALLS]


def _day(job: tuple[str, int, dict | None]) -> dict:
    """ortools/fifo ratios on one day: a built-in hall's seed, or a shared trace resampled
    (`describe` -> `generate`, seeds 2000+) when the name is a shared workload. `params`, if
    given, is the ortools profile (`snapshot["params"]`, e.g. {"tail_guard": 0})."""
    name, seed, params = job
    if name in HALLS:
        t = builtin_trace(name, seed)
    else:
        rec = json.loads((SHARED / f"{name}.json").read_text(encoding="utf-8"))
        t = generate(describe(rec), seed)
    pol = with_params(params) if params else "ortools"
    o, f = simulate(t, pol), simulate(t, "fifo")
    r = [o[k] / f[k] if f[k] else 1.0 for k in ("mean_wait_s", "p95_wait_s", "max_wait_s")]
    pr = o["mean_wait_by_priority_s"]
    return {"hall": name, "seed": seed, "mean": r[0], "p95": r[1], "max": r[2],
            "p1_p0": pr.get("1", 0.0) / pr["0"] if pr.get("0") else 0.0,
            "unserved": o["unserved"] + f["unserved"]}


def _median(xs: list[float]) -> float:
    s, n = sorted(xs), len(xs)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def seeds_table(seeds: range = range(1, 7), halls: list[str] | None = None,
                shared: tuple[str, ...] = (), jobs: int = 1,
                params: dict | None = None) -> None:
    """Day 1 is one draw: the same comparison on several days of each hall (seeds of a
    generated hall; for a shared trace, days resampled from it with seeds 2000+)."""
    halls = list(HALLS) if halls is None else halls
    work = [(h, s, params) for h in halls for s in seeds]
    work += [(n, 2000 + s, params) for n in shared for s in seeds]
    if jobs > 1:
        from multiprocessing import Pool

        with Pool(jobs) as pool:
            rows = pool.map(_day, work, chunksize=1)
    else:
        rows = [_day(w) for w in work]
    for r in rows:
        print(json.dumps(r), file=sys.stderr, flush=True)
    print("\n| hall | days | median mean ratio | median p95 ratio | median max ratio |"
          " days with mean < fifo | days meeting all three | median P1/P0 | unserved |")
    print("|---|---|---|---|---|---|---|---|---|")
    for h in halls + [f"{n}" for n in shared]:
        rs = [r for r in rows if r["hall"] == h]
        med = [_median([r[k] for r in rs]) for k in ("mean", "p95", "max")]
        wins = sum(1 for r in rs if r["mean"] < 1)
        ok = sum(1 for r in rs if r["mean"] < 1 and r["p95"] <= 1 and r["max"] <= 1)
        tag = h if h in HALLS else f"{h} (resampled)"
        print(f"| {tag} | {len(rs)} | {med[0]:.3f} | {med[1]:.3f} | {med[2]:.3f} | {wins} |"
              f" {ok} | {_median([r['p1_p0'] for r in rs]):.2f} |"
              f" {sum(r['unserved'] for r in rs)} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plot", help="write a PNG of mean and p95 wait per policy")
    ap.add_argument("--days", type=int, default=6, help="days per hall in the seeds table")
    ap.add_argument("--halls", help="comma list of built-in halls for the seeds table")
    ap.add_argument("--shared", default="", help="shared traces to resample in the seeds table")
    ap.add_argument("--jobs", type=int, default=1, help="processes for the seeds table")
    ap.add_argument("--first-seed", type=int, default=1, help="first seed of the seeds table")
    ap.add_argument("--params", help="ortools profile as JSON for the seeds table")
    ap.add_argument("--days-only", action="store_true", help="only the seeds table")
    args = ap.parse_args()
    halls = [h for h in args.halls.split(",") if h] if args.halls is not None else None
    shared = tuple(n for n in args.shared.split(",") if n)
    if args.days_only:
        seeds_table(range(args.first_seed, args.first_seed + args.days), halls, shared,
                    args.jobs, json.loads(args.params) if args.params else None)
        return
    plot = args.plot
    results: dict[str, dict[str, dict]] = {}
    for t in traces():
        results[t["name"]] = {}
        for p in POLICIES:
            r = simulate(t, p, eta=(p == "ortools"))
            r.pop("by_service"), r.pop("by_window")
            results[t["name"]][p] = r
            print(json.dumps(r, ensure_ascii=False), file=sys.stderr, flush=True)
    print("| trace | policy | mean s | p50 s | p95 s | max s | P1 mean s | P0 mean s | >30 min |"
          " unserved | plan p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, rows in results.items():
        for p, r in rows.items():
            pr = r["mean_wait_by_priority_s"]
            print(f"| {name} | {p} | {r['mean_wait_s']} | {r['p50_wait_s']} | {r['p95_wait_s']} |"
                  f" {r['max_wait_s']} | {pr.get('1', '-')} | {pr.get('0', '-')} |"
                  f" {r['share_over_30min']:.1%} | {r['unserved']} | {r['plan_p99_ms']} |")
    print("\n| trace | mean ortools/fifo | p95 ortools/fifo | max ortools/fifo | P1/P0 (ortools) |"
          " P1 bound/P0 | ETA MAE s | ETA bias s | ETA within 5 min |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, rows in results.items():
        o, f = rows["ortools"], rows["fifo"]
        pr = o["mean_wait_by_priority_s"]
        e = o["eta"]
        print(f"| {name} | {o['mean_wait_s'] / f['mean_wait_s']:.3f} |"
              f" {o['p95_wait_s'] / f['p95_wait_s']:.3f} |"
              f" {o['max_wait_s'] / f['max_wait_s']:.3f} |"
              f" {pr.get('1', 0) / pr['0']:.2f} | {o['p1_wait_bound_s'] / pr['0']:.2f} |"
              f" {e['mae_s']} | {e['bias_s']} |"
              f" {e['within_5min_share']:.0%} |")
    seeds_table(range(1, 1 + args.days), halls, shared, args.jobs)
    if plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        names = list(results)
        fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
        width = 0.8 / len(POLICIES)
        for ax, key, title in ((axes[0], "mean_wait_s", "mean wait (s)"),
                               (axes[1], "p95_wait_s", "p95 wait (s)")):
            for k, p in enumerate(POLICIES):
                ax.bar([i + k * width for i in range(len(names))],
                       [results[n][p][key] for n in names], width, label=p)
            ax.set_xticks([i + 0.4 - width / 2 for i in range(len(names))])
            ax.set_xticklabels(names, rotation=20, fontsize=8)
            ax.set_title(title)
            ax.set_yscale("log")
        axes[0].legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(plot, dpi=90)
        print(f"\nplot: {plot}")


if __name__ == "__main__":
    main()
