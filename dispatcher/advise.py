"""Skills advisor: the few (window, service) changes that shorten a hall's waits most.

    python -m dispatcher.advise TRACE.json --max-changes K --json
        [--max-skills-per-window N] [--forbid WINDOW:SERVICE ...] [--days D] [--seed S]

1. Shortlist with OR-Tools (a MILP over a fluid capacity model): every hour, each service's
   work (arrivals x mean service time) must be covered by window time; a window splits its hour
   among its skills. Binary y[w,s] adds a secondary skill (weight 0.5); at most K of them. The
   objective penalises uncovered work, and more gently work above 85 %, 70 %, 55 % utilisation,
   so spare capacity goes where queues form. Uses the hourly profile, not one day's arrivals.
2. Confirm with the simulator on several days resampled from the trace's pattern (not only the
   recorded day, so the advice doesn't fit one day's noise); keep the advice only if it beats
   the current matrix there, and report its expected mean/p95 wait.
3. Greedy forward selection on the simulator (`greedy_pick`): one change at a time, each a
   new primary skill or a secondary one raised to primary, kept only if the replayed days
   wait less; within a budget of replayed tickets (`max_work`: work, not seconds, so the
   advice is the same on a slow or loaded machine; large halls keep the cheaper shortlists).
Skills are only added or raised, never removed, so every window keeps its primary skills.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time

from .generate import describe, generate, shifted
from .simulate import simulate

NEW_WEIGHT = 0.5
# Convex penalty on each service's utilisation (work / window time it can get): uncovered work
# costs most, then work above 85 %, 70 %, 55 %. Queueing delay grows convexly with utilisation,
# so the model spreads spare capacity to where queues would form first.
TIERS = [(1.0, 10.0), (0.85, 3.0), (0.7, 1.0), (0.55, 0.3)]
# Work budgets (never seconds, so a result does not depend on the machine's speed or load).
MILP_NODES = 20_000  # the shortlist MILP's branch-and-bound nodes
# Tickets the greedy step may replay (each candidate matrix replays every fit day): district's
# K=4 (49 matrices x ~1,100 tickets) fits whole; the 64-window city (13 x 4,900) does not.
GREEDY_TICKETS = 60_000


def _loads(desc: dict) -> tuple[list[str], list[list[float]]]:
    """Per hour slot, each service's work in window-equivalents (1.0 = one busy window)."""
    services = [s["id"] for s in desc["services"]]
    hourly = desc["hourly"]
    slot_s = (desc["close_s"] - desc["open_s"]) / len(hourly)
    tot = sum(hourly)
    loads = []
    for h in hourly:
        n_h = desc["arrivals_per_day"] * h / tot
        loads.append([n_h * s["share"] * s["mean_service_s"] / slot_s for s in desc["services"]])
    return services, loads


def shortlist(desc: dict, max_changes: int, max_skills: int | None = None,
              forbid: set[tuple[str, str]] | None = None, max_nodes: int = MILP_NODES
              ) -> list[tuple[str, str]]:
    """The MILP's choice of up to `max_changes` (window, service) skills to add.

    The search is capped in branch-and-bound nodes, not seconds, so the same hall gets the
    same shortlist on any machine."""
    from ortools.linear_solver import pywraplp

    services, loads = _loads(desc)
    windows = desc["windows"]
    solver = pywraplp.Solver.CreateSolver("SCIP")
    # one thread and a node cap: SCIP is then deterministic (no time limit to cut it short)
    solver.SetSolverSpecificParametersAsString(
        f"limits/totalnodes = {int(max_nodes)}\nparallel/maxnthreads = 1\n")
    y = _new_skill_vars(solver, windows, services, max_changes, max_skills, forbid or set())
    obj = []
    for h, row in enumerate(loads):
        obj += _hour_shortfall(solver, h, row, windows, services, y)
    # a tiny cost per change: among equal plans, the one with fewer changes
    solver.Minimize(sum(obj) + 1e-3 * sum(y.values()))
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return []
    return sorted((w, s) for (w, s), v in y.items() if v.solution_value() > 0.5)


def _new_skill_vars(solver, windows: list[dict], services: list[str], max_changes: int,
                    max_skills: int | None, forbid: set) -> dict:
    """One 0/1 variable per skill that could be added, within the change and skill limits."""
    y = {}
    for w in windows:
        full = max_skills is not None and len(w["skills"]) >= max_skills
        for s in services:
            if s not in w["skills"] and not full and (w["id"], s) not in forbid:
                y[w["id"], s] = solver.BoolVar(f"y_{w['id']}_{s}")
    solver.Add(sum(y.values()) <= max_changes)
    for w in windows:  # a window's new skills stay within its limit
        new = [y[w["id"], s] for s in services if (w["id"], s) in y]
        if max_skills is not None and new:
            solver.Add(len(w["skills"]) + sum(new) <= max_skills)
    return y


def _hour_shortfall(solver, h: int, row: list[float], windows: list[dict],
                    services: list[str], y: dict) -> list:
    """One hour's split of each window's time over its (old and new) skills, and the tiered
    penalties for a service's load left uncovered."""
    x = {}
    for w in windows:
        for s in services:
            if s in w["skills"] or (w["id"], s) in y:
                # a secondary skill is worth its weight: a 0.5 skill is taken reluctantly
                x[w["id"], s] = solver.NumVar(0, 1, f"x_{h}_{w['id']}_{s}")
                if (w["id"], s) in y:
                    solver.Add(x[w["id"], s] <= y[w["id"], s])
        solver.Add(sum(x.get((w["id"], s), 0) for s in services) <= 1)
    obj = []
    for k, s in enumerate(services):
        cover = sum(x.get((w["id"], s), 0) for w in windows)
        for util, pen in TIERS:
            short = solver.NumVar(0, solver.infinity(), "")
            solver.Add(cover + short >= row[k] / util)
            obj.append(pen * short)
    return obj


def pressure_pick(trace_days: list[dict], windows: list[dict], max_changes: int,
                  max_skills: int | None = None, forbid: set | None = None,
                  policy: str = "fifo") -> list[tuple[str, str]]:
    """Second shortlist, from simulation: give the services whose tickets waited most (total
    wait) to the windows that sat idle most, with diminishing returns per service (the j-th
    extra window for a service is worth 1 / (able + j)) and one new skill per window first."""
    wait, idle = _pressure(trace_days, windows, policy)
    able: dict[str, int] = {}
    for w in windows:
        for s in w["skills"]:
            able[s] = able.get(s, 0) + 1
    skills = {w["id"]: set(w["skills"]) for w in windows}
    added: dict[str, int] = {}
    picks: list[tuple[str, str]] = []
    while len(picks) < max_changes:
        options = [g for w in windows if max_skills is None or len(skills[w["id"]]) < max_skills
                   for g in _gains(w["id"], wait, idle, skills, able, added, forbid or set())]
        if not options:
            break
        _, wid, s = max(options)
        wid = next(w["id"] for w in windows if str(w["id"]) == wid)
        picks.append((wid, s))
        skills[wid].add(s)
        able[s] = able.get(s, 0) + 1
        added[wid] = added.get(wid, 0) + 1
    return picks


def _pressure(trace_days: list[dict], windows: list[dict], policy: str
              ) -> tuple[dict[str, float], dict[str, float]]:
    """Per service the total wait, per window the idle share, over the replayed days."""
    wait: dict[str, float] = {}
    idle: dict[str, float] = {w["id"]: 0.0 for w in windows}
    for d in trace_days:
        r = simulate(dict(d, windows=windows), policy)
        day = max(1.0, d["close_s"] - d["open_s"])
        for s, v in r["by_service"].items():
            wait[s] = wait.get(s, 0.0) + v["served"] * v["mean_wait_s"]
        for wid, v in r["by_window"].items():
            idle[wid] += max(0.0, 1.0 - v["busy_s"] / day)
    return wait, idle


def _gains(wid, wait: dict, idle: dict, skills: dict, able: dict, added: dict,
           forbid: set) -> list[tuple[float, str, str]]:
    """(gain, window, service) of each skill window ``wid`` could take."""
    return [(tot / (able.get(s, 0) + 1) * (0.2 + idle[wid]) / (1 + added.get(wid, 0)),
             str(wid), s)
            for s, tot in wait.items()
            if s not in skills[wid] and (wid, s) not in forbid and tot > 0]


def _stats(days: list[dict], windows: list[dict], policy: str) -> tuple[float, dict, dict]:
    """Total wait, per-service total wait and per-window idle share over `days`."""
    total, wait, idle = 0.0, {}, {w["id"]: 0.0 for w in windows}
    for d in days:
        r = simulate(dict(d, windows=windows), policy)
        total += r["served"] * r["mean_wait_s"]
        day = max(1.0, d["close_s"] - d["open_s"])
        for s, v in r["by_service"].items():
            wait[s] = wait.get(s, 0.0) + v["served"] * v["mean_wait_s"]
        for wid, v in r["by_window"].items():
            idle[wid] += max(0.0, 1.0 - v["busy_s"] / day) / len(days)
    return total, wait, idle


def greedy_pick(days: list[dict], windows: list[dict], max_changes: int,
                max_skills: int | None = None, forbid: set | None = None,
                policy: str = "ortools", max_work: int = GREEDY_TICKETS, n_services: int = 3,
                n_windows: int = 4) -> list[tuple[str, str, float]]:
    """Forward selection confirmed by simulation: each step tries giving one of the
    `n_services` services with the most total wait to one of the `n_windows` idlest windows
    that may take it (as a new primary skill, or a secondary one raised to primary), replays
    `days` with each, and keeps the best; stops when nothing helps, at K, or when a step would
    pass `max_work` replayed tickets (the caller then keeps the cheaper shortlists)."""
    forbid = forbid or set()
    cur = [{"id": w["id"], "skills": dict(w["skills"])} for w in windows]
    base, wait, idle = _stats(days, cur, policy)
    per_eval = sum(len(d["arrivals"]) for d in days)
    work = per_eval
    picks: list[tuple[str, str, float]] = []
    touched: set = set()
    while len(picks) < max_changes:
        cands = []
        for s in sorted(wait, key=lambda s: -wait[s])[:n_services]:
            if wait[s] <= 0:
                continue
            able = [w for w in cur if (w["id"], s) not in touched and (w["id"], s) not in forbid
                    and w["skills"].get(s, 0.0) < 1.0
                    and (max_skills is None or s in w["skills"]
                         or len(w["skills"]) < max_skills)]
            able.sort(key=lambda w: (-idle[w["id"]], str(w["id"])))
            cands += [(w["id"], s) for w in able[:n_windows]]
        if not cands or work + per_eval * len(cands) > max_work:
            break
        work += per_eval * len(cands)
        best = None
        for wid, s in cands:
            trial = [dict(w, skills={**w["skills"], s: 1.0}) if w["id"] == wid else w
                     for w in cur]
            tot, wt, idl = _stats(days, trial, policy)
            if best is None or tot < best[0]:
                best = (tot, wid, s, trial, wt, idl)
        if best is None or best[0] >= base:
            break
        base, wid, s, cur, wait, idle = best
        picks.append((wid, s, 1.0))
        touched.add((wid, s))
    return picks


def _apply(windows: list[dict], changes: list[tuple]) -> list[dict]:
    """The matrix with each (window, service[, weight]) set (weight defaults to NEW_WEIGHT)."""
    out = [{"id": w["id"], "skills": dict(w["skills"])} for w in windows]
    byid = {w["id"]: w for w in out}
    for wid, s, *weight in changes:
        byid[wid]["skills"][s] = weight[0] if weight else NEW_WEIGHT
    return out


def _evaluate(days: list[dict], windows: list[dict], policy: str) -> dict:
    res = [simulate(dict(d, windows=windows), policy) for d in days]
    return {"mean_wait_s": round(sum(r["mean_wait_s"] for r in res) / len(res), 1),
            "p95_wait_s": round(sum(r["p95_wait_s"] for r in res) / len(res), 1),
            "by_day": [r["mean_wait_s"] for r in res]}


def _across(res: dict, current: dict) -> float:
    """Mean over scenarios of the mean-wait ratio to today's matrix: every scenario counts
    the same, so a change that helps one busy week and hurts three others does not win."""
    pairs = list(zip(res["by_day"], current["by_day"], strict=True))
    return sum(a / c if c > 0 else (1.0 if a <= 0 else 2.0) for a, c in pairs) / len(pairs)


def scenario_days(trace: dict, days: int, seed: int, scenarios: str = "shifted"
                  ) -> tuple[list[dict], list[dict]]:
    """(fit days, evaluation days) for the advice. "resampled": days like the recorded one
    (`describe` -> `generate`). "shifted": next month's weeks differ from the history in mix
    and volume, not only in noise, so the fit days after the recorded one are shifted weeks
    (`generate.shifted`: service shares +-30 %, volume +0-20 %) and the advice is confirmed
    on `days` resampled days *and* `days` shifted ones: it must help across both, not only
    on a week like the last. The fit days are as many as with "resampled" (the greedy
    search's budget buys the same number of steps)."""
    desc = describe(trace)

    def day(s: int, shift: bool) -> dict:
        return generate(shifted(desc, s) if shift else desc, s)

    shift = scenarios == "shifted"
    fit = [trace] + [day(seed + 100 + i, shift) for i in range(max(0, days - 2))]
    confirm = [day(seed + i, False) for i in range(max(1, days))]
    if shift:
        confirm += [day(seed + 300 + i, True) for i in range(max(1, days))]
    return fit, confirm


def advise(trace: dict, max_changes: int, max_skills_per_window: int | None = None,
           forbid: set[tuple[str, str]] | list | None = None, days: int = 3, seed: int = 1,
           policy: str = "ortools", max_nodes: int = MILP_NODES,
           greedy_work: int = GREEDY_TICKETS, scenarios: str = "shifted") -> dict:
    """Advice as CONTRACT.md shapes it, plus `current` (the same figures for today's matrix)
    and `scenarios`. Shortlists are fitted on one set of days and confirmed on another
    (`scenario_days`); the option kept is the one with the lowest mean ratio to today's matrix
    across the confirmation days, and only if it is below 1."""
    forbid = {tuple(f) for f in (forbid or [])}
    desc = describe(trace)
    fit_days, eval_days = scenario_days(trace, days, seed, scenarios)
    floor_days = fit_days if scenarios == "resampled" else scenario_days(
        trace, days, seed, "resampled")[0]
    options = {
        "milp": shortlist(desc, max_changes, max_skills_per_window, forbid, max_nodes),
        "pressure": pressure_pick(fit_days, trace["windows"], max_changes,
                                  max_skills_per_window, forbid),
        # the floor: the greedy search on days like the recorded one, always a candidate, so
        # the advice is never worse than it on the confirmation days
        "greedy": greedy_pick(floor_days, trace["windows"], max_changes,
                              max_skills_per_window, forbid, policy, greedy_work),
    }
    if scenarios == "shifted":  # the same search, fitted on shifted weeks (its own budget)
        options["greedy-shifted"] = greedy_pick(fit_days, trace["windows"], max_changes,
                                                max_skills_per_window, forbid, policy,
                                                greedy_work)
    current = _evaluate(eval_days, trace["windows"], policy)
    adds, proposed, expected, best = [], _apply(trace["windows"], []), current, 1.0
    for name in sorted(options):
        if not options[name]:
            continue
        cand = _apply(trace["windows"], options[name])
        res = _evaluate(eval_days, cand, policy)
        score = _across(res, current)
        # keep only what the confirmation days confirm, on average over them and in total
        if score < best and res["mean_wait_s"] <= current["mean_wait_s"]:
            adds, proposed, expected, best = options[name], cand, res, score
    before = {w["id"]: w["skills"] for w in trace["windows"]}
    after = {w["id"]: w["skills"] for w in proposed}
    strip = ("mean_wait_s", "p95_wait_s")
    return {"windows": proposed,
            "changes": [{"window": w, "service": s, "from": before[w].get(s),
                         "to": after[w][s]} for w, s, *_ in adds],
            "expected": {k: expected[k] for k in strip},
            "current": {k: current[k] for k in strip}, "scenarios": scenarios}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dispatcher.advise", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trace")
    ap.add_argument("--max-changes", type=int, default=None,
                    help="at most K changed weights (default: ceil(windows / 3))")
    ap.add_argument("--max-skills-per-window", type=int, default=None)
    ap.add_argument("--forbid", action="append", default=[], metavar="WINDOW:SERVICE")
    ap.add_argument("--days", type=int, default=3, help="days to confirm on (1 = recorded only)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scenarios", choices=("shifted", "resampled"), default="shifted",
                    help="days to fit and confirm on: shifted weeks (default) or resampled")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with open(args.trace, encoding="utf-8") as f:
        trace = json.load(f)
    k = args.max_changes if args.max_changes is not None else math.ceil(
        len(trace["windows"]) / 3)
    forbid = [tuple(x.split(":", 1)) for x in args.forbid]
    t0 = time.perf_counter()
    res = advise(trace, k, args.max_skills_per_window, forbid, args.days, args.seed,
                 scenarios=args.scenarios)
    if args.json:
        print(json.dumps(res, ensure_ascii=False))
    else:
        for c in res["changes"]:
            print(f"window {c['window']}: add {c['service']} at {c['to']}")
        print(f"mean wait {res['current']['mean_wait_s']} -> {res['expected']['mean_wait_s']} s,"
              f" p95 {res['current']['p95_wait_s']} -> {res['expected']['p95_wait_s']} s"
              f" ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
