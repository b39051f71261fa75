"""Live events with real Socket.IO clients against a real server: snapshots, seq, reconnects,
rooms, and the privacy canary."""
from __future__ import annotations

import re
import sqlite3
import threading
import time

import pytest
import requests
import socketio

from tests.helpers import PASSWORD, login

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"


class Screen:
    """A real Socket.IO client that records everything it receives."""

    def __init__(self, base: str):
        self.base = base
        self.events: list[tuple[str, dict]] = []
        self.cond = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", self._any)

    def _any(self, name, data):
        with self.cond:
            self.events.append((name, data))
            self.cond.notify_all()

    def connect(self, sub: dict) -> dict:
        self.client.connect(self.base, transports=["websocket"])
        n = len(self.events)
        self.client.emit("subscribe", sub)
        return self.wait("snapshot", after=n)

    def wait(self, name: str, after: int = 0, timeout: float = 5, pred=None) -> dict:
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for ev, data in self.events[after:]:
                    if ev == name and (pred is None or pred(data)):
                        return data
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError(f"no {name} within {timeout}s: {self.events[after:]}")
                self.cond.wait(left)

    def close(self):
        # websocket-client waits up to 3 s for the close frame; nothing here needs to wait.
        if self.client.connected:
            threading.Thread(target=self.client.disconnect, daemon=True).start()


@pytest.fixture
def clerk(server):
    s = requests.Session()
    login(s, server.url, "clerk01")
    assert s.post(f"{server.url}/api/v1/windows/W13/open", timeout=5).status_code == 200
    return s


def issue(base, service="hukou", **extra):
    r = requests.post(f"{base}/api/v1/halls/demo/tickets", json={"service": service, **extra},
                      timeout=5)
    assert r.status_code == 201, r.text
    return r.json()


def db_state(path) -> dict:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    waiting = {r["id"]: 0 for r in conn.execute("SELECT id FROM services WHERE hall = 'demo'")}
    for r in conn.execute("SELECT service, COUNT(*) n FROM tickets WHERE status = 'waiting'"
                          " GROUP BY service"):
        waiting[r["service"]] = r["n"]
    current = {r["id"]: r["current"] for r in conn.execute("SELECT id, current FROM windows")}
    seq = conn.execute("SELECT live_seq FROM halls WHERE id = 'demo'").fetchone()[0]
    return {"waiting": waiting, "current": current, "seq": seq}


def test_reconnecting_screen_gets_a_snapshot_equal_to_the_database(server, clerk):
    base = server.url
    screen = Screen(base)
    snap = screen.connect({"hall": "demo"})
    issue(base)
    clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=5)
    called = screen.wait("ticket.called")
    assert called["seq"] > snap["seq"]
    screen.close()
    # While the screen is away: more tickets, a finish and a call it never sees.
    for _ in range(3):
        issue(base)
    clerk.post(f"{base}/api/v1/windows/W13/finish", timeout=5)
    missed = clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=5).json()["ticket"]
    back = Screen(base)
    snap2 = back.connect({"hall": "demo"})
    state = db_state(server.db)
    assert snap2["waiting"] == state["waiting"]
    assert snap2["seq"] == state["seq"]
    assert {w["id"]: (w["current"] or {}).get("id") for w in snap2["windows"]} == state["current"]
    assert snap2["calls"][0]["number"] == missed["number"]  # newest first
    assert snap2["calls"][0]["window"]["id"] == "W13"
    # And events after the snapshot continue the sequence.
    issue(base)
    upd = back.wait("queue.updated")
    assert upd["seq"] == snap2["seq"] + 1
    back.close()


def test_hall_events_carry_strictly_increasing_seq(server, clerk):
    base = server.url
    screen = Screen(base)
    screen.connect({"hall": "demo"})
    for _ in range(3):
        issue(base)
    for _ in range(3):
        clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=5)
        clerk.post(f"{base}/api/v1/windows/W13/recall", timeout=5)
        clerk.post(f"{base}/api/v1/windows/W13/finish", timeout=5)
    screen.wait("ticket.called", pred=lambda d: d["recall"] == 1 and d["number"] == "F003")
    time.sleep(0.3)
    seqs = [d["seq"] for name, d in screen.events if name != "snapshot"]
    assert seqs == sorted(seqs)
    assert len(seqs) == len(set(seqs))
    # A hall screen sees every hall event: no gaps at all.
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    recalls = [d for n, d in screen.events if n == "ticket.called" and d["recall"] == 1]
    assert [d["number"] for d in recalls] == ["F001", "F002", "F003"]
    screen.close()


def test_window_and_ticket_rooms(server, clerk):
    base = server.url
    t = issue(base)
    win = Screen(base)
    wsnap = win.connect({"window": "W13"})
    assert wsnap["window"]["id"] == "W13"
    assert wsnap["window"]["current"] is None
    phone = Screen(base)
    tsnap = phone.connect({"ticket": t["token"]})
    assert tsnap["ticket"]["number"] == t["ticket"]["number"]
    assert tsnap["ticket"]["position"] == 0
    clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=5)
    assert win.wait("ticket.called")["number"] == t["ticket"]["number"]
    assert win.wait("window.updated")["window"]["current"]["number"] == t["ticket"]["number"]
    assert phone.wait("ticket.called")["window"]["name"] == "13号窗口"
    upd = phone.wait("ticket.updated", pred=lambda d: d["ticket"]["status"] == "called")
    assert upd["ticket"]["window"]["id"] == "W13"
    bad = Screen(base)
    bad.client.connect(base, transports=["websocket"])
    assert bad.client.call("subscribe", {"ticket": "not-a-token"})["error"]["code"] == "not_found"
    assert bad.client.call("subscribe", {"managers": "demo"})["error"]["code"] == "forbidden"
    assert bad.client.call("subscribe", "nonsense")["error"]["code"] == "malformed_body"
    for s in (win, phone, bad):
        s.close()


def test_waiting_tickets_get_new_positions_pushed(server, clerk):
    base = server.url
    issue(base)
    b = issue(base)
    phone = Screen(base)
    assert phone.connect({"ticket": b["token"]})["ticket"]["position"] == 1
    clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=5)
    upd = phone.wait("ticket.updated", pred=lambda d: d["ticket"]["position"] == 0, timeout=5)
    assert upd["ticket"]["status"] == "waiting"
    phone.close()


def test_phones_asking_for_positions_share_one_frame_per_service(server, clerk):
    base = server.url
    first = issue(base)
    a, b = issue(base), issue(base)
    plain = issue(base)
    phones = [Screen(base), Screen(base)]
    other = Screen(base)
    try:
        for phone, t in zip(phones, (a, b), strict=True):
            assert phone.connect({"ticket": t["token"], "positions": True})["ticket"]["status"] \
                == "waiting"
        other.connect({"ticket": plain["token"]})
        r = clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=5)
        assert r.json()["ticket"]["number"] == first["ticket"]["number"]
        frame = phones[0].wait("queue.positions", timeout=10, pred=lambda d: d["positions"].get(
            a["ticket"]["number"], [None])[0] == 0)
        assert frame["service"] == "hukou"
        assert frame["hall"] == "demo"
        # both followed numbers, and what the ticket's own page says about each
        assert set(frame["positions"]) == {a["ticket"]["number"], b["ticket"]["number"]}
        for t in (a, b):
            view = requests.get(f"{base}/api/v1/tickets/{t['token']}", timeout=5).json()["ticket"]
            assert frame["positions"][t["ticket"]["number"]] == [view["position"], view["eta_s"]]
        assert "token" not in str(frame)
        assert a["token"] not in str(frame)
        phones[1].wait("queue.positions", timeout=10, pred=lambda d: d == frame)
        # the phones in the frame got no ticket.updated for the move; the plain follower did
        other.wait("ticket.updated", timeout=10, pred=lambda d: d["ticket"]["position"] == 2)
        assert not [n for n, _ in phones[0].events if n == "ticket.updated"]
    finally:
        for x in (*phones, other):
            x.close()


DIGITS = re.compile(r"\d{11,}")


def test_privacy_canary(server, clerk):
    """No ID or mobile number in any event, public view or log line."""
    base = server.url
    screens = [Screen(base) for _ in range(3)]
    screens[0].connect({"hall": "demo"})
    screens[1].connect({"window": "W13"})
    t = issue(base, id_number=ID_NUMBER, phone=PHONE)
    screens[2].connect({"ticket": t["token"]})
    for step in ("call-next", "recall", "start", "finish"):
        clerk.post(f"{base}/api/v1/windows/W13/{step}", timeout=5)
    requests.post(f"{base}/api/v1/tickets/{t['token']}/rating", json={"score": 5}, timeout=5)
    screens[2].wait("ticket.updated", pred=lambda d: d["ticket"]["status"] == "done")
    seen = [repr(e) for s in screens for e in s.events]
    seen.append(requests.get(f"{base}/api/v1/tickets/{t['token']}", timeout=5).text)
    seen.append(clerk.get(f"{base}/api/v1/windows/W13", timeout=5).text)
    seen.append(server.output())
    for text in seen:
        assert ID_NUMBER not in text
        assert PHONE not in text
        assert not DIGITS.search(text.replace(t["token"], "")), text[:200]
    conn = sqlite3.connect(server.db)
    dump = "\n".join(conn.iterdump())
    assert ID_NUMBER not in dump
    assert PHONE not in dump
    for s in screens:
        s.close()


def test_public_views_carry_no_login_name(server, clerk):
    """The hall and window screens show the clerk's name and staff number, never the login
    name: not in the snapshots, not in the live events; the monitor (a manager) still has it."""
    base = server.url
    hall, win = Screen(base), Screen(base)
    snaps = [hall.connect({"hall": "demo"}), win.connect({"window": "W13"})]
    t = issue(base)
    clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=5)
    hall.wait("window.updated", pred=lambda d: d["window"]["id"] == "W13")
    win.wait("window.updated")
    w13 = next(w for w in snaps[0]["windows"] if w["id"] == "W13")
    assert w13["clerk"]["display_name"]
    assert w13["clerk"]["username"] is None
    assert snaps[1]["window"]["clerk"]["username"] is None
    seen = repr(snaps) + repr(hall.events) + repr(win.events)
    assert "clerk01" not in seen
    assert t["ticket"]["number"] in seen
    token = requests.post(f"{base}/api/v1/auth/login", timeout=5, json={
        "username": "manager", "password": PASSWORD}).json()["token"]
    monitor = Screen(base)
    monitor.client.connect(base, transports=["websocket"], auth={"token": token})
    monitor.client.emit("subscribe", {"managers": "demo"})
    snap = monitor.wait("snapshot")
    assert next(w for w in snap["windows"] if w["id"] == "W13")["clerk"]["username"] == "clerk01"
    for s in (hall, win, monitor):
        s.close()


def test_phone_follows_its_ticket_through_a_transfer(server, clerk):
    base = server.url
    t = issue(base)
    phone = Screen(base)
    phone.connect({"ticket": t["token"]})
    clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=5)
    moved = clerk.post(f"{base}/api/v1/windows/W13/transfer", json={"service": "fund"},
                       timeout=5).json()["ticket"]
    assert moved["status"] == "waiting"
    assert moved["id"] != t["ticket"]["id"]
    phone.wait("ticket.updated", pred=lambda d: d["ticket"]["service"] == "fund")
    other = requests.Session()
    login(other, base, "clerk02")
    other.post(f"{base}/api/v1/windows/W09/open", timeout=5)
    other.post(f"{base}/api/v1/windows/W09/call-next", timeout=5)
    called = phone.wait("ticket.called", pred=lambda d: d["window"]["id"] == "W09")
    assert called["number"] == t["ticket"]["number"]
    phone.close()


def test_a_batched_screen_gets_one_frame_per_call_in_seq_order(server, clerk):
    base = server.url
    plain, batched = Screen(base), Screen(base)
    try:
        plain.connect({"hall": "demo"})
        snap = batched.connect({"hall": "demo", "batch": True})
        number = issue(base)["ticket"]["number"]
        r = clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=5)
        assert r.json()["ticket"]["number"] == number
        plain.wait("ticket.called")
        frame = batched.wait("batch", pred=lambda b: any(
            e["name"] == "ticket.called" for e in b["events"]))
        names = [e["name"] for e in frame["events"]]
        assert {"ticket.called", "window.updated", "queue.updated"} <= set(names)
        seqs = [e["data"]["seq"] for e in frame["events"]]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # consecutive: nothing lost
        assert seqs[0] > snap["seq"]
        # the plain screen heard the same events one by one, with the same seqs
        for name, seq in zip(names, seqs, strict=True):
            plain.wait(name, pred=lambda d, seq=seq: d.get("seq") == seq)
        # and the batched one got no separate copies
        assert not [n for n, _ in batched.events if n in names]
    finally:
        plain.close()
        batched.close()
