"""老年模式 at the kiosk in real Chromium: one tap to large, high-contrast text; an elderly
citizen's ID typed by a card reader (as a keyboard does) makes the ticket a priority one, and
the next citizen starts from the standard kiosk with no ID kept."""
from __future__ import annotations

import json
from datetime import date

import requests
from playwright.sync_api import expect

from tests.browser.conftest import wait_js
from tests.helpers import login
from tests.test_agents import make_id


def test_the_elderly_mode_kiosk_issues_a_priority_ticket_for_an_elderly_id(live, page_factory):
    base = live.url
    kiosk = page_factory(base, (1080, 1920))
    kiosk.goto("/kiosk/demo?idle=3")
    kiosk.wait_for_selector("#categories .tile")
    kiosk.click("#elder-toggle")
    assert kiosk.evaluate("() => document.body.classList.contains('elder')")
    assert kiosk.locator("#elder-toggle").inner_text() == "退出老年模式"
    # high contrast: the tiles turn yellow on black
    assert kiosk.evaluate("() => getComputedStyle(document.querySelector('.tile'))"
                          ".backgroundColor") == "rgb(0, 0, 0)"
    kiosk.locator("#categories .tile").first.click()
    kiosk.locator("#services .row").first.click()
    wait_js(kiosk, "!document.getElementById('step-confirm').hidden", timeout=5000)
    assert "70" in kiosk.locator("#id-entry-hint").inner_text()
    elder = make_id(date(1948, 5, 20), 7)
    kiosk.click("#id-field")
    for ch in elder[:10]:  # part on the on-screen pad ...
        kiosk.click(f"#id-keypad [data-id-key='{ch}']")
    kiosk.keyboard.type(elder[10:])  # ... the rest as a card reader types it
    expect(kiosk.locator("#id-value")).to_have_text("•" * 14 + elder[-4:])
    with kiosk.expect_response(lambda r: r.url.endswith("/api/v1/halls/demo/tickets")) as resp:
        kiosk.click("#take")
    ticket = resp.value.json()["ticket"]
    assert ticket["priority"] == 1
    kiosk.wait_for_selector("#step-slip:not([hidden])")
    view = requests.get(f"{base}/api/v1/tickets/{resp.value.json()['token']}", timeout=10)
    assert view.json()["ticket"]["priority"] == 1
    # the kiosk resets for the next citizen: standard text, no ID kept
    kiosk.click("#done-btn")
    wait_js(kiosk, "!document.getElementById('step-category').hidden", timeout=5000)
    assert not kiosk.evaluate("() => document.body.classList.contains('elder')")
    assert kiosk.evaluate("() => HallQ.kioskId.value()") is None


def test_an_agent_takes_a_ticket_for_someone_else_at_the_kiosk(live, page_factory):
    """代办: the box ticked, the holder's ID and then the agent's own; one ID only is refused
    on the kiosk before anything is issued."""
    base = live.url
    kiosk = page_factory(base, (1080, 1920))
    kiosk.goto("/kiosk/demo")
    kiosk.wait_for_selector("#categories .tile")
    kiosk.locator("#categories .tile").first.click()
    kiosk.locator("#services .row").first.click()
    wait_js(kiosk, "!document.getElementById('step-confirm').hidden", timeout=5000)
    expect(kiosk.locator("#agent-field")).to_be_hidden()
    kiosk.check("#agent-on")
    expect(kiosk.locator("#agent-field")).to_be_visible()
    holder, agent = make_id(date(1990, 2, 2), 3), make_id(date(1985, 3, 3), 4)
    kiosk.keyboard.type(holder)
    kiosk.click("#take")  # the agent's ID is still missing
    expect(kiosk.locator("#confirm-error")).to_contain_text("两个身份证号")
    kiosk.keyboard.type(agent)  # typing moved on to the agent's field by itself
    expect(kiosk.locator("#agent-value")).to_have_text("•" * 14 + agent[-4:])
    with kiosk.expect_response(lambda r: r.url.endswith("/api/v1/halls/demo/tickets")) as resp:
        kiosk.click("#take")
    assert resp.value.status == 201
    assert json.loads(resp.value.request.post_data) == {
        **json.loads(resp.value.request.post_data), "id_number": holder,
        "agent_id_number": agent}
    mgr = requests.Session()
    login(mgr, base, "manager")
    events = mgr.get(f"{base}/api/v1/halls/demo/audit", params={"action": "issue"},
                     timeout=10).json()["events"]
    assert [e["detail"].get("agent") for e in events if e["action"] == "issue"] == [True]
