"""Turn a hall description into a trace (shared/workloads/README.md format).

A description: `{"name", "open_s", "close_s", "arrivals_per_day", "hourly": [relative rate per
hour from opening], "services": [{"id", "name"?, "share", "mean_service_s", "cv"}],
"windows": [{"id", "skills"}], "priority_share", "appointment_share", "no_show_share"}`.
Arrivals are a non-homogeneous Poisson process following `hourly`; service times are lognormal
with the service's mean and coefficient of variation; appointments are due 0-10 min after issue.
`describe(trace)` estimates a description from a recorded day, so `generate(describe(t), seed)`
gives other days "like" it (the advisor evaluates on those, not on one day's noise).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import random
import sys
from collections import Counter


def generate(desc: dict, seed: int = 1) -> dict:
    """A trace for one day of the described hall; the same seed gives the same trace."""
    rng = random.Random(seed)
    open_s, close_s = float(desc["open_s"]), float(desc["close_s"])
    hourly = desc.get("hourly") or [1.0]
    span = close_s - open_s
    # expected count per hour slot, then Poisson count and uniform times within each slot
    slot = span / len(hourly)
    total_w = sum(hourly)
    services = desc["services"]
    shares = [s["share"] for s in services]
    arrivals = []
    for h, wgt in enumerate(hourly):
        lam = desc["arrivals_per_day"] * wgt / total_w
        n = _poisson(rng, lam)
        for _ in range(n):
            t = open_s + slot * (h + rng.random())
            s = rng.choices(services, weights=shares)[0]
            mean, cv = float(s["mean_service_s"]), float(s.get("cv", 0.5))
            sigma = math.sqrt(math.log(1 + cv * cv))
            mu = math.log(mean) - sigma * sigma / 2
            a = {"t": round(t, 1), "service": s["id"], "priority": 0,
                 "service_s": round(max(30.0, rng.lognormvariate(mu, sigma)), 1)}
            u = rng.random()
            if u < desc.get("priority_share", 0.05):
                a["priority"] = 1
            elif u < desc.get("priority_share", 0.05) + desc.get("appointment_share", 0.05):
                a["priority"] = 2
                a["due_t"] = round(t + rng.uniform(0, 600), 1)
            if rng.random() < desc.get("no_show_share", 0.04):
                a["no_show"] = True
            arrivals.append(a)
    arrivals.sort(key=lambda a: a["t"])
    for i, a in enumerate(arrivals, 1):
        a["id"] = f"t{i}"
    return {"name": f"{desc['name']}-seed{seed}", "open_s": open_s, "close_s": close_s,
            "services": [{"id": s["id"], "name": s.get("name", s["id"]),
                          "mean_service_s": s["mean_service_s"]} for s in services],
            "windows": [{"id": w["id"], "skills": dict(w["skills"])} for w in desc["windows"]],
            "arrivals": arrivals}


def shifted(desc: dict, seed: int, shares: float = 0.3,
            volume: tuple[float, float] = (1.0, 1.2)) -> dict:
    """A description of a week unlike the history, the way real weeks differ: each service's
    share times a factor drawn in [1 - shares, 1 + shares] (then renormalised) and the day's
    arrivals times a factor drawn in `volume`. The same seed gives the same shift."""
    rng = random.Random(f"shift:{seed}")
    f = [rng.uniform(1 - shares, 1 + shares) for _ in desc["services"]]
    tot = sum(s["share"] * x for s, x in zip(desc["services"], f, strict=True)) or 1.0
    return {**desc, "name": f"{desc['name']}-shift{seed}",
            "arrivals_per_day": round(desc["arrivals_per_day"] * rng.uniform(*volume)),
            "services": [{**s, "share": s["share"] * x / tot}
                         for s, x in zip(desc["services"], f, strict=True)]}


# Relative volume Monday..Friday: a Monday peak, a quiet Friday (mean 1)
WEEKDAY = (1.2, 1.05, 1.0, 0.95, 0.8)


def history(desc: dict, days: int, start: str = "2026-01-05", *, seed: int = 1,
            weekday: tuple[float, ...] = WEEKDAY, trend_per_week: float = 0.01,
            volume: float = 1.0) -> list[dict]:
    """`days` consecutive working days (Monday to Friday) of the described hall from `start`,
    each a trace with its `"date"`: the day's arrivals are the description's × `volume` ×
    the weekday's factor (`weekday`, normalised to mean 1) × (1 + `trend_per_week`) per week
    since `start`. What the staffing forecast learns from (`dispatcher.forecast`)."""
    day = _dt.date.fromisoformat(start)
    mean_wd = sum(weekday) / len(weekday)
    out, k = [], 0
    while len(out) < days:
        if day.weekday() < 5:
            weeks = (day - _dt.date.fromisoformat(start)).days / 7
            n = (desc["arrivals_per_day"] * volume * weekday[day.weekday()] / mean_wd
                 * (1 + trend_per_week) ** weeks)
            tr = generate({**desc, "arrivals_per_day": n}, seed * 100_000 + k)
            tr["name"] = f"{desc['name']}-{day.isoformat()}"
            tr["date"] = day.isoformat()
            out.append(tr)
            k += 1
        day += _dt.timedelta(days=1)
    return out


def _poisson(rng: random.Random, lam: float) -> int:
    if lam > 50:  # normal approximation: exact enough, and Knuth's loop underflows here
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def describe(trace: dict) -> dict:
    """Estimate a hall description from one recorded day (shares, hourly profile, service
    time mean and spread, priority/appointment/no-show shares)."""
    arr = trace["arrivals"]
    n = max(1, len(arr))
    open_s, close_s = float(trace["open_s"]), float(trace["close_s"])
    hours = max(1, math.ceil((close_s - open_s) / 3600))
    slot = (close_s - open_s) / hours
    hourly = [0.0] * hours
    for a in arr:
        hourly[min(hours - 1, max(0, int((a["t"] - open_s) // slot)))] += 1
    count = Counter(a["service"] for a in arr)
    services = []
    for s in trace["services"]:
        xs = [a["service_s"] for a in arr if a["service"] == s["id"]]
        mean = sum(xs) / len(xs) if xs else s["mean_service_s"]
        var = sum((x - mean) ** 2 for x in xs) / len(xs) if len(xs) > 1 else (0.5 * mean) ** 2
        services.append({"id": s["id"], "name": s.get("name", s["id"]),
                         "share": count.get(s["id"], 0) / n or 0.5 / n,
                         "mean_service_s": s["mean_service_s"],
                         "cv": round(math.sqrt(var) / mean if mean else 0.5, 3)})
    return {"name": trace.get("name", "hall"), "open_s": open_s, "close_s": close_s,
            "arrivals_per_day": len(arr), "hourly": [h or 0.1 for h in hourly],
            "services": services,
            "windows": [{"id": w["id"], "skills": dict(w["skills"])} for w in trace["windows"]],
            "priority_share": sum(1 for a in arr if a.get("priority") == 1) / n,
            "appointment_share": sum(1 for a in arr if a.get("priority") == 2) / n,
            "no_show_share": sum(1 for a in arr if a.get("no_show")) / n}


def _svc(ids_means: list[tuple[str, str, float, float]]) -> list[dict]:
    return [{"id": i, "name": nm, "share": sh, "mean_service_s": m, "cv": 0.6}
            for i, nm, sh, m in ids_means]


_MORNING_PEAK = [1.3, 1.5, 1.2, 0.8, 0.5, 0.9, 1.2, 1.0]

# Built-in halls for tests and benchmarks, each stressing a different structure.
HALLS: dict[str, dict] = {
    # a district hall: 12 windows, 8 services, chained primary/secondary skills, ~88 % load
    "district": {
        "name": "district", "open_s": 32400, "close_s": 61200, "arrivals_per_day": 520,
        "hourly": _MORNING_PEAK,
        "services": _svc([("soc", "社保", 0.28, 420), ("med", "医保", 0.15, 360),
                          ("hh", "户籍", 0.15, 480), ("tax", "税务", 0.12, 600),
                          ("biz", "商事登记", 0.07, 900), ("hou", "公积金", 0.10, 540),
                          ("civ", "民政", 0.08, 600), ("dis", "残联", 0.05, 720)]),
        "windows": [{"id": f"D{i + 1:02d}", "skills": sk} for i, sk in enumerate([
            {"soc": 1, "med": 0.5}, {"soc": 1, "hh": 0.5}, {"soc": 1, "med": 1},
            {"med": 1, "hou": 0.5}, {"hh": 1, "civ": 0.5}, {"hh": 1, "soc": 0.5},
            {"tax": 1, "biz": 0.5}, {"tax": 1, "hou": 0.5, "biz": 0.5}, {"biz": 1, "tax": 0.5},
            {"hou": 1, "civ": 0.5}, {"civ": 1, "dis": 1}, {"dis": 1, "soc": 0.5}])],
        "priority_share": 0.06, "appointment_share": 0.05, "no_show_share": 0.04},
    # a tax office: few services with very different lengths, mostly dedicated windows
    "tax-office": {
        "name": "tax-office", "open_s": 32400, "close_s": 63000, "arrivals_per_day": 420,
        "hourly": [1.0, 1.6, 1.4, 0.6, 0.4, 1.0, 1.3, 1.1, 0.6],
        "services": _svc([("inv", "发票领用", 0.44, 240), ("dec", "纳税申报", 0.30, 540),
                          ("reg", "税务登记", 0.15, 900), ("ref", "退税", 0.06, 1200),
                          ("cons", "咨询", 0.05, 300)]),
        "windows": [{"id": f"T{i + 1:02d}", "skills": sk} for i, sk in enumerate([
            {"inv": 1}, {"inv": 1}, {"inv": 1, "cons": 0.5}, {"dec": 1}, {"dec": 1, "inv": 0.5},
            {"dec": 1, "reg": 0.5}, {"reg": 1}, {"reg": 1, "ref": 0.5}, {"ref": 1},
            {"cons": 1, "inv": 0.5, "dec": 0.5}])],
        "priority_share": 0.04, "appointment_share": 0.08, "no_show_share": 0.05},
    # a township center: 5 windows, sparse skills, one all-round window
    "township": {
        "name": "township", "open_s": 30600, "close_s": 61200, "arrivals_per_day": 190,
        "hourly": [1.4, 1.6, 1.2, 0.6, 0.3, 0.8, 1.0, 0.8, 0.5],
        "services": _svc([("soc", "社保", 0.35, 420), ("agr", "农业补贴", 0.20, 480),
                          ("hh", "户籍", 0.20, 360), ("civ", "民政", 0.15, 600),
                          ("land", "宅基地", 0.10, 900)]),
        "windows": [{"id": f"X{i + 1}", "skills": sk} for i, sk in enumerate([
            {"soc": 1, "agr": 0.5}, {"agr": 1, "land": 1}, {"hh": 1, "civ": 0.5},
            {"civ": 1, "soc": 0.5}, {"soc": 1, "agr": 1, "hh": 1, "civ": 1, "land": 1}])],
        "priority_share": 0.10, "appointment_share": 0.03, "no_show_share": 0.05},
    # a permit center: 24 windows, 12 long services in pairs, heavy afternoon
    "permit-center": {
        "name": "permit-center", "open_s": 32400, "close_s": 63000, "arrivals_per_day": 700,
        "hourly": [0.8, 1.1, 1.2, 0.7, 0.5, 1.2, 1.4, 1.3, 0.8],
        "services": _svc([(f"p{i:02d}", f"许可{i}", sh, m) for i, (sh, m) in enumerate(
            [(0.12, 600), (0.11, 720), (0.11, 480), (0.09, 900), (0.09, 540), (0.06, 1200),
             (0.09, 660), (0.08, 780), (0.08, 600), (0.04, 1500), (0.07, 840), (0.06, 960)],
            1)]),
        "windows": [{"id": f"P{i + 1:02d}",
                     "skills": {f"p{i // 2 + 1:02d}": 1, f"p{(i // 2 + 1) % 12 + 1:02d}": 0.5}}
                    for i in range(24)],
        "priority_share": 0.05, "appointment_share": 0.06, "no_show_share": 0.03},
}


# The recorded city-center day's arrival profile (30600-63000 s, nine hours, counts per hour).
_CITY_HOURLY = [1.10, 1.24, 1.17, 0.87, 0.73, 1.00, 1.15, 0.99, 0.75]


def comprehensive(name: str, services: list[tuple[str, str, float, float]], windows: int,
                  load: float, *, prefix: str = "C", cv: float = 0.7,
                  hourly: list[float] | None = None, open_s: float = 30600,
                  close_s: float = 63000, priority_share: float = 0.05,
                  appointment_share: float = 0.06, no_show_share: float = 0.04) -> dict:
    """A comprehensive-window hall (综合窗口, 一窗受理) built the way the recorded city-center
    hall is: each window has one primary skill (weight 1) and one secondary (0.5); service i
    gets primary windows in proportion to its work (share × mean time, at least one, largest
    remainders), and its k-th window takes service i+k as secondary, so the secondaries of a
    busy service spread over the next ones and the skills chain across the whole hall. (This
    rule reproduces the city trace's 64 windows exactly from its primary counts.)
    `services` are (id, name, share, mean_service_s); `load` is the offered load over the
    opening hours (no-shows count 60 s), which sets `arrivals_per_day`."""
    n = len(services)
    work = [sh * m for _, _, sh, m in services]
    quota = [windows * w / sum(work) for w in work]
    count = [max(1, math.floor(q)) for q in quota]
    order = sorted(range(n), key=lambda i: (-(quota[i] - math.floor(quota[i])), i))
    k = 0
    while sum(count) < windows:
        count[order[k % n]] += 1
        k += 1
    if sum(count) != windows:
        raise ValueError("fewer windows than services")
    wins = chained_windows([sid for sid, *_ in services], count, prefix)
    per_arrival = sum(sh * ((1 - no_show_share) * m + no_show_share * 60)
                      for _, _, sh, m in services) / sum(sh for _, _, sh, _ in services)
    return {"name": name, "open_s": open_s, "close_s": close_s,
            "arrivals_per_day": round(load * windows * (close_s - open_s) / per_arrival),
            "hourly": list(hourly or _CITY_HOURLY),
            "services": [{"id": i, "name": nm, "share": sh, "mean_service_s": m, "cv": cv}
                         for i, nm, sh, m in services],
            "windows": wins, "priority_share": priority_share,
            "appointment_share": appointment_share, "no_show_share": no_show_share}


def chained_windows(service_ids: list[str], count: list[int], prefix: str = "C") -> list[dict]:
    """`count[i]` windows with primary `service_ids[i]`; the k-th of them takes service i+k
    (cyclically, never itself) as its 0.5 secondary: the city-center trace's skill chain."""
    n, wins = len(service_ids), []
    for i, sid in enumerate(service_ids):
        for j in range(1, count[i] + 1):
            sec = service_ids[(i + 1 + (j - 1) % (n - 1)) % n]
            wins.append({"id": f"{prefix}{len(wins) + 1:02d}", "skills": {sid: 1, sec: 0.5}})
    return wins


# Comprehensive-window halls modelled on the recorded city-center trace (structure above,
# its hourly profile, service times and priority/appointment/no-show shares), at three sizes,
# loads and service mixes. Fixed before they were first replayed; see docs/benchmarks.md.
HALLS.update({
    # a district-level 综合窗口 hall: citizen services, 24 windows, 85 % load
    "comprehensive-24": comprehensive("comprehensive-24", [
        ("soc", "社会保险", 0.20, 480), ("med", "医疗保障", 0.14, 420), ("hh", "户籍", 0.12, 480),
        ("hou", "住房公积金", 0.11, 540), ("tax", "税务", 0.10, 600),
        ("biz", "商事登记", 0.08, 900), ("est", "不动产登记", 0.07, 1200),
        ("civ", "民政", 0.08, 600), ("exit", "出入境", 0.06, 600), ("dis", "残联", 0.04, 600)],
        24, 0.85, prefix="A"),
    # a business and permits hall: 14 services, long permit work, 40 windows, 88 % load
    "comprehensive-40": comprehensive("comprehensive-40", [
        ("biz", "商事登记", 0.18, 900), ("tax", "税务", 0.14, 600), ("mkt", "市场监管", 0.08, 660),
        ("food", "食品经营", 0.08, 720), ("hyg", "卫生许可", 0.06, 900),
        ("build", "建设工程", 0.06, 1500), ("inv", "投资项目", 0.04, 1800),
        ("est", "不动产登记", 0.09, 1200), ("soc", "社会保险", 0.08, 480),
        ("hou", "住房公积金", 0.06, 540), ("ip", "知识产权", 0.04, 900),
        ("tran", "交通运输", 0.04, 720), ("tal", "人才服务", 0.03, 540),
        ("law", "司法公证", 0.02, 1080)],
        40, 0.88, prefix="B"),
    # the city center's 20 services with a citizen-heavy mix, 64 windows, 90 % load
    "comprehensive-64": comprehensive("comprehensive-64", [
        ("s01", "商事登记", 0.08, 900), ("s02", "税务", 0.08, 600), ("s03", "社会保险", 0.14, 480),
        ("s04", "医疗保障", 0.12, 420), ("s05", "住房公积金", 0.08, 540),
        ("s06", "不动产登记", 0.07, 1200), ("s07", "户籍", 0.08, 480), ("s08", "出入境", 0.06, 600),
        ("s09", "投资项目", 0.01, 1800), ("s10", "建设工程", 0.02, 1500),
        ("s11", "卫生许可", 0.02, 900), ("s12", "食品经营", 0.03, 720), ("s13", "民政", 0.05, 600),
        ("s14", "交通运输", 0.03, 720), ("s15", "人才服务", 0.03, 540),
        ("s16", "知识产权", 0.01, 900), ("s17", "公安交管", 0.04, 600),
        ("s18", "司法公证", 0.02, 1080), ("s19", "残联", 0.02, 600),
        ("s20", "市场监管", 0.01, 660)],
        64, 0.90),
})


def builtin_trace(name: str, seed: int = 1) -> dict:
    """One generated day of a built-in hall."""
    return generate(HALLS[name], seed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dispatcher.generate", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("hall", help=f"built-in hall ({', '.join(HALLS)}) or a description JSON")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.hall in HALLS:
        desc = HALLS[args.hall]
    else:
        with open(args.hall, encoding="utf-8") as f:
            desc = json.load(f)
        if "arrivals" in desc:  # a trace: resample a day like it
            desc = describe(desc)
    json.dump(generate(desc, args.seed), sys.stdout, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
