"""超时预警: a waiting ticket past its service's wait limit is flagged and pushed to managers."""
from __future__ import annotations

import json
import threading

import pytest

from queue_server import create_app, registry
from queue_server.domain import clock
from queue_server.live.alerts import Checker, overdue
from tests.helpers import PASSWORD

H = "/api/v1/halls/demo"


def test_overdue_tickets_are_pushed_once_to_the_managers_room(app, client, auth, sio, db):
    citizen = app.test_client()
    number = citizen.post(f"{H}/tickets", json={"service": "hukou"}).json["ticket"]["number"]
    citizen.post(f"{H}/tickets", json={"service": "fund"})
    auth.login("manager")
    manager = sio()
    assert manager.emit("subscribe", {"managers": "demo"}, callback=True) == {"ok": True}
    manager.get_received()
    screen_client = app.test_client()
    screen = sio(screen_client)
    screen.emit("subscribe", {"hall": "demo"}, callback=True)
    screen.get_received()

    checker = Checker(app)
    assert checker.check(clock.now()) == []                 # within the limit: nothing
    later = clock.now() + 1201                              # hukou's limit is 1200 s
    new = checker.check(later)
    assert [(a["number"], a["service"], a["limit_s"]) for a in new] == [(number, "hukou", 1200)]
    got = [m for m in manager.get_received() if m["name"] == "alert.wait"]
    assert len(got) == 1
    assert got[0]["args"][0]["number"] == number
    assert got[0]["args"][0]["waited_s"] >= 1200
    assert not [m for m in screen.get_received() if m["name"] == "alert.wait"]  # managers only
    assert checker.check(later + 5) == []                   # once per ticket


def test_monitor_flags_tickets_over_their_limit(client, auth, db):
    from queue_server.domain import tickets

    def old_ticket(tx):
        tx.now = clock.now() - 1300                          # issued 1300 s ago
        return tickets.issue(tx, "demo", "hukou", "kiosk")[0]["number"]

    number = db.write("citizen", old_ticket)
    auth.login("manager")
    m = client.get(f"{H}/monitor").json
    assert [(a["number"], a["limit_s"]) for a in m["overdue"]] == [(number, 1200)]
    hukou = next(s for s in m["services"] if s["service"] == "hukou")
    assert hukou["over"] == 1
    assert hukou["longest_wait_s"] >= 1300


def test_overdue_follows_the_service_limit(app, client, auth, db):
    auth.login("manager")
    app.test_client().post(f"{H}/tickets", json={"service": "fund"})
    assert client.patch(f"{H}/services/fund", json={"wait_limit_s": 1}).status_code == 200
    later = clock.now() + 5
    assert [a["service"] for a in overdue(db.conn(), "demo", later)] == ["fund"]
    # Once called, it is no longer waiting, so no longer flagged.
    clerk = app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    clerk.post("/api/v1/windows/W09/open")
    clerk.post("/api/v1/windows/W09/call-next")
    assert overdue(db.conn(), "demo", later) == []


def test_clerks_cannot_join_the_managers_room(app, sio):
    clerk = app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    c = sio(clerk)
    assert c.emit("subscribe", {"managers": "demo"}, callback=True)["error"]["code"] == "forbidden"


# --- Once per ticket across processes and restarts: the database decides. ---

def _issue_at(db, at: float, service: str = "hukou", **hashes) -> tuple[int, str]:
    from queue_server.domain import tickets

    def fn(tx):
        tx.now = at
        row = tickets.issue(tx, "demo", service, "kiosk", **hashes)[0]
        return row["id"], row["number"]

    return db.write("citizen", fn)


def _alert_events(db) -> list:
    return db.all("SELECT * FROM events WHERE action = 'wait_alert' ORDER BY seq")


@pytest.fixture
def emitted(monkeypatch):
    """Every ``alert.wait`` any checker emits, whichever app it belongs to."""
    from queue_server.live.hub import socketio

    sent: list[tuple[dict, str]] = []
    real = socketio.emit

    def emit(name, payload=None, *args, **kwargs):
        if name == "alert.wait":
            sent.append((payload, kwargs.get("to")))
            return None
        return real(name, payload, *args, **kwargs)

    monkeypatch.setattr(socketio, "emit", emit)
    return sent


@pytest.fixture
def second_app(app):
    """Another app on the same database file, as a second server process would be."""
    other = create_app({"DB": app.config["DB"], "TESTING": True})
    yield other
    registry.db(other).close()


def test_two_processes_send_one_alert_between_them(app, second_app, db, emitted):
    now = clock.now()
    tid, number = _issue_at(db, now - 1300)
    a, b = Checker(app), Checker(second_app)
    assert [x["number"] for x in a.check(now)] == [number]
    assert b.check(now) == []
    assert b.check(now + 5) == []
    assert a.check(now + 5) == []
    assert [(p["ticket"], room) for p, room in emitted] == [(tid, "managers:demo")]
    assert len(_alert_events(db)) == 1


def test_checkers_racing_in_two_threads_send_one_alert(app, second_app, db, emitted):
    now = clock.now()
    tids = {_issue_at(db, now - 1300 - i)[0] for i in range(5)}
    checkers = [Checker(app), Checker(second_app)]
    start = threading.Barrier(2)
    results: list[list[dict]] = [[], []]

    def run(i):
        start.wait()
        results[i] = checkers[i].check(now)
        registry.db(checkers[i].app).close()  # this thread's connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    got = [a["ticket"] for r in results for a in r]
    assert sorted(got) == sorted(tids)                       # every ticket once, in one process
    assert sorted(p["ticket"] for p, _ in emitted) == sorted(tids)
    assert sorted(e["ticket"] for e in _alert_events(db)) == sorted(tids)


def test_a_restarted_checker_does_not_send_again(app, db, emitted):
    now = clock.now()
    _issue_at(db, now - 1300)
    assert len(Checker(app).check(now)) == 1
    restarted = Checker(app)
    assert restarted.check(now + 5) == []
    assert restarted.check(now + 10) == []
    assert len(emitted) == 1
    assert len(_alert_events(db)) == 1


def test_a_ticket_overdue_later_is_alerted_once(app, second_app, db, emitted):
    now = clock.now()
    first, _ = _issue_at(db, now - 1300)
    second, _ = _issue_at(db, now - 600)
    a, b = Checker(app), Checker(second_app)
    assert [x["ticket"] for x in a.check(now)] == [first]
    assert b.check(now + 300) == []                          # the second is not over yet
    assert [x["ticket"] for x in b.check(now + 601)] == [second]
    assert a.check(now + 602) == []
    assert Checker(app).check(now + 603) == []
    assert [p["ticket"] for p, _ in emitted] == [first, second]
    assert [e["ticket"] for e in _alert_events(db)] == [first, second]


def test_the_alert_event_is_recorded_once_without_personal_data(app, client, auth, db):
    id_number, phone = "11010519491231002X", "13800138000"
    r = app.test_client().post(f"{H}/tickets", json={"service": "hukou", "id_number": id_number,
                                                     "phone": phone})
    assert r.status_code == 201
    ticket = r.json["ticket"]
    later = clock.now() + 1300
    Checker(app).check(later)
    Checker(app).check(later + 5)
    events = _alert_events(db)
    assert len(events) == 1
    e = events[0]
    assert (e["hall"], e["actor"], e["ticket"]) == ("demo", "system", ticket["id"])
    detail = json.loads(e["detail"])
    assert set(detail) == {"number", "service", "waited_s", "limit_s"}
    assert (detail["number"], detail["service"], detail["limit_s"]) == (ticket["number"],
                                                                        "hukou", 1200)
    hashes = db.one("SELECT id_hash, phone_hash FROM tickets WHERE id = ?", (ticket["id"],))
    for secret in (id_number, phone, hashes["id_hash"], hashes["phone_hash"]):
        assert secret not in e["detail"]
    # It takes no seq: screens must not see a gap for an event that never reaches them.
    seq = db.one("SELECT live_seq FROM halls WHERE id = 'demo'")["live_seq"]
    Checker(app).check(later + 10)
    assert db.one("SELECT live_seq FROM halls WHERE id = 'demo'")["live_seq"] == seq
    # The manager's audit trail shows it.
    auth.login("manager")
    day = clock.day_of(later, "Asia/Shanghai")  # the event is recorded at the pass's time
    audit = client.get(f"{H}/audit?date={day}&action=wait_alert").json["events"]
    assert [(x["action"], x["number"]) for x in audit] == [("wait_alert", ticket["number"])]


def test_a_transferred_leg_is_not_alerted_again_for_the_same_wait(app, db, emitted):
    from queue_server.domain import tickets

    now = clock.now()
    first, _ = _issue_at(db, now - 1300)                     # hukou: limit 1200 s
    assert [a["ticket"] for a in Checker(app).check(now)] == [first]

    def call_and_transfer(tx):
        w = tx.one("SELECT * FROM windows WHERE hall = 'demo' ORDER BY id LIMIT 1")
        tickets.call(tx, w, first)
        w = tx.one("SELECT * FROM windows WHERE id = ?", (w["id"],))
        return tickets.transfer(tx, w, "civil")["id"]       # civil: limit 1800 s

    leg = db.write("system", call_and_transfer)
    assert Checker(app).check(now + 600) == []               # waited 1900 s, same chain
    assert [p["ticket"] for p, _ in emitted] == [first]
    assert [e["ticket"] for e in _alert_events(db)] == [first]
    assert [a["ticket"] for a in overdue(db.conn(), "demo", now + 600)] == [leg]  # still flagged


def test_a_transferred_leg_never_alerted_before_is_alerted_once(app, db, emitted):
    from queue_server.domain import tickets

    now = clock.now()
    first, _ = _issue_at(db, now - 600)

    def call_and_transfer(tx):
        w = tx.one("SELECT * FROM windows WHERE hall = 'demo' ORDER BY id LIMIT 1")
        tickets.call(tx, w, first)
        w = tx.one("SELECT * FROM windows WHERE id = ?", (w["id"],))
        return tickets.transfer(tx, w, "civil")["id"]

    leg = db.write("system", call_and_transfer)
    checker = Checker(app)
    assert checker.check(now) == []
    assert [a["ticket"] for a in checker.check(now + 1201)] == [leg]
    assert Checker(app).check(now + 1210) == []
    assert [e["ticket"] for e in _alert_events(db)] == [leg]
