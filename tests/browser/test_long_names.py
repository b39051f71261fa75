"""A window name of the longest allowed length (40 characters) stays inside the hall screen's
call panel and leaves the recent calls where they are (from the first-week issue)."""
from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.browser.test_pages_flow import clerk_session, open_hall_screen
from tests.helpers import login

LONG = "综合受理" * 10  # 40 characters, the limit


def test_a_forty_character_window_name_fits_the_call_panel(live, page_factory):
    base = live.url
    boss = requests.Session()
    login(boss, base, "manager")
    assert boss.patch(f"{base}/api/v1/halls/demo/windows/W01", json={"name": LONG},
                      timeout=10).ok
    hall = open_hall_screen(page_factory, base)
    idle = layout(hall)
    for _ in range(2):
        requests.post(f"{base}/api/v1/halls/demo/tickets", json={"service": "biz-setup"},
                      timeout=10).raise_for_status()
    clerk = clerk_session(base, "clerk01", "W01")
    for _ in range(2):
        assert clerk.post(f"{base}/api/v1/windows/W01/call-next", timeout=10).ok
        assert clerk.post(f"{base}/api/v1/windows/W01/finish", timeout=10).ok
    expect(hall.locator("#now-number")).to_have_text("A002")
    expect(hall.locator("#now-window")).to_contain_text("综合受理")
    # a call makes the panel flash (scale 1.025 about its centre): boxes on screen scale
    # together, so containment holds whatever the moment; widths are compared as laid out
    card = hall.locator("#now").bounding_box()
    name = hall.locator("#now-window").bounding_box()
    assert name["x"] >= card["x"] - 1, (name, card)
    assert name["x"] + name["width"] <= card["x"] + card["width"] + 1, (name, card)
    assert name["y"] + name["height"] <= card["y"] + card["height"] + 1, (name, card)
    assert layout(hall) == idle  # the call panel keeps its column, nothing overflows it
    recent = hall.locator(".recent").bounding_box()
    assert recent["x"] >= card["x"] + card["width"], (recent, card)  # beside it, not under
    row = hall.locator(".recent li").first
    assert hall.evaluate("(li) => li.scrollWidth <= li.clientWidth + 1", row.element_handle())


def layout(page) -> dict:
    return page.evaluate("""() => {
      const card = document.getElementById('now');
      return {width: card.offsetWidth, height: card.offsetHeight,
              overflow: card.scrollWidth > card.clientWidth,
              recent_left: document.querySelector('.recent').offsetLeft};
    }""")
