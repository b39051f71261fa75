"""Skills advisor acceptance: python bench/bench_advise.py [--shifted [--shapes=a,b]]

Advice computed on one day (K = ceil(windows / 3)), replayed under the `ortools` policy on other
days of the same hall (resampled from the shared traces' pattern, or other seeds of a generated
hall). Gap closed = (current - advised) / (current - flex) in mean wait.

With --shifted (issue 12): the six non-comprehensive shapes of `dispatcher.shapes`, advice
from day 1, judged on five days of *shifted* weeks of the shape (`generate.shifted`: every
service's share x U(0.7, 1.3), volume x 1.2; seeds 301-305, never seen by the advisor). Three
advisers on the same budget: the greedy search alone on the recorded day plus resampled days
(the floor), the advisor confirming on resampled days (before issue 12), and the advisor
fitting and confirming on shifted scenarios (the default now).
"""
from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dispatcher.advise import GREEDY_TICKETS, _apply, advise, greedy_pick, scenario_days
from dispatcher.generate import builtin_trace, describe, generate, shifted
from dispatcher.shapes import SHAPES
from dispatcher.simulate import simulate

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


SHIFT_SHAPES = ["county-star", "street-dense", "permit-blocks", "county-sparse",
                "district-ring", "permit-pairs"]
JUDGE_SHIFT_SEEDS = range(301, 306)


def shifted_main(shapes: list[str]) -> None:
    """The --shifted table (module doc)."""
    print("| shape | windows | K | floor (greedy alone) gap | resampled advisor gap |"
          " shifted advisor gap | current mean s | shifted advisor mean s | flex mean s |"
          " >= floor |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    met = 0
    for name in shapes:
        desc = SHAPES[name]
        day = generate(desc, 1)
        k = math.ceil(len(day["windows"]) / 3)
        fit, _ = scenario_days(day, 3, 1, "resampled")
        floor = _apply(day["windows"], greedy_pick(fit, day["windows"], k,
                                                   max_work=GREEDY_TICKETS))
        old = advise(day, k, scenarios="resampled")["windows"]
        new = advise(day, k, scenarios="shifted")["windows"]
        judged = [generate(shifted(desc, s, volume=(1.2, 1.2)), s) for s in JUDGE_SHIFT_SEEDS]

        def m(windows, policy="ortools", judged=judged):
            return mean([simulate(dict(d, windows=windows), policy)["mean_wait_s"]
                         for d in judged])

        c, f = m(day["windows"]), m(day["windows"], "flex")
        gaps = [(c - m(w)) / (c - f) if c > f else float("nan") for w in (floor, old, new)]
        a = c - gaps[2] * (c - f)
        met += gaps[2] >= 0.5
        print(f"| {name} | {len(day['windows'])} | {k} | {gaps[0]:.0%} | {gaps[1]:.0%} |"
              f" **{gaps[2]:.0%}** | {c:.1f} | {a:.1f} | {f:.1f} |"
              f" {'yes' if gaps[2] >= gaps[0] - 1e-9 else 'NO'} |", flush=True)
    print(f"\nshapes with >= 50 % of the gap closed: {met} of {len(shapes)}")


def main() -> None:
    if "--shifted" in sys.argv[1:]:
        names = [a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--shapes=")]
        shifted_main(names[0].split(",") if names else SHIFT_SHAPES)
        return
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
