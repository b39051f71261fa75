"""Limits that protect the hall, on the README's production command: past the cap of live
connections a new socket is refused with a reason while HTTP keeps answering, and a silent
(half-open) socket is reaped so its place comes free again."""
from __future__ import annotations

import time

import pytest
import requests
import socketio
import websocket

from tests.helpers import gunicorn_server, seed_demo_db


@pytest.fixture
def capped(tmp_path):
    db = seed_demo_db(tmp_path / "cap.db")
    proc = gunicorn_server(db, {"HALLQ_MAX_LIVE": "3", "HALLQ_MAX_LIVE_PER_ADDRESS": "2",
                                "HALLQ_PING_INTERVAL_S": "1", "HALLQ_PING_TIMEOUT_S": "1",
                                "HALLQ_PROXY_HOPS": "1"})
    yield proc.start()
    proc.kill()


def connect(base: str, **kwargs) -> socketio.Client:
    c = socketio.Client(reconnection=False)
    c.connect(base, transports=["websocket"], wait_timeout=10, **kwargs)
    assert c.call("subscribe", {"hall": "demo"}, timeout=10) == {"ok": True}
    return c


def refused(base: str, **kwargs) -> str:
    """The reason the server gave for refusing a new socket (its connect_error)."""
    c = socketio.Client(reconnection=False)
    reasons: list = []
    c.on("connect_error", reasons.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        c.connect(base, transports=["websocket"], wait_timeout=10, **kwargs)
    assert reasons, "refused without a reason"
    return f"{reasons[0]['message']} {reasons[0].get('data')}"


def silent_socket(base: str) -> websocket.WebSocket:
    """An engine.io client that joins the namespace, then never answers a ping."""
    ws = websocket.create_connection(
        base.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket", timeout=10)
    assert ws.recv().startswith("0")  # engine.io open
    ws.send("40")
    assert ws.recv().startswith("40")  # Socket.IO connected
    return ws


def test_the_cap_refuses_with_a_reason_and_http_keeps_answering(capped):
    base = capped.url
    a = connect(base)
    b = connect(base)
    # a third from the same address passes the process cap but not the address's
    assert "too_many_connections_from_address" in refused(base)
    # from another address (as a proxy names it) the third fits; then the process is full
    c = connect(base, headers={"X-Forwarded-For": "10.9.9.9"})
    reason = refused(base, headers={"X-Forwarded-For": "10.9.9.8"})
    assert "连接数已满" in reason
    assert "'too_many_connections'" in reason
    assert requests.get(f"{base}/api/v1/halls/demo/services", timeout=10).status_code == 200
    a.disconnect()
    time.sleep(0.5)
    d = connect(base, headers={"X-Forwarded-For": "10.9.9.8"})  # a place came free
    for x in (b, c, d):
        x.disconnect()


def test_a_silent_socket_is_reaped_and_its_place_comes_free(capped):
    base = capped.url
    ghosts = [silent_socket(base) for _ in range(2)]  # the address is now full
    assert "连接数已满" in refused(base)
    deadline = time.monotonic() + 20
    while True:  # ping every 1 s, 1 s to answer: the server closes them within seconds
        try:
            connect(base).disconnect()
            break
        except socketio.exceptions.ConnectionError:
            assert time.monotonic() < deadline, "the silent sockets were never reaped"
            time.sleep(0.5)
    for g in ghosts:
        g.close()
