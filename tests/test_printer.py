"""The kiosk slip: escpos output (Dummy printer), and no ghost numbers when printing fails."""
from __future__ import annotations

import pytest
from escpos.printer import Dummy

from displays import printer

SLIP = printer.Slip(hall_name="示范区政务服务中心", number="A012", service_name="企业设立登记",
                    issued_at="2024-05-06 09:30", ahead=3, url="http://hall.local/t/abc")


def test_open_printer_specs():
    assert printer.open_printer(None) is None
    assert printer.open_printer("") is None
    assert isinstance(printer.open_printer("dummy"), Dummy)
    net = printer.open_printer("network:10.0.0.9:9101")
    assert (net.host, net.port) == ("10.0.0.9", 9101)
    for bad in ("usb:zz:1", "serial:/dev/x", "network:"):
        with pytest.raises(printer.PrinterConfigError):
            printer.open_printer(bad)


def test_slip_bytes():
    p = Dummy()
    printer.print_slip(p, SLIP)
    out = p.output
    assert b"A012" in out
    assert "企业设立登记".encode("gb18030") in out
    assert "前面还有：3 人".encode("gb18030") in out
    assert printer.FS_CHINESE_ON in out
    assert b"http://hall.local/t/abc" in out  # the QR code's data
    assert out.endswith(b"\x1dV\x00")  # cut
    assert "预约".encode("gb18030") not in out


def test_appointment_slip_is_marked():
    from dataclasses import replace
    p = Dummy()
    printer.print_slip(p, replace(SLIP, mark="预约"))
    assert "排队凭条 · 预约".encode("gb18030") in p.output


def _issue(client) -> str:
    r = client.post("/api/v1/halls/demo/tickets", json={"service": "hukou", "channel": "kiosk"})
    assert r.status_code == 201
    return r.json["token"]


def test_slip_without_printer(app, client):
    token = _issue(client)
    r = client.post("/kiosk/demo/slip", json={"token": token})
    assert r.status_code == 200
    assert r.json["printer"] == "none"
    assert r.json["qr_svg"].startswith("<svg")
    assert r.json["url"].endswith("/t/" + token)
    assert client.get(f"/api/v1/tickets/{token}").json["ticket"]["status"] == "waiting"


def test_slip_prints_once(app, client):
    dummy = Dummy()
    app.config["PRINTER_FACTORY"] = lambda: dummy
    token = _issue(client)
    assert client.post("/kiosk/demo/slip", json={"token": token}).json["printer"] == "ok"
    assert b"F001" in dummy.output
    assert client.post("/kiosk/demo/slip", json={"token": token}).json["printer"] == "already"


class BrokenPrinter(Dummy):
    def _raw(self, msg: bytes) -> None:
        raise OSError("paper out")


def test_failed_print_cancels_ticket(app, client):
    app.config["PRINTER_FACTORY"] = BrokenPrinter
    token = _issue(client)
    r = client.post("/kiosk/demo/slip", json={"token": token})
    assert r.json["printer"] == "failed"
    assert r.json["cancelled"] is True
    assert client.get(f"/api/v1/tickets/{token}").json["ticket"]["status"] == "cancelled"


def test_bad_printer_setting_cancels_too(app, client):
    app.config["PRINTER"] = "serial:/dev/nothing"
    token = _issue(client)
    r = client.post("/kiosk/demo/slip", json={"token": token})
    assert r.json["printer"] == "failed"
    assert r.json["cancelled"] is True


def test_slip_refuses_unknown_tokens(client):
    assert client.post("/kiosk/demo/slip", json={"token": "nope"}).status_code == 404
    assert client.post("/kiosk/demo/slip", json={}).status_code == 400
    assert client.post("/kiosk/other/slip", json={"token": _issue(client)}).status_code == 404
