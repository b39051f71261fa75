"""Skills advisor acceptance: python bench/bench_advise.py

Advice computed on one day (K = ceil(windows / 3)), replayed under the `ortools` policy on other
days of the same hall (resampled from the shared traces' pattern, or other seeds of a generated
hall). Gap closed = (current - advised) / (current - flex) in mean wait.
"""
from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dispatcher.advise import advise  # noqa: E402
from dispatcher.generate import builtin_trace, describe, generate  # noqa: E402
from dispatcher.simulate import simulate  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "workloads"
if not SHARED.exists():
    SHARED = Path("/work/shared/workloads")
REPLAY_SEEDS = [21, 22, 23]


def cases():
    for n in ("street-center", "city-center"):
        t = json.loads((SHARED / f"{n}.json").read_text(encoding="utf-8"))
        yield n, t, [generate(describe(t), s) for s in REPLAY_SEEDS]
    for h in ("district", "township", "tax-office", "permit-center"):
        yield h, builtin_trace(h, 1), [builtin_trace(h, s) for s in REPLAY_SEEDS]


def mean(xs):
    return sum(xs) / len(xs)


def main() -> None:
    print("| hall | windows | K | changes | advise s | current mean s | advised mean s |"
          " flex mean s | gap closed | current p95 s | advised p95 s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, day, replays in cases():
        k = math.ceil(len(day["windows"]) / 3)
        t0 = time.perf_counter()
        res = advise(day, k)
        secs = time.perf_counter() - t0
        cur = [simulate(d, "ortools") for d in replays]
        adv = [simulate(dict(d, windows=res["windows"]), "ortools") for d in replays]
        flex = [simulate(d, "flex") for d in replays]
        c, a, f = (mean([r["mean_wait_s"] for r in rs]) for rs in (cur, adv, flex))
        gap = (c - a) / (c - f) if c > f else float("nan")
        print(f"| {name} | {len(day['windows'])} | {k} | {len(res['changes'])} | {secs:.1f} |"
              f" {c:.1f} | {a:.1f} | {f:.1f} | {gap:.0%} |"
              f" {mean([r['p95_wait_s'] for r in cur]):.1f} |"
              f" {mean([r['p95_wait_s'] for r in adv]):.1f} |", flush=True)


if __name__ == "__main__":
    main()
