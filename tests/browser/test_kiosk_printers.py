"""Two kiosks, two network printers (HALLQ_PRINTERS), in Chromium against a real server."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.helpers import ServerProcess
from tests.test_printer_kiosks import TcpPrinter


def test_each_kiosk_page_prints_on_its_own_printer(tmp_path, page_factory):
    east, west = TcpPrinter(), TcpPrinter()
    server = ServerProcess(tmp_path / "live.db", env={
        "HALLQ_PRINTERS": f"east={east.spec},west={west.spec}"}).start()
    try:
        numbers = {}
        for kiosk_id in ("east", "west"):
            kiosk = page_factory(server.url, (1080, 1920))
            kiosk.goto(f"/kiosk/demo?kiosk={kiosk_id}")
            kiosk.click("[data-category=biz]")
            kiosk.click("[data-service=biz-setup]")
            kiosk.click("#take")
            expect(kiosk.locator("#slip-number")).to_have_text("A00" + str(len(numbers) + 1))
            numbers[kiosk_id] = kiosk.locator("#slip-number").inner_text().encode()
        assert east.received(numbers["east"])
        assert west.received(numbers["west"])
        assert numbers["west"] not in east.data
        assert numbers["east"] not in west.data
    finally:
        server.kill()
        east.close()
        west.close()
