"""The nightly safeguard: replay the hall's recent days, keep the smart profile only where it
beat the plain rule there.

    python -m dispatcher.nightly DAY.json [DAY.json ...] [--json] [--out PROFILE.json]
        (or shape:NAME:1-20 / gen:NAME:1-20 for generated days)

Reordering for the mean (short services first, primary skills first, priority tickets counted
older) pays on large chained halls and loses a little on others: which one a hall is cannot
be read off its skills matrix reliably, but its own recent days show it. So every night each
candidate profile (`CANDIDATES`) and `fifo` replay the same recent days, and the hall keeps
the candidate with the lowest median mean-wait ratio to `fifo` among those that
- beat `fifo` on the median mean by a margin (`MEAN_LIMIT`: replay noise on a 20-day median
  is about +-1.5 %, so a profile at parity must not slip through on a lucky month),
- beat it on most days, not on a few big ones: the upper quartile of the per-day mean
  ratios at most `MEAN_Q75_LIMIT` (a profile at parity wins about half the days),
- are no worse on the median p95 than `P95_LIMIT` x `fifo`'s and on the median max than
  `MAX_LIMIT` x (a day's max is one ticket: +-3 % of noise on a 20-day median),
- keep priority-1 citizens at most `P1_LIMIT` x the ordinary wait (or within `P1_SLACK` of
  what the P1 bound allows, where the bound itself is above it);
otherwise it keeps `fifo_order` (the plain rule, exactly: `model.plan` then calls as `fifo`
does). The chosen profile is judged on the days after the ones it learned from
(`bench/bench_unseen.py`).

Budget: work, not seconds. At most `max_tickets` replayed tickets (candidates + fifo, every
day); if the days would exceed it, the most recent days that fit are used. Deterministic for
the same days and candidates on any machine.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from .simulate import simulate
from .tune import _median, _ratio, with_params

# Candidate profiles, best-performing first on ties. "fifo" must stay: it is the floor.
CANDIDATES: dict[str, dict] = {
    "default": {},  # the documented rules (rules.py)
    "fifo": {"fifo_order": 1.0},  # the plain rule
}
FLOOR = "fifo"
# Thresholds set on the TUNING shapes and the built-in halls (docs/dispatcher.md), never on
# the held-out shapes.
MEAN_LIMIT = 0.97  # a profile replaces fifo only if its median mean ratio is at most this
MEAN_Q75_LIMIT = 1.0  # ... and it is below fifo's mean on at least three days in four
P95_LIMIT = 1.0  # ... and its median p95 ratio is at most this
MAX_LIMIT = 1.03  # ... and its median max ratio at most this
P1_LIMIT = 0.5  # ... and median P1 mean / ordinary mean at most this
P1_SLACK = 0.05  # ... or at most the bound's ratio + this, where the bound is above P1_LIMIT
MAX_TICKETS = 400_000  # replayed tickets at most (every candidate and fifo, every day)


def _row(r: dict, f: dict) -> dict:
    pr = r["mean_wait_by_priority_s"]
    p0 = pr.get("0") or 0.0
    return {"mean": _ratio(r["mean_wait_s"], f["mean_wait_s"]),
            "p95": _ratio(r["p95_wait_s"], f["p95_wait_s"]),
            "max": _ratio(r["max_wait_s"], f["max_wait_s"]),
            "p1": (pr.get("1", 0.0) / p0) if p0 and "1" in pr else None,
            "bound": (r["p1_wait_bound_s"] / p0) if p0 and "1" in pr else None,
            "unserved": r["unserved"]}


def summarise(rows: list[dict]) -> dict:
    """Medians of one candidate's per-day ratios to fifo, and whether it may replace fifo."""
    p1 = [r["p1"] for r in rows if r["p1"] is not None]
    bound = [r["bound"] for r in rows if r["bound"] is not None]
    means = sorted(r["mean"] for r in rows)
    out = {"mean_ratio": _median(means),
           "mean_ratio_q75": means[max(0, math.ceil(0.75 * len(means)) - 1)] if means else 1.0,
           "p95_ratio": _median([r["p95"] for r in rows]),
           "max_ratio": _median([r["max"] for r in rows]),
           "p1_over_p0": _median(p1) if p1 else None,
           "p1_bound_over_p0": _median(bound) if bound else None,
           "unserved": sum(r["unserved"] for r in rows)}
    p1_cap = max(P1_LIMIT, (out["p1_bound_over_p0"] or 0.0) + P1_SLACK)
    out["eligible"] = bool(
        out["mean_ratio"] <= MEAN_LIMIT and out["mean_ratio_q75"] <= MEAN_Q75_LIMIT
        and out["p95_ratio"] <= P95_LIMIT and out["max_ratio"] <= MAX_LIMIT
        and out["unserved"] == 0
        and (out["p1_over_p0"] is None or out["p1_over_p0"] <= p1_cap))
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


def choose(days: list[dict], candidates: dict[str, dict] | None = None,
           max_tickets: int = MAX_TICKETS) -> dict:
    """The profile for the hall whose recent `days` (traces, oldest first) are given.

    Returns {"hall", "profile": name, "params": {weights}, "history": {name: medians},
    "days": used, "tickets_replayed"}; `load_profile` reads it directly."""
    cands = dict(candidates if candidates is not None else CANDIDATES)
    cands.setdefault(FLOOR, CANDIDATES[FLOOR])
    runs = len(cands) + 1  # every candidate and fifo
    used: list[dict] = []
    work = 0
    for d in reversed(days):  # the most recent days that fit the budget
        cost = runs * len(d["arrivals"])
        if used and work + cost > max_tickets:
            break
        used.insert(0, d)
        work += cost
    refs = [simulate(d, "fifo") for d in used]
    history = {}
    for name, prm in cands.items():
        if name == FLOOR:
            history[name] = summarise([_row(f, f) for f in refs]) | {"eligible": True}
            continue
        pol = with_params(prm) if prm else "ortools"
        history[name] = summarise([_row(simulate(d, pol), f)
                                   for d, f in zip(used, refs, strict=True)])
    ok = [n for n in cands if n != FLOOR and history[n]["eligible"]]
    best = min(ok, key=lambda n: (history[n]["mean_ratio"], list(cands).index(n)),
               default=FLOOR)
    return {"hall": used[-1].get("name") if used else None, "profile": best,
            "params": dict(cands[best]), "history": history, "days": len(used),
            "tickets_replayed": work}


def _days(spec: str) -> list[dict]:
    """A trace file, or shape:NAME:A-B / gen:NAME:A-B (generated days A..B of a hall)."""
    if spec.startswith(("shape:", "gen:")):
        from .generate import HALLS, generate
        from .shapes import SHAPES

        kind, name, seeds = (spec.split(":") + ["1-20"])[:3]
        lo, _, hi = seeds.partition("-")
        desc = (SHAPES if kind == "shape" else HALLS)[name]
        return [generate(desc, s) for s in range(int(lo), int(hi or lo) + 1)]
    return [json.loads(Path(spec).read_text(encoding="utf-8"))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dispatcher.nightly", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("days", nargs="+", help="the hall's recent days, oldest first")
    ap.add_argument("--max-tickets", type=int, default=MAX_TICKETS,
                    help="replayed tickets at most (work, not seconds)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--out", help="also write the profile JSON here (load_profile reads it)")
    args = ap.parse_args(argv)
    days = [d for spec in args.days for d in _days(spec)]
    res = choose(days, max_tickets=args.max_tickets)
    if args.out:
        Path(args.out).write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n",
                                  encoding="utf-8")
    if args.json:
        print(json.dumps(res, ensure_ascii=False))
    else:
        print(f"hall {res['hall']}: profile {res['profile']} (from {res['days']} days)")
        for n, h in res["history"].items():
            print(f"  {n:>8}: {h}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
