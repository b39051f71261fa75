"""Devices: pairing, approval, revocation, what each kind of device token may do (role x
action, each refusal changing nothing), the calling-pad API, heartbeats and quiet devices, and
kiosk printers polled by ESC/POS status queries from a real TCP listener."""
from __future__ import annotations

import json
import socketserver
import threading
import time

import pytest

from queue_server import registry
from queue_server.domain import clock
from tests.helpers import error_code

HALL = "demo"


def pair(app, mgr, kind: str, window: str | None = None, printer: str | None = None,
         name: str = "dev"):
    """A device paired as a device would: pair, poll (pending), manager approves, poll
    (token). Returns (token, device id, the device's own client)."""
    dev = app.test_client()
    r = dev.post(f"/api/v1/halls/{HALL}/devices/pair", json={"name": name})
    assert r.status_code == 201, r.json
    code, secret = r.json["code"], r.json["secret"]
    assert len(code) == 6
    assert code.isdigit()
    assert dev.post("/api/v1/devices/poll", json={"secret": secret}).json["status"] == "pending"
    body = {"code": code, "kind": kind, **({"window": window} if window else {}),
            **({"printer": printer} if printer else {})}
    a = mgr.post(f"/api/v1/halls/{HALL}/devices/approve", json=body)
    assert a.status_code == 200, a.json
    p = dev.post("/api/v1/devices/poll", json={"secret": secret})
    assert p.json["status"] == "active"
    token = p.json["token"]
    assert token.startswith("hqd_")
    # the token is handed over once: the pairing secret is spent
    assert dev.post("/api/v1/devices/poll", json={"secret": secret}).status_code == 404
    return token, a.json["device"]["id"], dev


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def counts(db) -> tuple:
    """What a refusal must leave unchanged: tickets, their states, windows, audit events."""
    return (db.one("SELECT COUNT(*), GROUP_CONCAT(status) FROM tickets")[:],
            db.one("SELECT GROUP_CONCAT(status || COALESCE(current, '')) FROM windows")[0],
            db.one("SELECT COUNT(*) FROM events")[0])


def test_token_is_stored_only_hashed_and_pairing_is_audited(app, mgr, db):
    token, device_id, _dev = pair(app, mgr, "hall_screen")
    row = db.one("SELECT * FROM devices WHERE id = ?", (device_id,))
    assert token not in " ".join(str(v) for v in tuple(row))
    assert row["token_hash"]
    assert row["pair_code"] is None
    assert row["pair_secret_hash"] is None
    actions = [r["action"] for r in db.all(
        "SELECT action FROM events WHERE action LIKE 'device_%' ORDER BY seq")]
    assert actions == ["device_pair", "device_approve", "device_token"]
    audit = mgr.get(f"/api/v1/halls/{HALL}/audit?date={clock.day_of(clock.now(), None)}").json
    approve = [e for e in audit["events"] if e["action"] == "device_approve"][0]
    assert approve["actor"] == "manager"
    assert approve["detail"]["kind"] == "hall_screen"


# (method, path, body) of each action, and which kinds may do it
ACTIONS = {
    "services": ("GET", f"/api/v1/halls/{HALL}/services", None),
    "heartbeat": ("POST", "/api/v1/devices/heartbeat", {}),
    "issue": ("POST", f"/api/v1/halls/{HALL}/tickets", {"service": "hukou"}),
    "clerk_call": ("POST", "/api/v1/windows/W01/call-next", {}),
    "clerk_open": ("POST", "/api/v1/windows/W01/open", {}),
    "windows": ("GET", f"/api/v1/halls/{HALL}/windows", None),
    "stats": ("GET", f"/api/v1/halls/{HALL}/stats", None),
    "approve": ("POST", f"/api/v1/halls/{HALL}/devices/approve",
                {"code": "000000", "kind": "kiosk"}),
    "devices": ("GET", f"/api/v1/halls/{HALL}/devices", None),
    "pad_call": ("POST", "/api/v1/pad/call-next", {}),
    "pad_state": ("GET", "/api/v1/pad", None),
    "special": ("POST", f"/api/v1/halls/{HALL}/special-tickets",
                {"service": "hukou", "reason": "x"}),
}
MAY = {
    "kiosk": {"services", "heartbeat", "issue"},
    "hall_screen": {"services", "heartbeat"},
    "window_screen": {"services", "heartbeat"},
    "pad": {"services", "heartbeat", "pad_call", "pad_state"},
}


@pytest.mark.parametrize("kind", list(MAY))
def test_each_kind_may_do_only_its_actions(app, mgr, db, kind):
    mgr.post("/api/v1/windows/W01/open")
    window = "W01" if kind in ("window_screen", "pad") else None
    token, _id, dev = pair(app, mgr, kind, window=window)
    for action, (method, path, body) in ACTIONS.items():
        before = counts(db)
        r = dev.open(path, method=method, json=body, headers=bearer(token))
        if action in MAY[kind]:
            assert r.status_code in (200, 201), (kind, action, r.json)
        else:
            assert r.status_code == 403, (kind, action, r.status_code, r.json)
            assert error_code(r) == "forbidden"
            assert counts(db) == before, (kind, action)  # the refusal changed nothing


def test_a_revoked_kiosk_token_is_refused_at_once(app, mgr, db):
    token, device_id, dev = pair(app, mgr, "kiosk")
    issue = ("/api/v1/halls/demo/tickets", {"service": "hukou"})
    assert dev.post(issue[0], json=issue[1], headers=bearer(token)).status_code == 201
    r = mgr.post(f"/api/v1/devices/{device_id}/revoke")
    assert r.status_code == 200
    assert r.json["device"]["status"] == "revoked"
    before = counts(db)
    r = dev.post(issue[0], json=issue[1], headers=bearer(token))
    assert r.status_code == 401
    assert error_code(r) == "device_revoked"
    assert dev.post("/api/v1/devices/heartbeat", json={}, headers=bearer(token)).status_code == 401
    assert counts(db) == before
    # revoking again is a 409 that changes nothing; the revocation is audited once
    assert error_code(mgr.post(f"/api/v1/devices/{device_id}/revoke")) == "already_revoked"
    assert db.one("SELECT COUNT(*) FROM events WHERE action = 'device_revoke'")[0] == 1


def test_a_screen_token_cannot_act_as_a_clerk(app, mgr, db):
    mgr.post("/api/v1/windows/W01/open")
    mgr.post("/api/v1/halls/demo/tickets", json={"service": "hukou"})
    token, _id, dev = pair(app, mgr, "window_screen", window="W01")
    before = counts(db)
    for action in ("call-next", "recall", "finish", "no-show", "pause", "close", "open"):
        r = dev.post(f"/api/v1/windows/W01/{action}", json={}, headers=bearer(token))
        assert r.status_code == 403, (action, r.json)
    for path in ("/api/v1/pad/call-next", "/api/v1/pad/finish"):
        assert dev.post(path, json={}, headers=bearer(token)).status_code == 403
    assert counts(db) == before


def test_a_calling_pad_acts_only_on_its_window(app, mgr, db):
    for w in ("W01", "W02"):
        mgr.post(f"/api/v1/windows/{w}/open")
    for _ in range(3):
        mgr.post("/api/v1/halls/demo/tickets", json={"service": "biz-setup"})
    token, device_id, pad = pair(app, mgr, "pad", window="W01")
    h = bearer(token)
    state = pad.get("/api/v1/pad", headers=h).json
    assert state["window"]["id"] == "W01"
    assert state["window"]["current"] is None
    called = pad.post("/api/v1/pad/call-next", json={}, headers=h).json["ticket"]
    assert called["window"]["id"] == "W01"
    assert called["status"] == "called"
    assert pad.post("/api/v1/pad/recall", json={}, headers=h).json["ticket"]["id"] == called["id"]
    done = pad.post("/api/v1/pad/finish", json={"outcome": "settled"}, headers=h).json["ticket"]
    assert done["status"] == "done"
    second = pad.post("/api/v1/pad/call-next", json={}, headers=h).json["ticket"]
    assert pad.post("/api/v1/pad/no-show", json={}, headers=h).json["ticket"]["status"] == \
        "no_show"
    assert second["window"]["id"] == "W01"
    paused = pad.post("/api/v1/pad/pause", json={"reason": "午休"}, headers=h).json["window"]
    assert paused["id"] == "W01"
    assert paused["status"] == "paused"
    assert pad.post("/api/v1/pad/open", json={}, headers=h).json["window"]["status"] == "open"
    # the clerk's rules hold for the pad too: no finish without a current ticket (409)
    before = counts(db)
    assert pad.post("/api/v1/pad/finish", json={}, headers=h).status_code == 409
    assert counts(db) == before
    # another window: refused through every path, nothing changes there
    before = counts(db)
    for action in ("call-next", "pause", "open", "recall", "finish", "no-show"):
        r = pad.post(f"/api/v1/windows/W02/{action}", json={}, headers=h)
        assert r.status_code == 403, action
    assert counts(db) == before
    actors = {r["actor"] for r in db.all(
        "SELECT actor FROM events WHERE window = 'W01' AND action IN ('call', 'recall',"
        " 'finish', 'no_show', 'window_pause', 'window_open') AND actor LIKE 'device:%'")}
    assert actors == {f"device:{device_id}"}
    assert db.one("SELECT COUNT(*) FROM tickets WHERE window = 'W02'")[0] == 0


def test_staff_and_anonymous_callers_are_not_pads(app, client, auth):
    assert client.post("/api/v1/pad/call-next", json={}).status_code == 401
    auth.login("clerk01")
    assert client.post("/api/v1/pad/call-next", json={}).status_code == 401
    # a staff login keeps working unchanged on the clerk routes
    assert client.post("/api/v1/windows/W01/open").status_code == 200


def test_approval_rules(app, mgr, client, auth, db):
    dev = app.test_client()
    code = dev.post("/api/v1/halls/demo/devices/pair", json={}).json["code"]
    url = "/api/v1/halls/demo/devices/approve"
    # the console lists the pending pairing but not its code: only the device shows it
    listed = mgr.get("/api/v1/halls/demo/devices")
    assert [d["status"] for d in listed.json["devices"]] == ["pending"]
    assert code not in listed.get_data(as_text=True)
    before = counts(db)
    assert error_code(mgr.post(url, json={"code": code, "kind": "pad"})) == "window_required"
    assert error_code(mgr.post(url, json={"code": code, "kind": "pad", "window": "NOPE"})) == \
        "unknown_window"
    assert error_code(mgr.post(url, json={"code": code, "kind": "hall_screen",
                                          "window": "W01"})) == "window_not_allowed"
    assert error_code(mgr.post(url, json={"code": code, "kind": "hall_screen",
                                          "printer": "10.0.0.5:9100"})) == "printer_not_allowed"
    assert error_code(mgr.post(url, json={"code": code, "kind": "robot"})) == "invalid_kind"
    wrong = "000000" if code != "000000" else "111111"
    assert mgr.post(url, json={"code": wrong, "kind": "kiosk"}).status_code == 404
    assert counts(db) == before
    _token, device_id, _dev = pair(app, mgr, "hall_screen")
    auth.logout()
    before = counts(db)
    staff_only = [("POST", url, {"code": code, "kind": "kiosk"}),
                  ("GET", "/api/v1/halls/demo/devices", None),
                  ("POST", f"/api/v1/devices/{device_id}/revoke", {}),
                  ("PUT", "/api/v1/halls/demo/devices/settings", {"kiosk_device_required": True})]
    for who, status in (("clerk01", 403), (None, 401)):
        if who:
            auth.login(who)
        for method, path, body in staff_only:
            r = client.open(path, method=method, json=body)
            assert r.status_code == status, (who, path, r.json)
        if who:
            auth.logout()
    after = counts(db)
    assert after[:2] == before[:2]
    assert db.one("SELECT status FROM devices WHERE id = ?", (device_id,))[0] == "active"
    assert db.one("SELECT kiosk_device_required FROM halls WHERE id = 'demo'")[0] == 0


def test_a_hall_may_require_paired_kiosks(app, mgr, client, auth, db):
    token, _id, dev = pair(app, mgr, "kiosk")
    r = mgr.put("/api/v1/halls/demo/devices/settings", json={"kiosk_device_required": True})
    assert r.status_code == 200
    anon = app.test_client()
    before = counts(db)
    r = anon.post("/api/v1/halls/demo/tickets", json={"service": "hukou"})
    assert r.status_code == 401
    assert error_code(r) == "device_required"
    assert counts(db) == before
    deep = anon.post("/api/v1/halls/demo/tickets", data="[" * 100000,
                     content_type="application/json")
    assert deep.status_code == 400  # still the body's own refusal, never a 500
    assert dev.post("/api/v1/halls/demo/tickets", json={"service": "hukou"},
                    headers=bearer(token)).status_code == 201
    # the phone keeps its own page; staff signed in keep issuing as before
    assert anon.post("/api/v1/halls/demo/tickets",
                     json={"service": "hukou", "channel": "mobile"}).status_code == 201
    assert mgr.post("/api/v1/halls/demo/tickets", json={"service": "hukou"}).status_code == 201
    mgr.put("/api/v1/halls/demo/devices/settings", json={"kiosk_device_required": False})
    assert anon.post("/api/v1/halls/demo/tickets", json={"service": "hukou"}).status_code == 201


# -- heartbeats, quiet devices and printers -------------------------------------------------

class Printer(socketserver.ThreadingTCPServer):
    """A network slip printer's status side: answers each DLE EOT n with ``status[n]``."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), PrinterHandler)
        self.status = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}  # all well
        self.queries: list[int] = []
        self.received = bytearray()  # everything sent to it (a printed slip's bytes)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


class PrinterHandler(socketserver.BaseRequestHandler):
    def handle(self):
        buf = b""
        while True:
            data = self.request.recv(16)
            if not data:
                return
            self.server.received += data
            buf += data
            while len(buf) >= 3:
                cmd, buf = buf[:3], buf[3:]
                if cmd[:2] == b"\x10\x04":
                    self.server.queries.append(cmd[2])
                    self.request.sendall(bytes([self.server.status[cmd[2]]]))


@pytest.fixture
def printer():
    p = Printer()
    yield p
    p.shutdown()
    p.server_close()


@pytest.fixture
def fake_now(monkeypatch):
    """The hall's clock (domain/clock.now), moved by the test instead of sleeping."""
    t = {"now": clock.now()}
    monkeypatch.setattr(clock, "now", lambda: t["now"])
    return t


def test_paper_out_refuses_to_issue_and_alerts_the_monitor(app, mgr, db, sio, printer,
                                                           fake_now):
    manager = sio(mgr)
    assert manager.emit("subscribe", {"managers": "demo"}, callback=True) == {"ok": True}
    manager.get_received()
    token, device_id, kiosk = pair(app, mgr, "kiosk", printer=printer.address)
    watch = registry.services(app).device_watch
    issue = {"service": "hukou"}
    assert watch.check() == []  # state "unknown" -> "ok": recorded, not alerted
    assert printer.queries == [1, 2, 3, 4]
    assert kiosk.post("/api/v1/halls/demo/tickets", json=issue,
                      headers=bearer(token)).status_code == 201

    printer.status[4] = 0x12 | 0x60  # roll paper sensor: paper end
    alerts = watch.check()
    assert [(a["device"], a["problem"]) for a in alerts] == [(device_id, "paper_out")]
    pushed = [m for m in manager.get_received() if m["name"] == "alert.device"]
    assert [m["args"][0]["problem"] for m in pushed] == ["paper_out"]
    listed = mgr.get("/api/v1/halls/demo/devices").json["devices"]
    assert [d["printer_state"] for d in listed if d["id"] == device_id] == ["paper_out"]
    before = counts(db)
    r = kiosk.post("/api/v1/halls/demo/tickets", json=issue, headers=bearer(token))
    assert r.status_code == 409
    assert error_code(r) == "printer_paper_out"
    assert "缺纸" in r.json["error"]["message"]
    assert counts(db) == before
    beat = kiosk.post("/api/v1/devices/heartbeat", json={}, headers=bearer(token)).json
    assert beat["device"]["printer_state"] == "paper_out"  # what the kiosk page shows
    assert watch.check() == []  # alerted once

    printer.status[4] = 0x12  # paper loaded
    assert watch.check() == []
    assert kiosk.post("/api/v1/halls/demo/tickets", json=issue,
                      headers=bearer(token)).status_code == 201
    changes = [json.loads(r["detail"]) for r in db.all(
        "SELECT detail FROM events WHERE action = 'printer_status' ORDER BY seq")]
    assert [c["to"] for c in changes] == ["ok", "paper_out", "ok"]


def test_a_paired_kiosk_prints_on_its_own_printer(app, mgr, printer):
    token, _id, kiosk = pair(app, mgr, "kiosk", printer=printer.address)
    issued = kiosk.post("/api/v1/halls/demo/tickets", json={"service": "hukou"},
                        headers=bearer(token)).json
    r = kiosk.post("/kiosk/demo/slip", json={"token": issued["token"]}, headers=bearer(token))
    assert r.status_code == 200
    assert r.json["printer"] == "ok"
    # the listener's thread may still be reading what the kiosk sent: wait for the number
    deadline = time.monotonic() + 10
    while issued["ticket"]["number"].encode() not in bytes(printer.received):
        assert time.monotonic() < deadline, bytes(printer.received)
        time.sleep(0.01)
    # a screen's token prints nothing
    screen, _sid, dev = pair(app, mgr, "hall_screen")
    assert dev.post("/kiosk/demo/slip", json={"token": issued["token"]},
                    headers=bearer(screen)).status_code == 403


def test_a_printer_that_does_not_answer_is_unreachable(app, mgr, fake_now):
    listener = socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    port = listener.server_address[1]
    listener.server_close()  # nobody listens there any more
    _token, device_id, _dev = pair(app, mgr, "kiosk", printer=f"127.0.0.1:{port}")
    alerts = registry.services(app).device_watch.check()
    assert [(a["device"], a["problem"]) for a in alerts] == [(device_id, "unreachable")]


def test_a_screen_that_stopped_its_heartbeat_is_alerted_once(app, mgr, db, sio, fake_now):
    manager = sio(mgr)
    manager.emit("subscribe", {"managers": "demo"}, callback=True)
    token, device_id, screen = pair(app, mgr, "hall_screen")
    quiet_s = app.config["DEVICE_QUIET_S"]
    watch = registry.services(app).device_watch
    assert screen.post("/api/v1/devices/heartbeat", json={"page": "/display/demo"},
                       headers=bearer(token)).status_code == 200
    fake_now["now"] += quiet_s - 1
    assert watch.check() == []
    listed = {d["id"]: d for d in mgr.get("/api/v1/halls/demo/devices").json["devices"]}
    assert listed[device_id]["quiet"] is False

    fake_now["now"] += 2  # past the quiet limit, no heartbeat since
    listed = {d["id"]: d for d in mgr.get("/api/v1/halls/demo/devices").json["devices"]}
    assert listed[device_id]["quiet"] is True
    assert listed[device_id]["last_seen_at"]
    alerts = watch.check()
    assert [(a["device"], a["problem"], a["kind"]) for a in alerts] == [
        (device_id, "quiet", "hall_screen")]
    assert [m["args"][0]["device"] for m in manager.get_received()
            if m["name"] == "alert.device"] == [device_id]
    fake_now["now"] += 600
    assert watch.check() == []  # once, however long it stays quiet
    assert db.one("SELECT COUNT(*) FROM events WHERE action = 'device_quiet'")[0] == 1

    screen.post("/api/v1/devices/heartbeat", json={}, headers=bearer(token))
    listed = {d["id"]: d for d in mgr.get("/api/v1/halls/demo/devices").json["devices"]}
    assert listed[device_id]["quiet"] is False
    assert db.one("SELECT COUNT(*) FROM events WHERE action = 'device_back'")[0] == 1


@pytest.mark.parametrize(("answers", "state"), [
    ({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}, "ok"),
    ({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E}, "near_end"),
    ({1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x12}, "paper_out"),
    ({1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12}, "cover_open"),
    ({1: 0x1A, 2: 0x52, 3: 0x1A, 4: 0x12}, "error"),
    ({1: 0x1A, 2: 0x12, 3: 0x12, 4: 0x12}, "offline"),
])
def test_escpos_status_bits(answers, state):
    from displays import printer_status

    assert all(printer_status.valid(b) for b in answers.values())
    assert printer_status.interpret(answers) == state
    assert not printer_status.valid(0x00)
    assert not printer_status.valid(0xFF)


def test_a_revoked_token_cannot_open_a_live_connection(app, mgr, sio):
    token, device_id, _dev = pair(app, mgr, "hall_screen")
    anon = app.test_client()
    screen = sio(anon, auth={"token": token})
    assert screen.is_connected()
    assert screen.emit("subscribe", {"hall": "demo"}, callback=True) == {"ok": True}
    mgr.post(f"/api/v1/devices/{device_id}/revoke")
    assert not sio(anon, auth={"token": token}).is_connected()
