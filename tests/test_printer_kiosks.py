"""Several kiosks, each with its own network printer (HALLQ_PRINTERS), as real TCP endpoints.

Each "printer" is a raw TCP listener on 127.0.0.1, as an ESC/POS network printer on port 9100
is: the test reads what the server actually sent to it.
"""
from __future__ import annotations

import socket
import threading
import time

import pytest

from displays import printer
from queue_server import create_app, registry


class TcpPrinter:
    """A listening socket that keeps every byte any connection sends."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.data = bytearray()
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def spec(self) -> str:
        return f"network:127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                while chunk := conn.recv(65536):
                    with self._lock:
                        self.data += chunk

    def received(self, needle: bytes, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if needle in self.data:
                    return True
            time.sleep(0.02)
        return False

    def close(self) -> None:
        # shutdown first: a plain close() leaves the socket listening while accept() blocks
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


@pytest.fixture
def printers():
    ps = [TcpPrinter(), TcpPrinter()]
    yield ps
    for p in ps:
        p.close()


def _kiosk_ticket(client) -> tuple[str, str]:
    r = client.post("/api/v1/halls/demo/tickets", json={"service": "hukou", "channel": "kiosk"})
    assert r.status_code == 201
    return r.json["token"], r.json["ticket"]["number"]


def test_each_kiosk_prints_on_its_own_printer(app, client, printers):
    k1, k2 = printers
    app.config["PRINTERS"] = printer.parse_map(f"hall-k1={k1.spec}, hall-k2={k2.spec}")
    token, number = _kiosk_ticket(client)
    r = client.post("/kiosk/demo/slip", json={"token": token, "kiosk": "hall-k1"})
    assert r.status_code == 200, r.json
    assert r.json["printer"] == "ok", r.json
    assert k1.received(number.encode())
    token2, number2 = _kiosk_ticket(client)
    r = client.post("/kiosk/demo/slip", json={"token": token2, "kiosk": "hall-k2"})
    assert r.json["printer"] == "ok"
    assert k2.received(number2.encode())
    assert number.encode() not in k2.data
    assert number2.encode() not in k1.data
    # the same ticket asked again from the other kiosk: printed once only
    r = client.post("/kiosk/demo/slip", json={"token": token, "kiosk": "hall-k2"})
    assert r.json["printer"] == "already"
    assert number.encode() not in k2.data


def test_a_kiosk_not_in_the_map_uses_the_default_printer(app, client, printers):
    k1, default = printers
    app.config["PRINTERS"] = printer.parse_map(f"k1={k1.spec}")
    app.config["PRINTER"] = default.spec
    token, number = _kiosk_ticket(client)
    assert client.post("/kiosk/demo/slip", json={"token": token, "kiosk": "k7"}
                       ).json["printer"] == "ok"
    assert default.received(number.encode())
    app.config["PRINTER"] = None  # and without a default: the slip is on screen only
    token, number = _kiosk_ticket(client)
    assert client.post("/kiosk/demo/slip", json={"token": token, "kiosk": "k7"}
                       ).json["printer"] == "none"
    assert client.get(f"/api/v1/tickets/{token}").json["ticket"]["status"] == "waiting"


def test_a_dead_kiosk_printer_cancels_only_its_ticket(app, client, printers):
    k1, _ = printers
    k1.close()  # nothing listens there any more
    app.config["PRINTERS"] = printer.parse_map(f"k1={k1.spec}")
    token, _ = _kiosk_ticket(client)
    r = client.post("/kiosk/demo/slip", json={"token": token, "kiosk": "k1"})
    assert r.json["printer"] == "failed"
    assert r.json["cancelled"] is True
    assert client.get(f"/api/v1/tickets/{token}").json["ticket"]["status"] == "cancelled"


@pytest.mark.parametrize("kiosk", ["k 1", "", "x" * 33, 7, "../k1"])
def test_a_malformed_kiosk_id_is_refused_and_changes_nothing(app, client, db, kiosk):
    token, _ = _kiosk_ticket(client)
    before = db.one("SELECT COUNT(*) n FROM events")["n"]
    r = client.post("/kiosk/demo/slip", json={"token": token, "kiosk": kiosk})
    assert r.status_code in (400, 422)
    assert set(r.json["error"]) == {"code", "message"}
    assert db.one("SELECT COUNT(*) n FROM events")["n"] == before
    assert client.get(f"/api/v1/tickets/{token}").json["ticket"]["status"] == "waiting"


def test_the_kiosk_page_carries_its_id(client):
    page = client.get("/kiosk/demo?kiosk=east-2").get_data(as_text=True)
    assert 'data-kiosk="east-2"' in page
    assert client.get("/kiosk/demo?kiosk=bad%20id").status_code == 400


@pytest.mark.parametrize("value", ["k1", "k1=", "k 1=dummy", "k1=dummy,k1=dummy"])
def test_a_malformed_map_stops_the_start(tmp_path, value):
    with pytest.raises(printer.PrinterConfigError, match="HALLQ_PRINTERS"):
        create_app({"DB": str(tmp_path / "x.db"), "PRINTERS": value})


def test_the_map_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HALLQ_PRINTERS", "k1=network:10.0.0.5, k2=usb:04b8:0e15")
    app = create_app({"DB": str(tmp_path / "x.db")})
    try:
        assert app.config["PRINTERS"] == {"k1": "network:10.0.0.5", "k2": "usb:04b8:0e15"}
    finally:
        registry.db(app).close()
