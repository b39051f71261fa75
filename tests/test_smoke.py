"""End-to-end smoke: one ticket's whole life over real HTTP with a real Socket.IO screen."""
from __future__ import annotations

import threading

import requests
import socketio

from tests.helpers import login


def test_issue_call_event_over_real_http(server):
    base = server.url
    screen = socketio.Client()
    got: list[tuple[str, dict]] = []
    called = threading.Event()
    screen.on("snapshot", lambda d: got.append(("snapshot", d)))

    def on_called(d):
        got.append(("ticket.called", d))
        called.set()

    screen.on("ticket.called", on_called)
    screen.connect(base, transports=["websocket"])
    screen.emit("subscribe", {"hall": "demo"})
    r = requests.post(f"{base}/api/v1/halls/demo/tickets",
                      json={"service": "hukou", "channel": "kiosk"}, timeout=10)
    assert r.status_code == 201
    number = r.json()["ticket"]["number"]
    clerk = requests.Session()
    login(clerk, base, "clerk01")
    assert clerk.post(f"{base}/api/v1/windows/W13/open", timeout=10).status_code == 200
    r = clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=10)
    assert r.json()["ticket"]["number"] == number
    assert called.wait(5)
    call = [d for name, d in got if name == "ticket.called"][0]
    assert call["number"] == number
    assert call["window"] == {
        "id": "W13", "name": "13号窗口", "name_en": "Window 13"}
    assert call["recall"] == 0
    assert call["seq"] > got[0][1]["seq"]
    screen.disconnect()
