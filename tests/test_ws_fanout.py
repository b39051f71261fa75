"""The production command's websocket fan-out (queue_server/live/wsfast.py): a client that stops
reading falls behind alone, and when it reads again it gets every frame, whole and in order."""
from __future__ import annotations

import base64
import json
import os
import socket
import threading
import time
from urllib.parse import urlparse

import requests

from tests.helpers import gunicorn_server, login, seed_demo_db
from tests.test_production import watch_calls

SUBSCRIBES = 800


def open_raw(url: str) -> socket.socket:
    """A Socket.IO client by hand over a plain TCP socket with a tiny receive buffer, so the
    server's writes to it back up as soon as it stops reading."""
    u = urlparse(url)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((u.hostname, u.port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {u.netloc}\r\n"
               f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert head.startswith(b"HTTP/1.1 101")
    return s


def send_text(s: socket.socket, text: str, opcode: int = 0x1) -> None:
    data, mask = text.encode(), os.urandom(4)
    n = len(data)
    b0 = 0x80 | opcode
    head = bytes([b0, 0x80 | n]) if n < 126 else bytes([b0, 0xFE]) + n.to_bytes(2, "big")
    s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))


def read_exact(s: socket.socket, n: int) -> bytes:
    out = b""
    while len(out) < n:
        chunk = s.recv(n - len(out))
        assert chunk, "the server closed the connection"
        out += chunk
    return out


def read_text(s: socket.socket) -> str:
    """One whole frame: it must be a final, unmasked text frame (or the pong answering the
    test's ping, returned as PONG)."""
    b0, b1 = read_exact(s, 2)
    assert b0 in (0x81, 0x8A), b0  # FIN, text or pong
    assert not b1 & 0x80, b1  # unmasked
    n = b1 & 0x7F
    if n == 126:
        n = int.from_bytes(read_exact(s, 2), "big")
    elif n == 127:
        n = int.from_bytes(read_exact(s, 8), "big")
    data = read_exact(s, n)
    return PONG if b0 == 0x8A else data.decode()


PONG = "<pong>"


def test_a_client_that_stops_reading_falls_behind_alone_and_loses_nothing(tmp_path):
    db = tmp_path / "prod.db"
    seed_demo_db(db)
    proc = gunicorn_server(db).start()
    try:
        # the other client first: connecting it while the server answers the flood below
        # could time out on a loaded machine (nothing to do with the fan-out)
        client, got, seen = watch_calls(proc.url)
        slow = open_raw(proc.url)
        assert read_text(slow).startswith("0{")  # Engine.IO's open packet
        send_text(slow, "40")
        assert read_text(slow).startswith("40{")
        # Each subscription answers with the hall's whole snapshot: far more than the socket
        # buffers hold while this client reads nothing.
        for _ in range(SUBSCRIBES):
            send_text(slow, '42["subscribe",{"hall":"demo"}]')
        clerk = requests.Session()
        login(clerk, proc.url, "clerk01")
        assert clerk.post(f"{proc.url}/api/v1/windows/W13/open", timeout=30).ok
        called = []
        for _ in range(3):  # the others hear every call while this one is stuck
            seen.clear()
            r = requests.post(f"{proc.url}/api/v1/halls/demo/tickets",
                              json={"service": "hukou"}, timeout=30)
            assert r.status_code == 201
            r = clerk.post(f"{proc.url}/api/v1/windows/W13/call-next", timeout=30)
            assert r.status_code == 200
            called.append(r.json()["ticket"]["number"])
            assert seen.wait(30), "a stuck client held back another client's call"
            assert got[-1]["number"] == called[-1]
            assert clerk.post(f"{proc.url}/api/v1/windows/W13/finish", timeout=30).ok
        threading.Thread(target=client.disconnect, daemon=True).start()
        # A websocket ping now, with this client's frames backed up: the server's pong must
        # wait its turn, not cut into a frame half sent.
        send_text(slow, "hallq", opcode=0x9)
        time.sleep(1)

        snapshots, heard, size, pongs = 0, [], 0, 0
        slow.settimeout(60)
        while snapshots < SUBSCRIBES or len(heard) < len(called) or not pongs:
            text = read_text(slow)
            size += len(text)
            if text == PONG:
                pongs += 1
                continue
            if text == "2":  # an Engine.IO ping
                send_text(slow, "3")
                continue
            assert text.startswith("42"), text[:40]
            name, payload = json.loads(text[2:])
            if name == "snapshot":
                snapshots += 1
                assert payload["hall"] == "demo"
            elif name == "ticket.called":
                heard.append(payload["number"])
        assert heard == called
        assert pongs == 1
        assert size > 5_000_000, size  # it did back up (see the buffers above)
    finally:
        proc.kill()
