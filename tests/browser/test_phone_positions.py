"""The citizen's phone page follows its place from its service's queue.positions frames (one
frame per service for every phone), and still hears its own call."""
from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.helpers import login


def test_the_phone_moves_up_and_is_called(live, page_factory):
    base = live.url
    tickets = [requests.post(f"{base}/api/v1/halls/demo/tickets", json={"service": "hukou"},
                             timeout=10).json() for _ in range(3)]
    phone = page_factory(base, (390, 844), is_mobile=True, has_touch=True)
    phone.goto(f"/t/{tickets[2]['token']}")
    expect(phone.locator("#t-position")).to_have_text("2")
    clerk = requests.Session()
    login(clerk, base, "clerk01")
    assert clerk.post(f"{base}/api/v1/windows/W13/open", timeout=10).ok
    for ahead in ("1", "0"):
        assert clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=10).ok
        expect(phone.locator("#t-position")).to_have_text(ahead)
        assert clerk.post(f"{base}/api/v1/windows/W13/finish", timeout=10).ok
    r = clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=10)
    assert r.json()["ticket"]["number"] == tickets[2]["ticket"]["number"]
    expect(phone.locator("#t-status")).to_have_text("正在叫号")
