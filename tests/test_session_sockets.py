"""On the README's production command, a logout closes the live socket the login opened
(the session check runs in the background there): a manager's console stops hearing
``alert.wait`` once its session ends."""
from __future__ import annotations

import threading

import requests
import socketio

from tests.helpers import gunicorn_server, login, seed_demo_db


def test_logout_disconnects_the_managers_socket(tmp_path):
    db = seed_demo_db(tmp_path / "s.db")
    proc = gunicorn_server(db, {"HALLQ_SESSION_CHECK_S": "0.5"}).start()
    try:
        s = requests.Session()
        token = login(s, proc.url, "manager")
        closed = threading.Event()
        sock = socketio.Client(reconnection=False)
        sock.on("disconnect", lambda *_: closed.set())
        sock.connect(proc.url, transports=["websocket"], auth={"token": token}, wait_timeout=10)
        assert sock.call("subscribe", {"managers": "demo"}, timeout=10) == {"ok": True}
        screen = socketio.Client(reconnection=False)
        screen.connect(proc.url, transports=["websocket"], wait_timeout=10)
        assert not closed.wait(1.5)  # a live session's socket stays
        s.post(f"{proc.url}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"},
               timeout=10).raise_for_status()
        assert closed.wait(20), "the ended session's socket is still open"
        assert screen.connected  # an anonymous screen is not touched
        screen.disconnect()
    finally:
        proc.kill()
