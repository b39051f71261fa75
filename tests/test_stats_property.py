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


class Oracle:
    """Plays a script through the ticket lifecycle and counts what the stats must say."""

    def __init__(self, db, clock: float):
        self.db, self.clock = db, clock
        self.o = defaultdict(int)
        self.waits, self.service_times = [], []
        self.svc = defaultdict(lambda: defaultdict(list))
        self.wins = defaultdict(lambda: defaultdict(float))
        self.hours = defaultdict(lambda: defaultdict(int))

    def at(self, when, fn):
        def _tx(tx):
            tx.now = when
            return fn(tx)
        return self.db.write("system", _tx)

    def issue(self, t) -> tuple:
        self.clock += t["gap"]
        row = self.at(self.clock, lambda tx: tickets.issue(tx, "demo", t["service"], "kiosk")[0])
        self.o["issued"] += 1
        self.svc[t["service"]]["issued"].append(1)
        self.hours[hour(self.clock)]["issued"] += 1
        return t, row["id"], self.clock

    def play(self, t, tid, issued) -> None:
        w = t["window"]
        if t["fate"] in ("waiting", "cancelled"):
            if t["fate"] == "cancelled":
                self.clock += 1
                self.at(self.clock, lambda tx: tickets.cancel(
                    tx, tx.one("SELECT * FROM tickets WHERE id = ?", (tid,))))
            self.o[t["fate"]] += 1
            return
        self.clock = max(self.clock, issued) + t["wait"]
        self.at(self.clock, lambda tx: tickets.call(tx, win.get(tx, w), tid))
        self.waits.append(self.clock - issued)
        self.svc[t["service"]]["wait"].append(self.clock - issued)
        if t["fate"] == "no_show":
            self.clock += 30
            self.at(self.clock, lambda tx: tickets.no_show(tx, win.get(tx, w)))
            self.o["no_show"] += 1
            return
        served_service = t["service"]
        if t["fate"] == "transfer":
            self._transfer(t, w)
            served_service = t["to"]
        self._serve(w, served_service, t["service_s"])

    def _transfer(self, t, w) -> None:
        start = self.clock
        self.clock += t["service_s"]
        new = self.at(self.clock, lambda tx: tickets.transfer(tx, win.get(tx, w), t["to"]))
        self.wins[w]["busy"] += self.clock - start
        self.o["transferred"] += 1
        self.clock += 5
        self.at(self.clock, lambda tx: tickets.call(tx, win.get(tx, w), new["id"]))

    def _serve(self, w, service, service_s) -> None:
        start = self.clock
        self.clock += service_s
        self.at(self.clock, lambda tx: tickets.finish(tx, win.get(tx, w)))
        self.o["served"] += 1
        self.service_times.append(self.clock - start)
        self.svc[service]["served"].append(1)
        self.wins[w]["served"] += 1
        self.wins[w]["busy"] += self.clock - start
        self.hours[hour(self.clock)]["served"] += 1


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(script=st.lists(ticket_st, min_size=1, max_size=12))
def test_stats_match_an_oracle(hall_db, script):
    app, db = hall_db
    day0 = datetime(2025, 1, 1, tzinfo=TZ).timestamp() + next(_days) * 86400
    day = datetime.fromtimestamp(day0, TZ).date().isoformat()
    oracle = Oracle(db, day0 + 9 * 3600)
    rows = [oracle.issue(t) for t in script]  # everyone takes a ticket first
    for t, tid, issued in rows:
        oracle.play(t, tid, issued)
    o, waits, service_times = oracle.o, oracle.waits, oracle.service_times
    svc, wins, hours = oracle.svc, oracle.wins, oracle.hours

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
