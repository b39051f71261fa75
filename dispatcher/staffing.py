"""The staffing plan: which windows to open in each hour (docs/dispatcher.md).

    plan = recommend(forecast.forecast(history, date))
    trace = apply(day_trace, plan)              # the day with the plan's window schedules

    python -m dispatcher.staffing DAY.json ... --date 2026-03-02 [--json]
    python -m dispatcher.staffing gen:district-ring:30 --date 2026-02-16   # generated history

For every opening hour, how many windows to open and which (by their skills), so that the
forecast day keeps the target (default: 90 % of citizens called within 15 minutes) with the
fewest window-hours. Checked by replaying `samples` days drawn from the forecast × `SURGE`
(`forecast.sample_day`): kept when their mean share − `Z` × its spread reaches the target
and no hour's arrivals fall below `HOUR_SHARE` on time, since the day that comes will differ
from the forecast. The budget is counted in replays (`max_replays`), never seconds, so the
same inputs give the same plan on any machine.

Search: (1) per hour the Erlang-C floors (the whole hall pooled, and each service over its
able windows); (2) while the check fails, one more able window for the (hour, service) whose
arrivals waited too long most often; (3) one window fewer in each hour, least utilised
first, never below the floor, kept when the check still passes. Which windows: the ones whose
skills match the hour's work best (`choose`); a window none of whose services has forecast
arrivals in the hour is never opened, and every service with arrivals keeps an able window.
"""
from __future__ import annotations

import argparse
import json
import math
import sys

from . import schedule
from .forecast import hourly, sample_day
from .simulate import replay

TARGET_WAIT_S = 900.0
TARGET_SHARE = 0.90
HOUR_S = 3600.0
TAIL_S = 86400.0  # a window open at closing serves the queue left then, as all-day ones do
Z = 2.5  # the plan must hold this many spreads of its sample days above the target
FLOOR_LATE = 0.5  # the Erlang floors keep half the late share the target allows
SURGE = 1.1  # sample days carry this × the forecast: the day that comes is not the forecast
STICKY = 1.05  # a window open the hour before is preferred: fewer hand-overs
HOUR_SHARE = 0.75  # no hour's arrivals, pooled over the sample days, below this on time


def hour_work(fc: dict) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """Per hour: (forecast arrivals per service, forecast work per service in window-hours,
    no-shows counted at 60 s)."""
    arr = hourly(fc, HOUR_S)
    st = fc["stats"]
    ns = st["no_show_share"]
    n = max(len(r) for r in arr.values()) if arr else 0
    counts = [{s: r[h] for s, r in arr.items() if h < len(r) and r[h] > 0} for h in range(n)]
    work = [{s: c * ((1 - ns) * st["service"].get(s, {"mean_s": 600.0})["mean_s"] + ns * 60)
             / HOUR_S for s, c in hc.items()} for hc in counts]
    return counts, work


def erlang_floor(arrivals: float, work_h: float, wait_s: float, late_share: float,
                 most: int) -> int:
    """The fewest windows for which a pooled M/M/c queue with this hour's arrivals and work
    (window-hours) keeps P(wait > wait_s) <= late_share (Erlang C); at most `most`. Every
    window pooled is the best a hall can do, so fewer windows than this cannot hold the
    target in steady state whatever the skills."""
    if arrivals <= 0 or work_h <= 0:
        return 0
    a, mean_s = work_h, work_h * HOUR_S / arrivals
    for c in range(max(1, math.floor(a) + 1), most + 1):
        inv_b = 1.0  # Erlang B by the stable recursion, then C
        for k in range(1, c + 1):
            inv_b = 1 + inv_b * k / a
        b = 1 / inv_b
        erlang_c = c * b / (c - a * (1 - b))
        if erlang_c * math.exp(-(c - a) * wait_s / mean_s) <= late_share:
            return c
    return most


def choose(windows: list[dict], work: dict[str, float], n: int,
           prev: set[str] | frozenset = frozenset(),
           need: dict[str, int] | None = None) -> list[str]:
    """`n` windows for an hour with `work` (window-hours per service): greedily the window
    whose skills cover the most work not yet covered (each service's work divided by 1 + the
    skill weight already open for it), a window open the hour before slightly preferred;
    then, while a service with work has fewer able windows open than `need` asks (at least
    one), its best window. A window none of whose services has work is never chosen.
    Ids, in hall order."""
    cap = dict.fromkeys(work, 0.0)
    able = dict.fromkeys(work, 0)
    chosen: list[str] = []
    left = [w for w in windows if any(work.get(s, 0) > 0 for s in w["skills"])]

    def take(w: dict) -> None:
        left.remove(w)
        chosen.append(w["id"])
        for s, wt in w["skills"].items():
            if s in cap and wt > 0:
                cap[s] += wt
                able[s] += 1

    def score(w: dict) -> float:
        v = sum(wt * work[s] / (1 + cap[s]) for s, wt in w["skills"].items() if s in work)
        return v * (STICKY if w["id"] in prev else 1.0)

    while left and len(chosen) < n:
        take(max(left, key=score))  # max keeps the first of equals: hall order
    for s in sorted(work):
        want = max(1, (need or {}).get(s, 1)) if work[s] > 0 else 0
        while able[s] < want:
            cands = [w for w in left if w["skills"].get(s, 0) > 0]
            if not cands:
                break
            take(max(cands, key=lambda w, s=s: (w["skills"][s], score(w))))
    order = {w["id"]: i for i, w in enumerate(windows)}
    return sorted(chosen, key=order.__getitem__)


def schedules(fc: dict, per_hour: list[list[str]]) -> dict[str, list[list[float]]]:
    """Window id → `open` intervals for the per-hour choices."""
    return {w["id"]: schedule.merge([w["id"] in hs for hs in per_hour], fc["open_s"], HOUR_S,
                                    TAIL_S) for w in fc["windows"]}


def apply(trace: dict, plan: dict) -> dict:
    """`trace` with the plan's window schedules (a window the plan never opens: `open: []`)."""
    sched = {w["id"]: w["open"] for w in plan["windows"]}
    return {**trace, "windows": [{**w, "open": sched.get(w["id"], [])}
                                 for w in trace["windows"]]}


def window_hours(trace: dict) -> float:
    """Staffed window-hours inside the opening hours (an all-day window counts them all)."""
    lo, hi = float(trace["open_s"]), float(trace["close_s"])
    return round(sum(schedule.open_seconds(schedule.parse(w.get("open")), lo, hi)
                     for w in trace["windows"]) / HOUR_S, 2)


def judge(trace: dict, policy: str = "fifo", wait_s: float = TARGET_WAIT_S) -> dict:
    """Replay `trace`; the share called within `wait_s` (no-shows have no wait and are not
    counted; a citizen left unserved counts as late) and the late arrivals per hour."""
    r = replay(trace, policy)
    svc = {a["id"]: a["service"] for a in trace["arrivals"]}
    late_cells: dict[tuple[int, str], int] = {}
    late_by_hour: dict[int, int] = {}
    by_hour: dict[int, int] = {}
    late = len(r.waiting)
    for tid, t, w in r.waits_at:
        h = int((t - float(trace["open_s"])) // HOUR_S)
        by_hour[h] = by_hour.get(h, 0) + 1
        if w > wait_s:
            late += 1
            late_by_hour[h] = late_by_hour.get(h, 0) + 1
            late_cells[h, svc[tid]] = late_cells.get((h, svc[tid]), 0) + 1
    n = len(r.waits_at) + len(r.waiting)
    worst = min((1 - late_by_hour.get(h, 0) / c for h, c in by_hour.items()), default=1.0)
    return {"share": round(1 - late / n, 4) if n else 1.0, "late_by_hour": late_by_hour,
            "worst_hour_share": round(worst, 4), "by_hour": by_hour, "late_cells": late_cells,
            "unserved": len(r.waiting), "mean_wait_s":
            round(sum(r.all_waits) / len(r.all_waits), 1) if r.all_waits else 0.0}


class _Search:
    """The replays of one plan search, within the budget."""

    def __init__(self, fc: dict, policy: str, samples: int, need: tuple[float, float],
                 wait_s: float, max_replays: int, surge: float, z: float):
        self.fc, self.policy, self.wait_s, self.z = fc, policy, wait_s, z
        self.need, self.hour_need = need
        self.days = [sample_day(fc, k, surge) for k in range(1, samples + 1)]
        self.max_replays, self.replays = max_replays, 0

    def check(self, per_hour: list[list[str]]) -> tuple[bool, dict, list[float]]:
        """(the plan keeps the target, late arrivals per (hour, service) over the sample days, each
        day's share). Kept: mean share − `z` × their spread ≥ the target + margin, and every
        hour's arrivals, pooled over the days, at least `hour_share` on time."""
        sched = schedules(self.fc, per_hour)
        shares, late, seen = [], {}, {}
        for day in self.days:
            tr = {**day, "windows": [{**w, "open": sched[w["id"]]} for w in day["windows"]]}
            self.replays += 1
            j = judge(tr, self.policy, self.wait_s)
            shares.append(j["share"])
            for cell, c in j["late_cells"].items():
                late[cell] = late.get(cell, 0) + c
            for h, c in j["by_hour"].items():
                seen[h] = seen.get(h, 0) + c
        mean = sum(shares) / len(shares)
        sd = (sum((x - mean) ** 2 for x in shares) / (len(shares) - 1)) ** 0.5 \
            if len(shares) > 1 else 0.0
        late_h: dict[int, int] = {}
        for (h, _), c in late.items():
            late_h[h] = late_h.get(h, 0) + c
        worst = min((1 - late_h.get(h, 0) / c for h, c in seen.items()), default=1.0)
        ok = mean - self.z * sd >= self.need and worst >= self.hour_need
        return ok, late, shares

    def out_of_budget(self) -> bool:
        return self.replays + len(self.days) > self.max_replays


def _floors(fc: dict, counts: list[dict], work: list[dict], surge: float, wait_s: float,
            late: float) -> tuple[list[int], list[dict[str, int]]]:
    """Per hour: the pooled Erlang floor of the whole hall, and per service the Erlang floor
    of its able windows (a dedicated service needs its own windows)."""
    wins = fc["windows"]
    able = {s: sum(1 for w in wins if w["skills"].get(s, 0) > 0) for s in fc["rates"]}
    hall = [erlang_floor(surge * sum(c.values()), surge * sum(wk.values()), wait_s, late,
                         len(wins)) for c, wk in zip(counts, work, strict=True)]
    per = [{s: erlang_floor(surge * c[s], surge * wk[s], wait_s, late, able.get(s, 0))
            for s in wk} for c, wk in zip(counts, work, strict=True)]
    return hall, per


def _grow(late: dict, per_hour: list[list[str]], n: list[int], need: list[dict[str, int]],
          wins: list[dict], work: list[dict[str, float]]) -> bool:
    """One more window where the sample days' arrivals waited too long most often: an able
    window for the (hour, service) with most late arrivals, else one more in that hour;
    with none late (the spread failed), the busiest hour per open window. False when every
    window is open."""
    cells = sorted(late, key=lambda c: (-late[c], c))
    # then any hour with a window left, the busiest per open window first
    cells += [(h, "") for h in sorted(range(len(n)), key=lambda h: (
        -sum(work[h].values()) / (1 + len(per_hour[h])), h))]
    for h, s in cells:
        able_open = sum(1 for w in wins if w["id"] in per_hour[h] and w["skills"].get(s, 0) > 0)
        able_all = sum(1 for w in wins if w["skills"].get(s, 0) > 0)
        if s and able_open < able_all:
            need[h][s] = able_open + 1
            return True
        if len(per_hour[h]) < len(wins):
            n[h] = len(per_hour[h]) + 1
            return True
    return False


def recommend(fc: dict, *, target_wait_s: float = TARGET_WAIT_S,
              target_share: float = TARGET_SHARE, margin: float = 0.0, samples: int = 4,
              hour_share: float = HOUR_SHARE, z: float = Z,
              surge: float = SURGE, policy: str = "fifo", max_replays: int = 120) -> dict:
    """The staffing plan for the forecast day `fc` (see the module doc)."""
    wins = fc["windows"]
    counts, work = hour_work(fc)
    hours = len(work)
    floor, need = _floors(fc, counts, work, surge, target_wait_s,
                          FLOOR_LATE * (1 - target_share))
    n = list(floor)
    search = _Search(fc, policy, samples, (min(1.0, target_share + margin), hour_share),
                     target_wait_s, max_replays, surge, z)

    def pick(n: list[int]) -> list[list[str]]:
        out: list[list[str]] = []
        for h in range(hours):
            out.append(choose(wins, work[h], n[h], set(out[-1]) if out else frozenset(),
                              need[h]))
        return out

    per_hour = pick(n)
    ok, late, shares = search.check(per_hour)
    while not ok and not search.out_of_budget() and _grow(late, per_hour, n, need, wins, work):
        per_hour = pick(n)  # (2) add where arrivals waited too long
        ok, late, shares = search.check(per_hour)
    feasible = ok
    # (3) one window fewer per hour, the least utilised hours first, never below the floor
    order = sorted(range(hours), key=lambda h: (sum(work[h].values()) / max(1, n[h]), h))
    for h in order:
        if not ok or search.out_of_budget():
            break
        trial = n[:h] + [min(n[h], len(per_hour[h])) - 1] + n[h + 1:]
        cand = pick(trial)
        if trial[h] < max(1, floor[h]) or cand[h] == per_hour[h]:
            continue  # the floor, or coverage keeps the same windows: nothing to save
        good, _, sh = search.check(cand)
        if good:
            n, per_hour, shares = trial, cand, sh
    return _result(fc, per_hour, counts, work, search, shares, ok, feasible,
                   {"wait_s": target_wait_s, "share": target_share, "margin": margin,
                    "surge": surge, "z": z, "hour_share": hour_share, "policy": policy})


def _result(fc: dict, per_hour: list[list[str]], counts: list[dict], work: list[dict],
            search: _Search, shares: list[float], ok: bool, feasible: bool,
            target: dict) -> dict:
    sched = schedules(fc, per_hour)
    wins = fc["windows"]
    plan_trace = {"open_s": fc["open_s"], "close_s": fc["close_s"],
                  "windows": [{"id": w["id"], "open": sched[w["id"]]} for w in wins]}
    return {"date": fc["date"], "target": target,
            "hours": [{"start": fc["open_s"] + h * HOUR_S, "open": len(per_hour[h]),
                       "windows": per_hour[h],
                       "forecast_arrivals": round(sum(counts[h].values()), 1),
                       "forecast_work_h": round(sum(work[h].values()), 2)}
                      for h in range(len(per_hour))],
            "windows": plan_trace["windows"],
            "window_hours": window_hours(plan_trace),
            "all_open_window_hours": window_hours({**plan_trace, "windows": wins}),
            "check": {"samples": len(search.days), "shares": shares, "meets": ok},
            "feasible": feasible, "replays": search.replays,
            "complete": not search.out_of_budget()}


def _history(args: list[str]) -> list[dict]:
    if len(args) == 1 and args[0].startswith("gen:"):
        from .generate import HALLS, history
        from .shapes import SHAPES
        _, name, *n = args[0].split(":")
        return history({**HALLS, **SHAPES}[name], int(n[0]) if n else 30, volume=0.55)
    days = []
    for path in args:
        with open(path, encoding="utf-8") as f:
            days.append(json.load(f))
    return sorted(days, key=lambda t: t["date"])


def main(argv: list[str] | None = None) -> int:
    from .forecast import forecast
    ap = argparse.ArgumentParser(prog="python -m dispatcher.staffing", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("days", nargs="+", help="recorded day traces, each with its \"date\"; or "
                    "gen:HALL[:N] for N generated working days at 0.55 of its volume")
    ap.add_argument("--date", required=True, help="the day to plan, YYYY-MM-DD")
    ap.add_argument("--wait", type=float, default=TARGET_WAIT_S, help="target wait, seconds")
    ap.add_argument("--share", type=float, default=TARGET_SHARE, help="share within it")
    ap.add_argument("--policy", default="fifo")
    ap.add_argument("--max-replays", type=int, default=120)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    plan = recommend(forecast(_history(args.days), args.date), target_wait_s=args.wait,
                     target_share=args.share, policy=args.policy,
                     max_replays=args.max_replays)
    if args.json:
        print(json.dumps(plan, ensure_ascii=False))
        return 0
    print(f"{plan['date']}: {plan['window_hours']:g} of {plan['all_open_window_hours']:g} "
          f"window-hours, checked on {plan['check']['samples']} forecast days: "
          f"{plan['check']['shares']} ({'meets' if plan['check']['meets'] else 'MISSES'})")
    for h in plan["hours"]:
        t = int(h["start"])
        print(f"{t // 3600:02d}:{t % 3600 // 60:02d}  {h['open']:>3} open  "
              f"{h['forecast_arrivals']:>6.1f} arrivals  {' '.join(h['windows'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
