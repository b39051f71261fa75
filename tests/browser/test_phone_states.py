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


def test_each_hold_kind_tells_the_citizen_what_to_do(live, page_factory):
    """持件: go back to the window that keeps the case; 不持件: wait to be called again; 等待:
    another department is working on it."""
    base = live.url
    clerk = requests.Session()
    login(clerk, base, "clerk01")
    assert clerk.post(f"{base}/api/v1/windows/W13/open", timeout=10).ok
    for kind, words in (("keep", "补齐后请直接回到"), ("release", "可办理的窗口"),
                        ("wait", "相关部门")):
        issued = requests.post(f"{base}/api/v1/halls/demo/tickets", json={"service": "hukou"},
                               timeout=10).json()
        phone = phone_page(page_factory, base, f"/t/{issued['token']}")
        expect(phone.locator("#t-position")).to_have_text("0")
        assert clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=10).ok
        assert clerk.post(f"{base}/api/v1/windows/W13/start", timeout=10).ok
        r = clerk.post(f"{base}/api/v1/windows/W13/hold", json={"kind": kind}, timeout=10)
        assert r.ok, r.text
        expect(phone.locator("#t-status")).to_have_attribute("data-hold-kind", kind)
        status = phone.locator("#t-status").inner_text()
        assert words in status, (kind, status)
        view = requests.get(f"{base}/api/v1/tickets/{issued['token']}", timeout=10).json()
        assert view["ticket"]["hold_kind"] == kind
        assert (view["ticket"]["window"] is not None) == (kind == "keep")
        if kind == "keep":  # the window's name, as the hall's signs show it
            assert view["ticket"]["window"]["name"] in status
        phone.close()
