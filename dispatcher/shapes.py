"""A family of hall shapes the dispatcher was not designed on, for judging it out of sample.

The built-in halls of `generate.HALLS` are the ones every weight of `rules.py` was looked at
on. These are other shapes, with other skill graphs and mixes: county halls (a few all-round
windows beside dedicated ones; a random sparse graph), street centres (every window takes
most services), permit centres (blocks of windows sharing services; windows with two
primaries), a ring with two secondaries per window, and chained comprehensive halls built by
`generate.comprehensive` with new service mixes and sizes.

They are split once, before any of them was replayed:
- `TUNING`: may be looked at while designing a rule or a threshold (`bench/bench_unseen.py
  --explore`);
- `HELD_OUT`: kept out of every design decision; only judged (but see `FRESH`);
- `FRESH`: three more, defined after `HELD_OUT` had been judged once, never replayed before
  the final judging.
Judging always uses days after the ones a safeguard learned from (`HISTORY_SEEDS` for the
hall's own history, `JUDGE_SEEDS` for the days judged).
"""
from __future__ import annotations

import random

from .generate import comprehensive

# "the hall's recent days" (four weeks of working days): what a nightly replay may learn from
HISTORY_SEEDS = range(1, 21)
JUDGE_SEEDS = range(101, 131)  # the 30 later days every figure is judged on

_COUNTY_HOURLY = [1.4, 1.5, 1.2, 0.8, 0.5, 0.8, 1.0, 0.8, 0.5]  # early rush, quiet afternoon
_FLAT_HOURLY = [0.9, 1.1, 1.1, 0.8, 0.6, 1.0, 1.1, 1.1, 0.9]
_LATE_HOURLY = [0.7, 0.9, 1.0, 0.8, 0.7, 1.1, 1.3, 1.3, 1.0]  # afternoon-heavy


def _svc(rows: list[tuple[str, float, float]], cv: float = 0.6) -> list[dict]:
    return [{"id": i, "name": i, "share": sh, "mean_service_s": m, "cv": cv}
            for i, sh, m in rows]


def _arrivals(services: list[dict], windows: int, load: float, open_s: float, close_s: float,
              no_show: float) -> int:
    """Arrivals per day that offer `load` of the hall's window time (no-shows count 60 s)."""
    per = sum(s["share"] * ((1 - no_show) * s["mean_service_s"] + no_show * 60)
              for s in services) / sum(s["share"] for s in services)
    return round(load * windows * (close_s - open_s) / per)


def _hall(name: str, services: list[dict], windows: list[dict], load: float,
          hourly: list[float], priority: float, appointment: float, no_show: float = 0.04,
          open_s: float = 30600, close_s: float = 63000) -> dict:
    return {"name": name, "open_s": open_s, "close_s": close_s,
            "arrivals_per_day": _arrivals(services, len(windows), load, open_s, close_s,
                                          no_show),
            "hourly": hourly, "services": services, "windows": windows,
            "priority_share": priority, "appointment_share": appointment,
            "no_show_share": no_show}


def county_star() -> dict:
    """A county hall: 7 dedicated windows and 3 all-round ones (primary + 0.5 on five more
    services), elderly-heavy, an early rush and a quiet afternoon, ~68 % load."""
    sv = _svc([("soc", 0.22, 420), ("med", 0.16, 360), ("agr", 0.14, 480), ("hh", 0.12, 420),
               ("civ", 0.10, 600), ("land", 0.08, 900), ("tax", 0.10, 540),
               ("dis", 0.08, 600)])
    ded = ["soc", "soc", "med", "agr", "hh", "tax", "land"]
    wins = [{"id": f"K{i + 1:02d}", "skills": {s: 1}} for i, s in enumerate(ded)]
    wins += [{"id": "K08", "skills": {"civ": 1, "soc": 0.5, "med": 0.5, "hh": 0.5,
                                      "dis": 0.5, "agr": 0.5}},
             {"id": "K09", "skills": {"dis": 1, "civ": 0.5, "soc": 0.5, "med": 0.5,
                                      "land": 0.5, "tax": 0.5}},
             {"id": "K10", "skills": {"med": 1, "agr": 0.5, "hh": 0.5, "tax": 0.5,
                                      "civ": 0.5, "soc": 0.5}}]
    return _hall("county-star", sv, wins, 0.68, _COUNTY_HOURLY, 0.12, 0.03, 0.05)


def county_sparse(seed: int = 7) -> dict:
    """A county hall with a random sparse skill graph: 8 windows, 8 services, each window one
    primary and 1-3 secondaries drawn at random (seeded), every service with a primary window,
    afternoon-heavy, ~74 % load."""
    rng = random.Random(seed)
    ids = [f"c{i}" for i in range(8)]
    sv = _svc([(s, sh, m) for s, (sh, m) in zip(ids, [
        (0.24, 360), (0.18, 420), (0.14, 480), (0.12, 540), (0.10, 600), (0.09, 720),
        (0.08, 480), (0.05, 900)], strict=True)], cv=0.7)
    wins = []
    for i in range(8):
        prim = ids[i]
        others = rng.sample([s for s in ids if s != prim], rng.randint(1, 3))
        wins.append({"id": f"R{i + 1}", "skills": {prim: 1, **{s: 0.5 for s in others}}})
    return _hall("county-sparse", sv, wins, 0.74, _LATE_HOURLY, 0.10, 0.04, 0.05)


def street_dense() -> dict:
    """A street centre: 6 windows, 6 services, every window two primaries and the other four
    at 0.5 (nearly full pooling), many elderly citizens, ~75 % load."""
    ids = ["soc", "med", "civ", "hh", "old", "job"]
    sv = _svc([("soc", 0.26, 420), ("med", 0.20, 300), ("civ", 0.16, 540), ("hh", 0.14, 420),
               ("old", 0.14, 600), ("job", 0.10, 480)])
    wins = []
    for i in range(6):
        prim = {ids[i], ids[(i + 1) % 6]}
        wins.append({"id": f"S{i + 1}", "skills": {s: (1 if s in prim else 0.5) for s in ids}})
    return _hall("street-dense", sv, wins, 0.75, _FLAT_HOURLY, 0.15, 0.05, 0.04)


def permit_blocks() -> dict:
    """A permit centre: 30 windows in 5 blocks of 6; each block has two long permit services
    as primaries and the next block's first service as 0.5 secondary, ~86 % load."""
    rows = [("q01", 0.14, 900), ("q02", 0.08, 1200), ("q03", 0.12, 720), ("q04", 0.09, 1500),
            ("q05", 0.13, 600), ("q06", 0.08, 1080), ("q07", 0.11, 840), ("q08", 0.08, 960),
            ("q09", 0.10, 660), ("q10", 0.07, 1800)]
    sv = _svc(rows, cv=0.8)
    ids = [r[0] for r in rows]
    wins = []
    for b in range(5):
        a, c, nxt = ids[2 * b], ids[2 * b + 1], ids[(2 * b + 2) % 10]
        for _ in range(6):
            wins.append({"id": f"Q{len(wins) + 1:02d}", "skills": {a: 1, c: 1, nxt: 0.5}})
    return _hall("permit-blocks", sv, wins, 0.86, _FLAT_HOURLY, 0.04, 0.10, 0.03)


def permit_pairs() -> dict:
    """A permit centre: 20 windows, 8 very variable long services, each window primary for two
    neighbouring services (i, i+1), no secondaries, ~78 % load, afternoon-heavy."""
    rows = [("v1", 0.20, 720), ("v2", 0.16, 900), ("v3", 0.14, 1080), ("v4", 0.12, 600),
            ("v5", 0.12, 1200), ("v6", 0.10, 840), ("v7", 0.09, 1500), ("v8", 0.07, 960)]
    sv = _svc(rows, cv=0.9)
    ids = [r[0] for r in rows]
    work = [sh * m for _, sh, m in rows]
    # windows per pair (i, i+1) roughly in proportion to the pair's work, 20 in all
    pair_w = [work[i] + work[(i + 1) % 8] for i in range(8)]
    count = [max(1, round(20 * w / sum(pair_w))) for w in pair_w]
    while sum(count) > 20:
        count[count.index(max(count))] -= 1
    while sum(count) < 20:
        count[count.index(min(count))] += 1
    wins = []
    for i, n in enumerate(count):
        for _ in range(n):
            wins.append({"id": f"V{len(wins) + 1:02d}",
                         "skills": {ids[i]: 1, ids[(i + 1) % 8]: 1}})
    return _hall("permit-pairs", sv, wins, 0.78, _LATE_HOURLY, 0.04, 0.08, 0.03)


def district_ring() -> dict:
    """A district hall: 16 windows, 10 services, window k primary for service k mod 10 and
    0.5 for the next two (a ring), ~80 % load, morning peak."""
    rows = [("d0", 0.18, 420), ("d1", 0.14, 360), ("d2", 0.12, 480), ("d3", 0.10, 600),
            ("d4", 0.10, 540), ("d5", 0.08, 900), ("d6", 0.08, 480), ("d7", 0.07, 600),
            ("d8", 0.07, 720), ("d9", 0.06, 1200)]
    sv = _svc(rows)
    ids = [r[0] for r in rows]
    wins = []
    for k in range(16):
        i = k % 10
        wins.append({"id": f"G{k + 1:02d}",
                     "skills": {ids[i]: 1, ids[(i + 1) % 10]: 0.5, ids[(i + 2) % 10]: 0.5}})
    return _hall("district-ring", sv, wins, 0.80, [1.3, 1.5, 1.2, 0.8, 0.5, 0.9, 1.2, 1.0, 0.6],
                 0.07, 0.05)


def comprehensive_32() -> dict:
    """A chained comprehensive hall (综合窗口): 32 windows, 12 citizen and business services,
    flat day with a lunch dip, 84 % load."""
    return comprehensive("comprehensive-32", [
        ("soc", "社会保险", 0.16, 480), ("med", "医疗保障", 0.12, 420), ("hh", "户籍", 0.10, 480),
        ("hou", "住房公积金", 0.09, 540), ("tax", "税务", 0.11, 600),
        ("biz", "商事登记", 0.10, 900), ("est", "不动产登记", 0.08, 1200),
        ("civ", "民政", 0.06, 600), ("exit", "出入境", 0.06, 600), ("mkt", "市场监管", 0.05, 660),
        ("food", "食品经营", 0.04, 720), ("law", "司法公证", 0.03, 1080)],
        32, 0.84, prefix="M", hourly=_FLAT_HOURLY)


def comprehensive_48() -> dict:
    """A chained comprehensive hall: 48 windows, 16 services (business-heavy mix), morning
    peak, 82 % load."""
    return comprehensive("comprehensive-48", [
        ("biz", "商事登记", 0.14, 900), ("tax", "税务", 0.12, 600), ("soc", "社会保险", 0.10, 480),
        ("med", "医疗保障", 0.08, 420), ("est", "不动产登记", 0.08, 1200),
        ("hou", "住房公积金", 0.07, 540), ("mkt", "市场监管", 0.06, 660),
        ("food", "食品经营", 0.05, 720), ("build", "建设工程", 0.04, 1500),
        ("hyg", "卫生许可", 0.04, 900), ("hh", "户籍", 0.06, 480), ("exit", "出入境", 0.04, 600),
        ("tran", "交通运输", 0.03, 720), ("ip", "知识产权", 0.03, 900),
        ("tal", "人才服务", 0.03, 540), ("inv", "投资项目", 0.03, 1800)],
        48, 0.82, prefix="N", hourly=[1.3, 1.5, 1.3, 0.9, 0.6, 0.9, 1.0, 0.9, 0.6])


def county_hub() -> dict:
    """A county hall with two hub windows (primary for two services each, 0.5 for all the
    others) and seven spoke windows (one primary, one 0.5 neighbour), ~75 % load."""
    rows = [("h0", 0.22, 420), ("h1", 0.18, 480), ("h2", 0.15, 360), ("h3", 0.13, 600),
            ("h4", 0.12, 540), ("h5", 0.11, 720), ("h6", 0.09, 900)]
    sv = _svc(rows)
    ids = [r[0] for r in rows]
    wins = [{"id": f"H{i + 1}", "skills": {ids[i % 7]: 1, ids[(i + 1) % 7]: 0.5}}
            for i in range(7)]
    for j, (a, b) in enumerate([("h0", "h3"), ("h1", "h5")]):
        wins.append({"id": f"HUB{j + 1}",
                     "skills": {s: (1 if s in (a, b) else 0.5) for s in ids}})
    return _hall("county-hub", sv, wins, 0.75, _COUNTY_HOURLY, 0.11, 0.04, 0.05)


def street_two_tier() -> dict:
    """A street centre: 5 windows, 8 short services; two all-round windows (every service at
    1) and three with two primaries each, ~72 % load."""
    rows = [("e0", 0.20, 300), ("e1", 0.18, 360), ("e2", 0.14, 420), ("e3", 0.12, 300),
            ("e4", 0.11, 480), ("e5", 0.10, 540), ("e6", 0.08, 360), ("e7", 0.07, 600)]
    sv = _svc(rows, cv=0.7)
    ids = [r[0] for r in rows]
    wins = [{"id": f"E{i + 1}", "skills": {s: 1 for s in ids}} for i in range(2)]
    wins += [{"id": f"E{i + 3}", "skills": {ids[2 * i]: 1, ids[2 * i + 1]: 1}}
             for i in range(3)]
    return _hall("street-two-tier", sv, wins, 0.72, _FLAT_HOURLY, 0.14, 0.03, 0.05)


def comprehensive_56() -> dict:
    """A chained comprehensive hall: 56 windows, 18 services (citizen and business),
    afternoon-heavy, 85 % load."""
    return comprehensive("comprehensive-56", [
        ("soc", "社会保险", 0.12, 480), ("med", "医疗保障", 0.10, 420), ("hh", "户籍", 0.08, 480),
        ("biz", "商事登记", 0.09, 900), ("tax", "税务", 0.09, 600),
        ("hou", "住房公积金", 0.07, 540), ("est", "不动产登记", 0.07, 1200),
        ("exit", "出入境", 0.05, 600), ("civ", "民政", 0.05, 600),
        ("mkt", "市场监管", 0.04, 660), ("food", "食品经营", 0.04, 720),
        ("tran", "交通运输", 0.04, 720), ("tal", "人才服务", 0.03, 540),
        ("law", "司法公证", 0.03, 1080), ("dis", "残联", 0.03, 600),
        ("build", "建设工程", 0.03, 1500), ("ip", "知识产权", 0.02, 900),
        ("traf", "公安交管", 0.02, 600)],
        56, 0.85, prefix="P", hourly=_LATE_HOURLY)


# Split fixed before any shape was replayed (module doc).
TUNING: dict[str, dict] = {h["name"]: h for h in (
    county_star(), street_dense(), permit_blocks(), comprehensive_32())}
HELD_OUT: dict[str, dict] = {h["name"]: h for h in (
    county_sparse(), district_ring(), permit_pairs(), comprehensive_48())}
# Added after HELD_OUT had been judged once (round 1, docs/benchmarks.md) and the safeguard was
# then revised on the TUNING shapes and the built-in halls: these three were never replayed
# before the final judging, so they are the untouched test of the revised rule.
FRESH: dict[str, dict] = {h["name"]: h for h in (
    county_hub(), street_two_tier(), comprehensive_56())}
SHAPES: dict[str, dict] = {**TUNING, **HELD_OUT, **FRESH}
CHAINED = ("comprehensive-32", "comprehensive-48", "comprehensive-56")  # chained comprehensive
