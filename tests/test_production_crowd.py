"""The README's production command holds more live clients than a thread-per-connection
worker has threads, and keeps answering HTTP meanwhile: 400 real Socket.IO clients (Node's
socket.io-client), then a kiosk issue and a clerk's call-next, which every client hears.

On the command it replaced (gunicorn gthread, 100 threads) the 101st client already hangs and
HTTP stops answering: ``CROWD_WORKER=gthread pytest tests/test_production_crowd.py`` shows it.
"""
from __future__ import annotations

import os
import queue
import subprocess
import threading

import pytest
import requests

from tests.helpers import LOAD_ENV, ROOT, gunicorn_server, login, seed_demo_db

CLIENTS = 400


def lines_of(proc: subprocess.Popen) -> queue.Queue:
    out: queue.Queue = queue.Queue()

    def pump():
        for line in proc.stdout:
            out.put(line.strip())
    threading.Thread(target=pump, daemon=True).start()
    return out


def wait_for(lines: queue.Queue, wanted: str, timeout: float) -> None:
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no {wanted!r} from the crowd within {timeout} s")
        assert not line.startswith("error"), line
        if line == wanted:
            return


@pytest.mark.slow
def test_the_production_command_holds_a_crowd_and_keeps_answering(tmp_path):
    db = seed_demo_db(tmp_path / "crowd.db")
    server = gunicorn_server(db, LOAD_ENV, worker=os.environ.get("CROWD_WORKER", "readme"))
    server.start()
    crowd = subprocess.Popen(["node", str(ROOT / "tests" / "js" / "crowd.js"), server.url,
                              str(CLIENTS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, cwd=ROOT)
    try:
        lines = lines_of(crowd)
        wait_for(lines, "ready", 120)  # every client connected, subscribed, has its snapshot
        r = requests.post(f"{server.url}/api/v1/halls/demo/tickets", json={"service": "hukou"},
                          timeout=10)
        assert r.status_code == 201, r.text
        clerk = requests.Session()
        login(clerk, server.url, "clerk01")
        assert clerk.post(f"{server.url}/api/v1/windows/W13/open", timeout=10).ok
        r = clerk.post(f"{server.url}/api/v1/windows/W13/call-next", timeout=10)
        assert r.status_code == 200, r.text
        wait_for(lines, f"heard {r.json()['ticket']['number']}", 30)
        assert requests.get(f"{server.url}/healthz", timeout=10).ok
    finally:
        crowd.stdin.close()
        crowd.wait(30)
        server.kill()
