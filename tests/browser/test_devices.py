"""Devices in a real Chromium: a kiosk shows its pairing code, the manager approves it in the
console, the kiosk then issues with its own token; its printer (a real TCP listener answering
ESC/POS status bytes) runs out of paper and both the monitor and the kiosk say so; a paired
hall screen that stops its heartbeat is flagged quiet on the monitor."""
from __future__ import annotations

import pytest
import requests

from tests.browser.conftest import wait_js
from tests.browser.test_manage import manager_page
from tests.helpers import ServerProcess, login
from tests.test_devices import Printer

pytestmark = pytest.mark.browser


@pytest.fixture
def printer():
    p = Printer()
    yield p
    p.shutdown()
    p.server_close()


@pytest.fixture
def hall(tmp_path):
    """A live demo hall polling printers often, with a short quiet limit: the test waits for
    what the page shows, it does not time anything."""
    proc = ServerProcess(tmp_path / "live.db", env={
        "HALLQ_DEVICE_CHECK_S": "0.3", "HALLQ_DEVICE_QUIET_S": "3",
        "HALLQ_DEVICE_HEARTBEAT_S": "0.5"}).start()
    yield proc
    proc.kill()


def shown_code(page) -> str:
    wait_js(page, "/^[0-9]{6}$/.test(document.getElementById('pair-code').textContent)")
    return page.text_content("#pair-code")


def test_pairing_a_kiosk_in_the_console_and_the_monitor_alerts(page_factory, hall, printer):
    base = hall.url
    kiosk = page_factory(base, (1080, 1920))
    kiosk.goto("/pair/demo?name=east")
    code = shown_code(kiosk)

    console = manager_page(page_factory, base, "/manage/demo")
    wait_js(console, "document.querySelectorAll('#ap-window option').length > 1")
    console.fill("#ap-code", code)
    console.select_option("#ap-kind", "kiosk")
    console.fill("#ap-printer", printer.address)
    console.click("#approve-form button[type=submit]")
    console.wait_for_selector("#toast.ok")

    # the kiosk picks up its token by itself and opens its page, which then works with it
    kiosk.wait_for_url(f"{base}/kiosk/demo")
    wait_js(kiosk, "window.HallQ.device && HallQ.device.state"
                   " && HallQ.device.state.status === 'active'")
    issued = kiosk.evaluate("() => HallQ.issue('demo', {service: 'hukou'})")
    assert issued["ticket"]["number"]
    mgr = requests.Session()
    login(mgr, base, "manager")
    devices = mgr.get(f"{base}/api/v1/halls/demo/devices", timeout=10).json()["devices"]
    [device] = [d for d in devices if d["kind"] == "kiosk"]
    assert device["name"] == "east"
    assert device["status"] == "active"
    assert device["last_seen_at"]
    console.wait_for_selector(f'#devices-table tr[data-device="{device["id"]}"]'
                              ' td[data-printer="ok"]')

    printer.status[4] = 0x12 | 0x60  # the roll sensor: paper end
    console.wait_for_selector(f'#device-alerts li[data-device="{device["id"]}"]'
                              '[data-problems~="paper_out"]')
    wait_js(console, "document.getElementById('toast').textContent.includes('"
                     "打印机缺纸')")
    wait_js(kiosk, "!document.getElementById('device').hidden")
    assert "缺纸" in kiosk.text_content("#device-banner")
    refused = kiosk.evaluate("() => HallQ.issue('demo', {service: 'hukou'})"
                             ".then(() => null, (e) => e.code)")
    assert refused == "printer_paper_out"

    # a hall screen paired the same way, then switched off: the monitor flags it quiet
    screen = page_factory(base, (1920, 1080))
    screen.goto("/pair/demo?name=hall-1")
    code = shown_code(screen)
    console.fill("#ap-code", code)
    console.select_option("#ap-kind", "hall_screen")
    console.fill("#ap-printer", "")
    console.click("#approve-form button[type=submit]")
    screen.wait_for_url(f"{base}/display/demo")
    wait_js(screen, "window.HallQ.device && HallQ.device.state")
    screen_id = screen.evaluate("() => HallQ.device.state.id")
    console.wait_for_selector(f'#devices-table tr[data-device="{screen_id}"]')
    assert not console.query_selector(f'#device-alerts li[data-device="{screen_id}"]')
    screen.close()  # its heartbeats stop
    console.wait_for_selector(f'#device-alerts li[data-device="{screen_id}"]'
                              '[data-problems~="quiet"]', timeout=60000)
