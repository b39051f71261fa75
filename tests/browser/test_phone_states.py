"""What the citizen's phone page says when there is no window for the ticket, after a
no-show, and for a link that is no ticket (from the first-week issue)."""
from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.helpers import login


def phone_page(page_factory, base: str, path: str):
    phone = page_factory(base, (390, 844), is_mobile=True, has_touch=True)
    phone.goto(path)
    return phone


def test_no_window_is_not_almost_next_and_a_no_show_says_what_now(live, page_factory):
    base = live.url
    issued = requests.post(f"{base}/api/v1/halls/demo/tickets", json={"service": "hukou"},
                           timeout=10).json()
    phone = phone_page(page_factory, base, f"/t/{issued['token']}")
    expect(phone.locator("#t-position")).to_have_text("0")
    # first in line, but no window is open: no "almost next", say there is no window
    expect(phone.locator("#no-window")).to_be_visible()
    expect(phone.locator("#near")).to_be_hidden()
    clerk = requests.Session()
    login(clerk, base, "clerk01")
    assert clerk.post(f"{base}/api/v1/windows/W13/open", timeout=10).ok
    expect(phone.locator("#near")).to_be_visible()
    expect(phone.locator("#no-window")).to_be_hidden()
    assert clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=10).ok
    assert clerk.post(f"{base}/api/v1/windows/W13/no-show", timeout=10).ok
    expect(phone.locator("#gone")).to_contain_text("重新取号")
    expect(phone.locator("#alerts-btn")).to_be_hidden()


def test_a_link_that_is_no_ticket_offers_no_alerts(live, page_factory):
    phone = phone_page(page_factory, live.url, "/t/" + "x" * 32)
    expect(phone.locator("#load-error")).to_be_visible()
    expect(phone.locator("#alerts-btn")).to_be_hidden()
