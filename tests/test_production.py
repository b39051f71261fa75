"""Production: gunicorn as the README says, alone and as two processes sharing live events
through a real Redis server."""
from __future__ import annotations

import shutil
import subprocess
import threading
import time

import pytest
import requests
import socketio

from tests.helpers import free_port, gunicorn_server, login, seed_demo_db


@pytest.fixture
def redis_url(tmp_path):
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("redis-server is not installed: run `make test`, which installs it")
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    deadline = time.time() + 10
    import redis
    while True:
        try:
            redis.Redis(port=port).ping()
            break
        except redis.ConnectionError:
            if time.time() > deadline:
                raise
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(5)


def listen(base: str, event: str, subscription: dict,
           auth: dict | None = None) -> tuple[socketio.Client, list, threading.Event]:
    """A subscribed Socket.IO client collecting `event`; `seen` is set by the first one."""
    got: list = []
    seen = threading.Event()
    c = socketio.Client(reconnection=False)

    def on_event(data):
        got.append(data)
        seen.set()

    c.on(event, on_event)
    c.connect(base, transports=["websocket"], auth=auth)
    assert c.call("subscribe", subscription) == {"ok": True}
    return c, got, seen


def watch_calls(base: str) -> tuple[socketio.Client, list, threading.Event]:
    return listen(base, "ticket.called", {"hall": "demo"})


def issue_and_call(issue_base: str, call_base: str) -> str:
    r = requests.post(f"{issue_base}/api/v1/halls/demo/tickets", json={"service": "hukou"},
                      timeout=10)
    assert r.status_code == 201
    issued = r.json()["ticket"]["number"]
    clerk = requests.Session()
    login(clerk, call_base, "clerk01")
    assert clerk.post(f"{call_base}/api/v1/windows/W13/open", timeout=10).ok
    r = clerk.post(f"{call_base}/api/v1/windows/W13/call-next", timeout=10)
    assert r.status_code == 200
    assert r.json()["ticket"]["number"] == issued
    return issued


def test_gunicorn_issue_call_event(tmp_path):
    db = tmp_path / "prod.db"
    seed_demo_db(db)
    proc = gunicorn_server(db).start()
    try:
        client, got, seen = watch_calls(proc.url)
        number = issue_and_call(proc.url, proc.url)
        assert seen.wait(5)
        assert got[0]["number"] == number
        threading.Thread(target=client.disconnect, daemon=True).start()
    finally:
        proc.kill()


def test_two_processes_share_live_events_through_redis(tmp_path, redis_url):
    db = tmp_path / "prod.db"
    seed_demo_db(db)
    # Both processes check wait limits five times a second (超时预警).
    env = {"HALLQ_MESSAGE_QUEUE": redis_url, "HALLQ_ALERT_INTERVAL_S": "0.2"}
    a, b = gunicorn_server(db, env).start(), gunicorn_server(db, env).start()
    try:
        client, got, seen = watch_calls(b.url)  # the screen is on process B ...
        number = issue_and_call(a.url, a.url)   # ... the ticket is issued and called on A
        assert seen.wait(5), "the call made on A never reached the screen on B"
        assert got[0]["number"] == number
        assert got[0]["window"]["id"] == "W13"
        threading.Thread(target=client.disconnect, daemon=True).start()
        watch_one_wait_alert(a.url, b.url)
    finally:
        a.kill()
        b.kill()


def watch_one_wait_alert(a: str, b: str) -> None:
    """A manager on B gets exactly one ``alert.wait`` for a ticket issued on A, although both
    processes check: the database, not each process's memory, decides what was sent."""
    manager = requests.Session()
    token = login(manager, a, "manager")
    r = manager.patch(f"{a}/api/v1/halls/demo/services/fund", json={"wait_limit_s": 1},
                      timeout=10)
    assert r.status_code == 200, r.text
    c, alerts, first = listen(b, "alert.wait", {"managers": "demo"}, auth={"token": token})
    try:
        r = requests.post(f"{a}/api/v1/halls/demo/tickets", json={"service": "fund"}, timeout=10)
        assert r.status_code == 201
        number = r.json()["ticket"]["number"]
        assert first.wait(5), "no alert.wait reached the manager"
        time.sleep(1.0)  # five more passes in each process: nothing more may come
        assert [x["number"] for x in alerts] == [number]
    finally:
        threading.Thread(target=c.disconnect, daemon=True).start()
