"""The kiosk slip refuses malformed bodies (4xx in the contract's shape, never a 5xx), prints
and cancels only the kiosk's own waiting ticket, reads its settings from app.config only, and
remembers a bounded number of printed tickets."""
from __future__ import annotations

import pytest
from escpos.printer import Dummy

from displays import kiosk
from queue_server import registry
from tests.helpers import error_code

H = "/api/v1/halls/demo"


def _issue(client, channel="kiosk") -> str:
    r = client.post(f"{H}/tickets", json={"service": "hukou", "channel": channel})
    assert r.status_code == 201
    return r.json["token"]


@pytest.mark.parametrize("raw", [
    b"[1]", b'"x"', b"1", b"null", b"{bad", b'{"token": 5}', b'{"token": "x", "extra": 1}',
    b'{"token": "' + b"a" * 200 + b'"}'])
def test_slip_refuses_malformed_bodies(client, raw):
    r = client.post("/kiosk/demo/slip", data=raw, content_type="application/json")
    assert error_code(r) in {"malformed_json", "malformed_body", "missing_field", "wrong_type",
                             "unknown_field", "too_long"}


class BrokenPrinter(Dummy):
    def _raw(self, msg: bytes) -> None:
        raise OSError("paper out")


def test_slip_of_a_mobile_ticket_is_refused_and_never_cancels_it(app, client):
    app.config["PRINTER_FACTORY"] = BrokenPrinter
    token = _issue(client, "mobile")
    r = client.post("/kiosk/demo/slip", json={"token": token})
    assert r.status_code == 409
    assert error_code(r) == "not_kiosk_ticket"
    assert client.get(f"/api/v1/tickets/{token}").json["ticket"]["status"] == "waiting"


def test_slip_of_a_ticket_no_longer_waiting_is_refused(app, client):
    app.config["PRINTER_FACTORY"] = BrokenPrinter
    token = _issue(client)
    assert client.delete(f"/api/v1/tickets/{token}").status_code == 200
    r = client.post("/kiosk/demo/slip", json={"token": token})
    assert r.status_code == 409
    assert error_code(r) == "not_waiting"


def test_printer_and_public_url_come_from_app_config_only(app, client, monkeypatch):
    monkeypatch.setenv("HALLQ_PUBLIC_URL", "http://from-env.example")
    monkeypatch.setenv("HALLQ_PRINTER", "serial:/dev/nothing")  # would fail if read
    token = _issue(client)
    r = client.post("/kiosk/demo/slip", json={"token": token})
    assert r.status_code == 200
    assert r.json["printer"] == "none"
    assert "from-env" not in r.json["url"]
    app.config["PUBLIC_URL"] = "http://hall.example.gov.cn/"
    r = client.post("/kiosk/demo/slip", json={"token": _issue(client)})
    assert r.json["url"].startswith("http://hall.example.gov.cn/t/")


def test_the_english_kiosks_qr_opens_the_english_phone_page(client):
    r = client.post("/kiosk/demo/slip", json={"token": _issue(client), "lang": "en"})
    assert r.status_code == 200
    assert r.json["url"].endswith("?lang=en")
    zh = client.post("/kiosk/demo/slip", json={"token": _issue(client), "lang": "zh"})
    assert "?" not in zh.json["url"]
    assert client.post("/kiosk/demo/slip", json={"token": _issue(client), "lang": "fr"}
                       ).status_code == 422


def test_printed_memory_is_bounded(app, client, monkeypatch):
    monkeypatch.setattr(kiosk, "PRINTED_KEEP", 2)
    app.config["PRINTER_FACTORY"] = Dummy
    tokens = [_issue(client) for _ in range(3)]
    for tk in tokens:
        assert client.post("/kiosk/demo/slip", json={"token": tk}).json["printer"] == "ok"
    assert len(registry.services(app).printed) == 2
    assert client.post("/kiosk/demo/slip", json={"token": tokens[2]}).json["printer"] == "already"
