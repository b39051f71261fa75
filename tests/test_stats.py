"""Statistics on a scripted day agree exactly with what happened.

The day is played through the ticket lifecycle with each transaction's clock set by hand, so
every wait and service time is known to the second.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain import tickets
from queue_server.domain import window_state as win

DAY = "2026-03-02"
NEXT = "2026-03-03"
T0 = datetime(2026, 3, 2, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()  # local midnight


def at(h: int, m: int, s: int = 0, day: float = T0) -> float:
    return day + h * 3600 + m * 60 + s


class Script:
    """Runs lifecycle steps at chosen instants and remembers issued tickets by label."""

    def __init__(self, db):
        self.db, self.ids = db, {}

    def run(self, when: float, fn, actor: str = "system"):
        def _tx(tx):
            tx.now = when
            return fn(tx)
        return self.db.write(actor, _tx)

    def issue(self, label: str, service: str, when: float) -> None:
        row, _ = self.run(when, lambda tx: tickets.issue(tx, "demo", service, "kiosk"), "citizen")
        self.ids[label] = row["id"]

    def open(self, window: str, clerk: str, when: float) -> None:
        self.run(when, lambda tx: win.open_(tx, win.get(tx, window), clerk), clerk)

    def call(self, window: str, label: str, when: float) -> None:
        self.run(when, lambda tx: tickets.call(tx, win.get(tx, window), self.ids[label]))

    def act(self, window: str, fn, when: float, *args) -> None:
        self.run(when, lambda tx: fn(tx, win.get(tx, window), *args))

    def ticket(self, label: str):
        return self.db.one("SELECT * FROM tickets WHERE id = ?", (self.ids[label],))


def play_day(db) -> Script:
    s = Script(db)
    s.open("W01", "clerk01", at(8, 55))
    s.open("W13", "clerk02", at(8, 55))
    s.open("W11", "clerk03", at(8, 55))
    s.issue("A", "biz-setup", at(9, 0))
    s.issue("B", "hukou", at(9, 0, 30))
    s.issue("C", "hukou", at(9, 5))
    s.issue("D", "estate", at(9, 10))
    s.call("W13", "B", at(9, 1))             # B waited 30 s
    s.call("W01", "A", at(9, 2))             # A waited 120 s
    s.act("W01", tickets.start, at(9, 3))
    s.act("W13", tickets.finish, at(9, 6))   # B served from the call: 300 s
    s.call("W13", "C", at(9, 7))             # C waited 120 s
    s.act("W13", tickets.start, at(9, 8))
    s.act("W13", tickets.transfer, at(9, 10), "civil")  # C's first leg: 120 s at W13
    s.ids["C2"] = s.ticket("C")["transferred_to"]
    s.call("W13", "C2", at(9, 12))
    s.act("W13", tickets.start, at(9, 12))
    s.call("W11", "D", at(9, 15))            # D waited 300 s
    s.act("W11", tickets.start, at(9, 16))
    s.act("W01", tickets.finish, at(9, 20))  # A: 1020 s
    s.act("W13", tickets.finish, at(9, 30))  # C2: 1080 s
    s.issue("E", "hukou", at(10, 2))
    s.act("W11", tickets.finish, at(10, 5))  # D: 2940 s
    s.run(at(10, 10), lambda tx: tickets.cancel(tx, s.ticket("E")), "citizen")
    s.issue("F", "medical", at(10, 20))
    s.call("W01", "F", at(10, 30))           # F waited 600 s
    s.act("W01", tickets.no_show, at(10, 35))
    s.issue("G", "fund", at(11, 0))          # still waiting
    s.run(at(9, 40), lambda tx: tickets.rate(tx, s.ticket("A"), 5, None, None), "citizen")
    s.run(at(10, 30), lambda tx: tickets.rate(tx, s.ticket("D"), 2, "slow", None), "citizen")
    # The next day must not leak into this one.
    s.issue("X", "hukou", at(9, 0, day=T0 + 86400))
    return s


@pytest.fixture
def day(db):
    return play_day(db)


def by(rows: list[dict], key: str) -> dict:
    return {r[key]: r for r in rows}


def test_scripted_day_totals(day, mgr):
    r = mgr.get(f"/api/v1/halls/demo/stats?date={DAY}")
    assert r.status_code == 200, r.json
    s = r.json
    assert s["date"] == DAY
    assert (s["issued"], s["served"], s["no_show"], s["cancelled"], s["waiting"]) == (7, 4, 1, 1, 1)
    assert s["transferred"] == 1
    waits = [120, 30, 120, 300, 600]          # A, B, C, D, F (C2 is a transfer leg)
    assert s["mean_wait_s"] == round(sum(waits) / 5, 1)
    assert s["p90_wait_s"] == 600             # nearest rank: ceil(0.9 * 5) = 5th of 5
    assert s["mean_service_s"] == round((1020 + 300 + 2940 + 1080) / 4, 1)
    assert s["ratings"] == {"count": 2, "mean": 3.5,
                            "by_score": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}}


def test_scripted_day_by_service(day, mgr):
    svc = by(mgr.get(f"/api/v1/halls/demo/stats?date={DAY}").json["by_service"], "service")
    got = {k: (v["issued"], v["served"], v["mean_wait_s"]) for k, v in svc.items()
           if v["issued"] or v["served"]}
    assert got == {"biz-setup": (1, 1, 120.0), "hukou": (3, 1, 75.0), "estate": (1, 1, 300.0),
                   "civil": (0, 1, None), "medical": (1, 0, 600.0), "fund": (1, 0, None)}
    assert svc["medical"]["no_show"] == 1
    assert svc["hukou"]["cancelled"] == 1
    assert svc["estate"]["mean_service_s"] == 2940
    assert svc["civil"]["mean_service_s"] == 1080
    assert len(svc) == 14  # every active service appears (出件 too), idle ones with zeros


def test_scripted_day_by_window_clerk_hour(day, mgr):
    s = mgr.get(f"/api/v1/halls/demo/stats?date={DAY}").json
    w = by(s["by_window"], "window")
    assert (w["W01"]["served"], w["W01"]["busy_s"]) == (1, 1020)    # F was a no-show
    assert (w["W13"]["served"], w["W13"]["busy_s"]) == (2, 300 + 120 + 1080)
    assert (w["W11"]["served"], w["W11"]["busy_s"]) == (1, 2940)
    assert sum(x["served"] for x in s["by_window"]) == 4
    c = by(s["by_clerk"], "clerk")
    assert {k: v["served"] for k, v in c.items()} == {"clerk01": 1, "clerk02": 2, "clerk03": 1}
    assert c["clerk03"]["rating_mean"] == 2
    assert c["clerk01"]["rating_mean"] == 5
    h = {x["hour"]: (x["issued"], x["served"]) for x in s["by_hour"]}
    assert h[9] == (4, 3)
    assert h[10] == (2, 1)
    assert h[11] == (1, 0)
    assert sum(x[0] for x in h.values()) == 7
    assert sum(x[1] for x in h.values()) == 4
    assert min(h) == 9
    assert max(h) == 17


def test_range_and_by_day(day, mgr):
    s = mgr.get(f"/api/v1/halls/demo/stats?from={DAY}&to={NEXT}").json
    assert (s["from"], s["to"], s["issued"], s["waiting"]) == (DAY, NEXT, 8, 2)
    assert [(d["date"], d["issued"]) for d in s["by_day"]] == [(DAY, 7), (NEXT, 1)]
    assert mgr.get(f"/api/v1/halls/demo/stats?date={NEXT}").json["issued"] == 1


def test_empty_day_has_nulls_not_errors(mgr):
    s = mgr.get("/api/v1/halls/demo/stats?date=2020-01-01").json
    assert s["issued"] == 0
    assert s["mean_wait_s"] is None
    assert s["p90_wait_s"] is None


@pytest.mark.parametrize(("query", "status"), [
    ("date=2026-13-01", 400), ("date=yesterday", 400), ("date=2026-3-2", 400),
    ("from=2026-03-05&to=2026-03-01", 422), ("from=2020-01-01&to=2026-01-01", 422),
    ("date=2026-03-02&from=2026-03-01", 400), ("date=2026-03-02&format=pdf", 400),
])
def test_bad_input_is_a_4xx_in_the_error_shape(mgr, query, status):
    r = mgr.get(f"/api/v1/halls/demo/stats?{query}")
    assert r.status_code == status
    assert set(r.json["error"]) == {"code", "message"}


def test_unknown_hall_is_404(mgr):
    assert mgr.get("/api/v1/halls/nope/stats").status_code == 404
