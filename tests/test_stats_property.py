"""Property: for any scripted day, the statistics equal an oracle computed from the script
itself (not from the database)."""
from __future__ import annotations

import itertools
import math
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queue_server import create_app, demo, registry
from queue_server.domain import tickets
from queue_server.domain import window_state as win
from queue_server.manager import stats
from tests.helpers import PASSWORD

TZ = ZoneInfo("Asia/Shanghai")
SERVICES = ["hukou", "fund", "estate", "civil"]
WINDOWS = ["W10", "W12", "W13"]
_days = itertools.count()


@pytest.fixture(scope="module")
def hall_db(tmp_path_factory):
    app = create_app({"DB": str(tmp_path_factory.mktemp("prop") / "hallq.db"), "TESTING": True})
    db = registry.db(app)
    demo.seed(db, PASSWORD)
    for i, w in enumerate(WINDOWS):
        db.write("manager", lambda tx, w=w, i=i: win.open_(tx, win.get(tx, w), f"clerk0{i + 1}"))
    yield app, db
    db.close()


ticket_st = st.fixed_dictionaries({
    "service": st.sampled_from(SERVICES), "gap": st.integers(1, 900),
    "wait": st.integers(0, 1800), "service_s": st.integers(1, 1800),
    "fate": st.sampled_from(["waiting", "cancelled", "no_show", "done", "done", "transfer"]),
    "window": st.sampled_from(WINDOWS), "to": st.sampled_from(SERVICES),
})


def hour(ts: float) -> int:  # the oracle's own clock arithmetic, independent of stats.py
    return datetime.fromtimestamp(ts, TZ).hour


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(script=st.lists(ticket_st, min_size=1, max_size=12))
def test_stats_match_an_oracle(hall_db, script):
    app, db = hall_db
    day0 = datetime(2025, 1, 1, tzinfo=TZ).timestamp() + next(_days) * 86400
    day = datetime.fromtimestamp(day0, TZ).date().isoformat()

    def at(when, fn):
        def _tx(tx):
            tx.now = when
            return fn(tx)
        return db.write("system", _tx)

    o = defaultdict(int)
    waits, service_times = [], []
    svc = defaultdict(lambda: defaultdict(list))
    wins = defaultdict(lambda: defaultdict(float))
    hours = defaultdict(lambda: defaultdict(int))
    clock = day0 + 9 * 3600
    rows = []
    for t in script:  # everyone takes a ticket first
        clock += t["gap"]
        row = at(clock, lambda tx, t=t: tickets.issue(tx, "demo", t["service"], "kiosk")[0])
        rows.append((t, row["id"], clock))
        o["issued"] += 1
        svc[t["service"]]["issued"].append(1)
        hours[hour(clock)]["issued"] += 1
    for t, tid, issued in rows:
        w = t["window"]
        if t["fate"] == "waiting":
            o["waiting"] += 1
            continue
        if t["fate"] == "cancelled":
            clock += 1
            at(clock, lambda tx, tid=tid: tickets.cancel(
                tx, tx.one("SELECT * FROM tickets WHERE id = ?", (tid,))))
            o["cancelled"] += 1
            continue
        clock = max(clock, issued) + t["wait"]
        at(clock, lambda tx, tid=tid, w=w: tickets.call(tx, win.get(tx, w), tid))
        waits.append(clock - issued)
        svc[t["service"]]["wait"].append(clock - issued)
        if t["fate"] == "no_show":
            clock += 30
            at(clock, lambda tx, w=w: tickets.no_show(tx, win.get(tx, w)))
            o["no_show"] += 1
            continue
        start = clock
        clock += t["service_s"]
        served_service = t["service"]
        if t["fate"] == "transfer":
            new = at(clock, lambda tx, w=w, to=t["to"]: tickets.transfer(tx, win.get(tx, w), to))
            wins[w]["busy"] += clock - start
            o["transferred"] += 1
            clock += 5
            at(clock, lambda tx, nid=new["id"], w=w: tickets.call(tx, win.get(tx, w), nid))
            start = clock
            clock += t["service_s"]
            served_service = t["to"]
        at(clock, lambda tx, w=w: tickets.finish(tx, win.get(tx, w)))
        o["served"] += 1
        service_times.append(clock - start)
        svc[served_service]["served"].append(1)
        wins[w]["served"] += 1
        wins[w]["busy"] += clock - start
        hours[hour(clock)]["served"] += 1

    with app.app_context():
        s = stats.compute(db.conn(), "demo", day)
    for k in ("issued", "served", "no_show", "cancelled", "waiting", "transferred"):
        assert s[k] == o[k], k

    def mean(xs):
        return round(sum(xs) / len(xs), 1) if xs else None

    assert s["mean_wait_s"] == mean(waits)
    assert s["p90_wait_s"] == (sorted(waits)[math.ceil(0.9 * len(waits)) - 1] if waits else None)
    assert s["mean_service_s"] == mean(service_times)
    for row in s["by_service"]:
        v = svc.get(row["service"], {})
        assert (row["issued"], row["served"], row["mean_wait_s"]) == (
            len(v.get("issued", [])), len(v.get("served", [])), mean(v.get("wait", [])))
    for row in s["by_window"]:
        v = wins.get(row["window"], {})
        assert (row["served"], row["busy_s"]) == (v.get("served", 0), v.get("busy", 0.0))
    got_hours = {r["hour"]: (r["issued"], r["served"]) for r in s["by_hour"] if
                 r["issued"] or r["served"]}
    assert got_hours == {h: (v["issued"], v["served"]) for h, v in hours.items()
                         if v["issued"] or v["served"]}
