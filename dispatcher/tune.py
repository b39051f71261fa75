"""Tune one hall's dispatcher profile on its own history.

    python -m dispatcher.tune TRACE.json [--days 16] [--max-evals 60] [--seed 1000] [--json]
        [--out PROFILE.json]

The rule weights (`rules.Params`: starvation threshold and its relative form, priority bonus,
secondary-skill penalty, short-service scaling, scarcity look-ahead) are a per-hall profile. This
searches them by coordinate descent over small grids, evaluating each candidate on the recorded
day plus days RESAMPLED from its pattern (`generate.describe` -> `generate.generate`, the same
resampling the skills advisor uses), and replaying `fifo` on the same days as the reference.

Objective (lower is better), medians over the evaluation days:
    median of (ortools mean wait / fifo mean wait)
  + 4 x how far the median p95 and max ratios exceed 0.995   (no worse than fifo, with margin)
  + 5 x how far the median P1/ordinary mean exceeds max(0.3, what the P1 bound allows + 0.02)
A move is taken only if it lowers the objective by at least 0.003 (replays are noisy).
so a profile is kept only if it shortens the mean without giving up the tail or the priority
rule. Only the default profile and candidates that pass through the descent are evaluated; the
result is deterministic for the same trace, days, seed and budget: the budget counts profiles
evaluated (`max_evals`), never seconds, so a slow or loaded machine gets the same profile.

The server loads a hall's profile with `load_profile(path_or_dict)` and passes it to the
dispatcher as `snapshot["params"]`; `plan(snapshot)` without it uses the defaults.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import replace
from pathlib import Path

from .generate import describe, generate
from .model import plan
from .rules import DEFAULT, Params
from .simulate import simulate

# The knobs that matter and the values tried for each (defaults included), in search order.
GRID: dict[str, list[float]] = {
    "secondary_penalty_s": [0.0, 60.0, 120.0, 240.0, 480.0],
    "starve_rel": [0.0, 0.5, 0.7],
    "spt_alpha": [0.0, 0.25, 0.5, 0.75, 1.0],
    "starve_s": [900.0, 1200.0, 1800.0, 2700.0, 3600.0],
    "lookahead_beta": [0.0, 0.125, 0.25, 0.5],
    "priority_bonus_s": [900.0, 1800.0, 3600.0],
}
TAIL_WEIGHT = 4.0
TAIL_LIMIT = 0.995  # a small margin: what holds on the tuning days should hold on new ones
MIN_GAIN = 0.003  # a move must beat the incumbent by this much (don't chase replay noise)
P1_WEIGHT = 5.0
P1_TARGET = 0.3


def load_profile(source: str | Path | dict | Params | None) -> Params:
    """A hall profile from a JSON file path, a dict (the `tune` output or bare weights) or a
    Params; None gives the defaults. Unknown keys are ignored and values clamped to
    `Params.BOUNDS`, so a stale or hand-edited profile cannot break the dispatcher."""
    if source is None or isinstance(source, (dict, Params)):
        return Params.from_dict(source)
    with open(source, encoding="utf-8") as f:
        return Params.from_dict(json.load(f))


def with_params(params: Params | dict | None):
    """The `ortools` policy with a given profile, as a simulator policy."""
    p = Params.from_dict(params).to_dict()

    def policy(snapshot: dict) -> list[dict]:
        return plan({**snapshot, "params": p})

    policy.__name__ = "ortools+profile"
    return policy


def eval_days(trace: dict, days: int = 6, seed: int = 1000) -> list[dict]:
    """The recorded day plus `days - 1` days resampled from its pattern."""
    desc = describe(trace)
    return [trace] + [generate(desc, seed + i) for i in range(max(0, days - 1))]


def _metrics(r: dict) -> dict:
    pr = r["mean_wait_by_priority_s"]
    return {"mean": r["mean_wait_s"], "p95": r["p95_wait_s"], "max": r["max_wait_s"],
            "p1": pr.get("1"), "p0": pr.get("0"), "p1_bound": r["p1_wait_bound_s"],
            "unserved": r["unserved"]}


def _gmean(xs: list[float]) -> float:
    return math.exp(sum(math.log(max(1e-9, x)) for x in xs) / len(xs)) if xs else 1.0


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else (1.0 if a <= 0 else 2.0)


def _median(xs: list[float]) -> float:
    v = sorted(xs)
    n = len(v)
    return (v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2) if n else 1.0


def score(runs: list[dict], refs: list[dict]) -> tuple[float, dict]:
    """Objective of one candidate's runs against fifo's on the same days (module doc)."""
    pairs = list(zip(runs, refs, strict=True))
    mean = _median([_ratio(r["mean"], f["mean"]) for r, f in pairs])
    p95 = _median([_ratio(r["p95"], f["p95"]) for r, f in pairs])
    mx = _median([_ratio(r["max"], f["max"]) for r, f in pairs])
    p1 = [r["p1"] / r["p0"] for r in runs if r["p1"] is not None and r["p0"]]
    bound = [r["p1_bound"] / r["p0"] for r in runs if r["p1"] is not None and r["p0"]]
    p1r = _median(p1) if p1 else 0.0
    target = max(P1_TARGET, (_median(bound) if bound else 0.0) + 0.02)
    unserved = sum(r["unserved"] for r in runs)
    s = (mean + TAIL_WEIGHT * (max(0.0, p95 - TAIL_LIMIT) + max(0.0, mx - TAIL_LIMIT))
         + P1_WEIGHT * max(0.0, p1r - target) + 10.0 * unserved)
    return s, {"mean_ratio": round(mean, 4), "p95_ratio": round(p95, 4),
               "max_ratio": round(mx, 4), "p1_over_p0": round(p1r, 3)}


def _key(p: Params) -> tuple:
    return tuple(sorted(p.to_dict().items()))


def tune(trace: dict, days: int = 16, max_evals: int = 60, seed: int = 1000,
         grid: dict[str, list[float]] | None = None, start: Params | dict | None = None,
         sweeps: int = 2) -> dict:
    """Search the profile for `trace`'s hall (module doc). Returns
    {"hall", "params", "expected": {...ratios vs fifo on the tuning days},
     "default": {...same for the default profile}, "evaluated", "days", "seed"}."""
    t0 = time.perf_counter()
    grid = grid or GRID
    sample = eval_days(trace, days, seed)
    refs = [_metrics(simulate(d, "fifo")) for d in sample]
    cache: dict[tuple, tuple[float, dict]] = {}

    def run(p: Params) -> tuple[float, dict]:
        key = _key(p)
        if key not in cache:
            pol = with_params(p)
            cache[key] = score([_metrics(simulate(d, pol)) for d in sample], refs)
        return cache[key]

    best = Params.from_dict(start) if start is not None else DEFAULT
    best_s, best_info = run(best)
    default_info = run(DEFAULT)[1]
    out_of_budget = False
    for _ in range(sweeps):
        improved = False
        for knob, values in grid.items():
            for v in values:
                cand = replace(best, **{knob: float(v)})
                if len(cache) >= max_evals and _key(cand) not in cache:
                    out_of_budget = True
                    break
                s, info = run(cand)
                if s < best_s - MIN_GAIN:
                    best, best_s, best_info, improved = cand, s, info, True
            if out_of_budget:
                break
        if out_of_budget or not improved:
            break
    changed = {k: v for k, v in best.to_dict().items() if v != DEFAULT.to_dict()[k]}
    return {"hall": trace.get("name"), "params": changed, "expected": best_info,
            "default": default_info, "score": round(best_s, 4), "evaluated": len(cache),
            "days": days, "seed": seed, "max_evals": max_evals,
            "elapsed_s": round(time.perf_counter() - t0, 1), "complete": not out_of_budget}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dispatcher.tune", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trace", help="trace JSON file, or gen:NAME[:SEED] for a built-in hall")
    ap.add_argument("--days", type=int, default=16)
    ap.add_argument("--max-evals", type=int, default=60,
                    help="profiles to evaluate at most (work, not seconds)")
    ap.add_argument("--seed", type=int, default=1000)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--out", help="also write the profile JSON here")
    args = ap.parse_args(argv)
    if args.trace.startswith("gen:"):
        from .generate import builtin_trace
        _, name, *seed = args.trace.split(":")
        trace = builtin_trace(name, int(seed[0]) if seed else 1)
    else:
        with open(args.trace, encoding="utf-8") as f:
            trace = json.load(f)
    res = tune(trace, args.days, args.max_evals, args.seed)
    if not write_result(res, args.out, args.json):
        for k, v in res.items():
            print(f"{k:>10}: {v}")
    return 0


def write_result(res: dict, out: str | None, as_json: bool) -> bool:
    """A profile to ``out`` (load_profile reads it) and, with ``as_json``, to stdout as one
    JSON object; whether it was printed."""
    if out:
        Path(out).write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n",
                             encoding="utf-8")
    if as_json:
        print(json.dumps(res, ensure_ascii=False))
    return as_json


if __name__ == "__main__":
    sys.exit(main())
