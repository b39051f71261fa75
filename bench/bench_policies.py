"""Every policy on every trace: python bench/bench_policies.py [--plot docs/img/policies.png]

Traces: the two shared workloads and day 1 of each built-in generated hall. Prints one JSON row
per (trace, policy) and a Markdown table with ortools/fifo ratios; with --plot, a PNG of mean
and p95 wait per policy.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dispatcher.generate import HALLS, builtin_trace  # noqa: E402
from dispatcher.simulate import simulate  # noqa: E402

POLICIES = ["ortools", "fifo", "fixed", "dedicated", "flex"]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "workloads"
if not SHARED.exists():
    SHARED = Path("/work/shared/workloads")


def traces() -> list[dict]:
    out = [json.loads((SHARED / f"{n}.json").read_text(encoding="utf-8"))
           for n in ("street-center", "city-center")]
    return out + [builtin_trace(h, 1) for h in HALLS]


def seeds_table(seeds: range = range(1, 7)) -> None:
    """Day 1 alone is one draw: the same comparison on six days of each generated hall."""
    print("\n| generated hall | days | median mean ratio | median p95 ratio | median max ratio |"
          " days with mean < fifo | days meeting all three |")
    print("|---|---|---|---|---|---|---|")
    for h in HALLS:
        rows = []
        for s in seeds:
            t = builtin_trace(h, s)
            o, f = simulate(t, "ortools"), simulate(t, "fifo")
            rows.append([o[k] / f[k] for k in ("mean_wait_s", "p95_wait_s", "max_wait_s")])
        med = [sorted(r[i] for r in rows)[len(rows) // 2] for i in range(3)]
        wins = sum(1 for r in rows if r[0] < 1)
        ok = sum(1 for r in rows if r[0] < 1 and r[1] <= 1 and r[2] <= 1)
        print(f"| {h} | {len(rows)} | {med[0]:.3f} | {med[1]:.3f} | {med[2]:.3f} | {wins} |"
              f" {ok} |", flush=True)


def main() -> None:
    plot = sys.argv[sys.argv.index("--plot") + 1] if "--plot" in sys.argv else None
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
    seeds_table()
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
