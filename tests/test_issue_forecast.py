"""An issue answers with one ticket's forecast (planner.predict_one): exactly what the whole
hall's forecast (planner.predictions) says for it, at the same moment, also for a ticket no
open window can serve."""
from __future__ import annotations

from queue_server.domain import clock, planner

H = "/api/v1/halls/demo"


def _staff(app, *windows: str) -> None:
    """Each window opened by its own clerk (a window nobody staffs is in no forecast)."""
    for w in windows:
        c = app.test_client()
        assert c.post("/api/v1/auth/login", json={"username": f"clerk{w[1:]}",
                                                  "password": PASSWORD}).status_code == 200
        assert c.post(f"/api/v1/windows/{w}/open").status_code == 200


def test_one_tickets_forecast_is_the_halls(app, client, auth, db):
    _staff(app, "W01", "W05", "W09")
    services = ["hukou", "fund", "civil", "medical", "social-ins", "tax-invoice"]
    for i in range(40):
        r = client.post(f"{H}/tickets", json={"service": services[i % 6],
                                              "priority": 1 if i % 7 == 0 else 0})
        assert r.status_code == 201
    now = clock.now() + 120
    conn = db.conn()
    full = planner.predictions(conn, "demo", now)
    assert any(v["eta_s"] is None for v in full.values())  # some service has no open window
    assert any(v["eta_s"] is not None for v in full.values())
    for tid, guess in full.items():
        assert planner.predict_one(conn, "demo", tid, now) == {tid: guess}


# --- the kept inputs (domain/forecast_cache.py) against a forecast from scratch ---------------

import shutil  # noqa: E402
import sqlite3  # noqa: E402
from types import SimpleNamespace  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dispatcher import eta  # noqa: E402
from queue_server import create_app, registry  # noqa: E402
from queue_server.domain import forecast_cache, read_models  # noqa: E402
from queue_server.store.db import connect  # noqa: E402
from tests.helpers import PASSWORD  # noqa: E402

SERVICES = ["hukou", "fund", "civil", "medical", "social-ins", "tax-invoice", "estate",
            "biz-setup"]
WINDOWS = [f"W{i:02d}" for i in range(1, 13)]

OPS = st.one_of(
    st.tuples(st.just("issue"), st.sampled_from(SERVICES), st.sampled_from([0, 0, 0, 1])),
    st.tuples(st.just("cancel"), st.integers(0, 10_000)),
    st.tuples(st.just("call"), st.sampled_from(WINDOWS)),
    st.tuples(st.just("finish"), st.sampled_from(WINDOWS)),
    st.tuples(st.just("no-show"), st.sampled_from(WINDOWS)),
    st.tuples(st.sampled_from(["open", "pause", "close"]), st.sampled_from(WINDOWS)),
    st.tuples(st.just("skills"), st.sampled_from(WINDOWS), st.sampled_from(SERVICES),
              st.sampled_from([0.5, 1.0])),
    st.tuples(st.just("hold"), st.sampled_from(WINDOWS), st.sampled_from(["keep", "release",
                                                                         "wait"])),
    st.tuples(st.just("unhold"), st.sampled_from(WINDOWS)),
    # another process writing the same file, behind this one's back
    st.tuples(st.just("other-cancel"), st.integers(0, 10_000)),
    st.tuples(st.just("other-mean"), st.sampled_from(SERVICES), st.sampled_from([120, 900])),
    st.tuples(st.just("other-issue"), st.sampled_from(SERVICES)),
    # a leftover of another day, still 'waiting' (rollover ends those): never in today's line
    st.tuples(st.just("other-old"), st.sampled_from(SERVICES)),
)


def _fresh_app(folder, template):
    for suffix in ("", ".secret", ".idkey"):
        shutil.copy(f"{template}{suffix}", folder / f"hallq.db{suffix}")
    return create_app({"DB": str(folder / "hallq.db"), "TESTING": True,
                       "RATE_ADDRESS_PER_MIN": 0})


def _waiting(conn) -> list[sqlite3.Row]:
    return conn.execute("SELECT id, token_hash FROM tickets WHERE hall = 'demo'"
                        " AND status = 'waiting' ORDER BY id").fetchall()


def _check_kept_inputs(conn, cache, now: float) -> None:
    """The kept inputs are what a fresh snapshot parses to (for the plan of a call too: with
    one window offered), every waiting ticket's answer is the whole hall's forecast for it
    (planner.predictions, from scratch), and a call-next would choose the same ticket."""
    assert cache.inputs(conn, "demo", now) == planner.parsed(
        planner.snapshot(conn, "demo", now, forecast=True))
    for only in (None, "W03"):
        snap = planner.snapshot(conn, "demo", now, only_free=only)
        assert cache.snapshot(conn, "demo", now, only) == (snap, planner.parsed(snap))
    full = planner.predictions(conn, "demo", now)
    assert planner.predictions(conn, "demo", now, source=cache) == full
    for tid, guess in full.items():
        assert planner.predict_one(conn, "demo", tid, now, source=cache) == {tid: guess}
    scratch = planner.snapshot(conn, "demo", now, forecast=True)
    new = planner.predict_new(conn, "demo", SERVICES, now, source=cache)
    for s in SERVICES:
        want = eta.predict_new(scratch, s, 0)
        if want["eta_s"] is None:
            want = {**want, "position": sum(t["service"] == s for t in scratch["tickets"])}
        assert new[s] == want
    for w in ("W01", "W05"):
        assert planner.choose_for(conn, "demo", w, now, source=cache) == planner.choose_for(
            conn, "demo", w, now)


@settings(max_examples=30, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(opened=st.sets(st.sampled_from(WINDOWS), min_size=0, max_size=6),
       queue=st.lists(st.tuples(st.sampled_from(SERVICES), st.sampled_from([0, 0, 1])),
                      max_size=25),
       ops=st.lists(st.tuples(OPS, st.floats(0, 2400)), min_size=1, max_size=25))
def test_kept_forecast_is_the_full_one(tmp_path_factory, demo_template, monkeypatch,
                                       opened, queue, ops):
    """Random halls (open windows, a queue with priority tickets) under random sequences of
    issues, cancels, calls, finishes, no-shows, window and skills changes, and writes by
    another process: every issue's answer over HTTP, and every waiting ticket's answer from
    the kept inputs, equals the full forecast at the same instant."""
    app = _fresh_app(tmp_path_factory.mktemp("kept"), demo_template)
    clock_now = SimpleNamespace(t=clock.now())
    monkeypatch.setattr(planner, "time", SimpleNamespace(time=lambda: clock_now.t))
    staff, citizen = app.test_client(), app.test_client()
    assert staff.post("/api/v1/auth/login", json={"username": "manager",
                                                  "password": PASSWORD}).status_code == 200
    _staff(app, *sorted(opened))  # by their clerks; the manager's "open" steps add unstaffed
    # a connection of the test's own: one taken from the app's pool would go back to it at
    # the next request's teardown, and the publisher's thread could then use it meanwhile
    served = connect(app.config["DB"])
    tokens: dict[int, str] = {}
    for service, priority in queue:
        r = citizen.post(f"{H}/tickets", json={"service": service, "priority": priority})
        if r.status_code == 201:
            tokens[r.json["ticket"]["id"]] = r.json["token"]
    cache = forecast_cache.of(registry.db(app))
    driver = Driver(staff, citizen, served, sqlite3.connect(app.config["DB"],
                                                            isolation_level=None), tokens)
    try:
        for op, later in ops:
            clock_now.t = clock.now() + later
            getattr(driver, op[0].replace("-", "_"))(op, clock_now.t)
            _check_kept_inputs(served, cache, clock_now.t)
        _check_kept_inputs(served, cache, clock_now.t + 86400)  # tomorrow: nothing kept
    finally:
        driver.other.close()
        served.close()
        registry.db(app).close()


class Driver:
    """One method per kind of random step; ``other`` writes as another process would."""

    def __init__(self, staff, citizen, served, other, tokens: dict[int, str]):
        self.staff, self.citizen, self.served = staff, citizen, served
        self.other, self.tokens = other, tokens

    def issue(self, op, now: float) -> None:
        r = self.citizen.post(f"{H}/tickets", json={"service": op[1], "priority": op[2]})
        if r.status_code != 201:  # refused when no window takes the service at all
            return
        t = r.json["ticket"]
        self.tokens[t["id"]] = r.json["token"]
        full = planner.predictions(self.served, "demo", now)[t["id"]]
        assert t["position"] == int(full["position"])
        assert t["eta_s"] == (None if full["eta_s"] is None else int(round(full["eta_s"])))

    def cancel(self, op, now: float) -> None:
        waiting = [r["id"] for r in _waiting(self.served) if r["id"] in self.tokens]
        if waiting:
            tid = waiting[op[1] % len(waiting)]
            assert self.citizen.delete(f"/api/v1/tickets/{self.tokens[tid]}").status_code == 200

    def window(self, op, now: float) -> None:
        verb = "call-next" if op[0] == "call" else op[0]
        self.staff.post(f"/api/v1/windows/{op[1]}/{verb}")

    call = finish = no_show = open = pause = close = window

    def hold(self, op, now: float) -> None:
        self.staff.post(f"/api/v1/windows/{op[1]}/hold", json={"kind": op[2]})

    def unhold(self, op, now: float) -> None:
        held = self.served.execute("SELECT id FROM tickets WHERE status = 'held' AND window = ?"
                                   " ORDER BY id LIMIT 1", (op[1],)).fetchone()
        if held is not None:  # back in line, in its place
            self.staff.post(f"/api/v1/windows/{op[1]}/unhold", json={"ticket": held["id"]})

    def skills(self, op, now: float) -> None:
        cur = dict(self.served.execute("SELECT service, weight FROM skills WHERE window = ?",
                                       (op[1],)).fetchall())
        cur[op[2]] = op[3]
        self.staff.put(f"/api/v1/windows/{op[1]}/skills", json={"skills": cur})

    def other_cancel(self, op, now: float) -> None:
        waiting = _waiting(self.served)
        if waiting:
            self.other.execute("UPDATE tickets SET status = 'cancelled' WHERE id = ?",
                               (waiting[op[1] % len(waiting)]["id"],))

    def other_mean(self, op, now: float) -> None:
        self.other.execute("UPDATE services SET mean_service_s = ? WHERE id = ?",
                           (op[2], op[1]))

    def other_issue(self, op, now: float) -> None:
        wall = clock.now()
        self.other.execute(
            "INSERT INTO tickets (hall, day, number, service, status, priority,"
            " issued_at, order_at) VALUES ('demo', ?, 'Z' || abs(random() % 1000), ?,"
            " 'waiting', 0, ?, ?)",
            (clock.day_of(wall, read_models.tz_of(self.served, "demo")), op[1], wall, wall))

    def other_old(self, op, now: float) -> None:
        self.other.execute(
            "INSERT INTO tickets (hall, day, number, service, status, priority, issued_at,"
            " order_at) VALUES ('demo', '2000-01-01', 'Y1', ?, 'waiting', 0, 1, 1)", (op[1],))


def test_a_busy_hall_never_reads_its_queue_again(app, mgr, db, monkeypatch):
    """At a steady state (issues, cancels, calls, finishes) no request reads the whole queue
    again: each reader patches in the tickets changed since the kept label. A ticket deleted
    behind the process's back (which a delta cannot show) makes the next reader read all."""
    _staff(app, "W05", "W07", "W09")
    citizen = app.test_client()
    for i in range(12):
        assert citizen.post(f"{H}/tickets", json={"service": SERVICES[1 + i % 4]}).status_code \
            == 201
    reads = []
    real = forecast_cache.ForecastCache._read
    monkeypatch.setattr(forecast_cache.ForecastCache, "_read",
                        staticmethod(lambda *a: reads.append(1) or real(*a)))
    for i in range(6):
        r = citizen.post(f"{H}/tickets", json={"service": SERVICES[1 + i % 4]})
        assert r.status_code == 201
        assert citizen.delete(f"/api/v1/tickets/{r.json['token']}").status_code == 200
        assert mgr.post("/api/v1/windows/W07/call-next").json["ticket"] is not None
        assert mgr.post("/api/v1/windows/W07/finish").status_code == 200
    assert reads == []
    conn = db.conn()
    now = clock.now()
    assert forecast_cache.of(db).inputs(conn, "demo", now) == planner.parsed(
        planner.snapshot(conn, "demo", now, forecast=True))
    other = sqlite3.connect(app.config["DB"], isolation_level=None)
    gone = other.execute("SELECT MAX(id) FROM tickets WHERE status = 'waiting'").fetchone()[0]
    other.execute("DELETE FROM tickets WHERE id = ?", (gone,))
    other.close()
    assert forecast_cache.of(db).inputs(conn, "demo", now) == planner.parsed(
        planner.snapshot(conn, "demo", now, forecast=True))
    assert reads == [1]
    assert gone not in {t.id for t in forecast_cache.of(db).inputs(conn, "demo", now).tickets}


def test_the_counter_moves_with_every_forecast_input(db):
    """The triggers (migration m007): each kind of change to what the forecast reads bumps
    the hall's counter in its own transaction; a ticket's root (set by every issue) does not."""
    conn = db.conn()
    v = [forecast_cache.version(conn, "demo")]

    def bumped(sql: str, args: tuple = ()) -> bool:
        conn.execute(sql, args)
        v.append(forecast_cache.version(conn, "demo"))
        return v[-1] > v[-2]

    assert bumped("UPDATE services SET mean_service_s = 123 WHERE id = 'fund'")
    assert bumped("UPDATE skills SET weight = 0.5 WHERE window = 'W09' AND service = 'fund'")
    assert bumped("UPDATE windows SET idle_since = 1 WHERE id = 'W01'")
    assert bumped("UPDATE halls SET tz = 'Asia/Urumqi' WHERE id = 'demo'")
    assert bumped("INSERT INTO tickets (hall, day, number, service, status, priority,"
                  " issued_at, order_at) VALUES ('demo', '2030-01-01', 'X1', 'fund',"
                  " 'waiting', 0, 1, 1)")
    tid = conn.execute("SELECT MAX(id) FROM tickets").fetchone()[0]
    assert not bumped("UPDATE tickets SET root = id WHERE id = ?", (tid,))
    assert bumped("UPDATE tickets SET status = 'cancelled' WHERE id = ?", (tid,))
    assert bumped("DELETE FROM tickets WHERE id = ?", (tid,))
    assert not bumped("UPDATE halls SET live_seq = live_seq + 1 WHERE id = 'demo'")


def test_a_window_nobody_staffs_is_not_counted_in_waits(app, mgr, db):
    """A manager opening a window for a clerk who has not come does not shorten anyone's
    predicted wait; once a clerk signs in there (or it runs in auto mode) it counts. Whoever
    presses "call" there is still served."""
    citizen = app.test_client()
    assert mgr.post("/api/v1/windows/W12/open").status_code == 200  # estate only
    r = citizen.post(f"{H}/tickets", json={"service": "estate"})
    assert r.status_code == 201
    assert r.json["ticket"]["eta_s"] is None  # nobody at W12 (W10, W11 closed)
    listed = {s["id"]: s for s in citizen.get(f"{H}/services").json["services"]}
    assert listed["estate"]["eta_s"] is None
    clerk = app.test_client()
    assert clerk.post("/api/v1/auth/login", json={"username": "clerk12",
                                                  "password": PASSWORD}).status_code == 200
    assert mgr.post("/api/v1/windows/W12/close").status_code == 200
    assert clerk.post("/api/v1/windows/W12/open").status_code == 200
    token = r.json["token"]
    assert citizen.get(f"/api/v1/tickets/{token}").json["ticket"]["eta_s"] is not None
    assert clerk.post("/api/v1/windows/W12/close").status_code == 200
    assert mgr.post("/api/v1/windows/W12/open").status_code == 200
    assert citizen.get(f"/api/v1/tickets/{token}").json["ticket"]["eta_s"] is None
    called = mgr.post("/api/v1/windows/W12/call-next").json["ticket"]
    assert called["number"] == r.json["ticket"]["number"]
