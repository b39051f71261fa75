"""Front-end details a newcomer found: clocks in the hall's time zone, the idle hall screen,
rating reasons sent in Chinese from an English page, the login error toast, disabled look."""
from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import requests
from playwright.sync_api import expect

from tests.browser.conftest import wait_js
from tests.helpers import PASSWORD, login


def test_clocks_show_the_halls_time_zone_not_the_browsers(live, page_factory):
    # The browser runs in another zone: the clocks must still read the hall's (Asia/Shanghai).
    hall = page_factory(live.url, (1920, 1080), timezone_id="America/New_York")
    hall.goto("/display/demo")
    wait_js(hall, "document.getElementById('clock-time').textContent.length > 0")
    kiosk = page_factory(live.url, (1080, 1920), timezone_id="America/New_York")
    kiosk.goto("/kiosk/demo")
    wait_js(kiosk, "document.getElementById('clock').textContent.length > 0")
    # Around a minute's edge either side may show: accept the times just before and after.
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    ok = {(now + dt.timedelta(seconds=d)).strftime("%Y-%m-%d %H:%M") for d in (-70, -10, 0, 10, 70)}
    assert kiosk.locator("#clock").text_content() in ok
    assert hall.locator("#clock-time").text_content()[:5] in {x[11:] for x in ok}
    assert hall.locator("#screen-clock").get_attribute("data-tz") == "Asia/Shanghai"


def test_idle_hall_screen_welcomes_without_please_go_to(live, page_factory):
    hall = page_factory(live.url, (1920, 1080))
    hall.goto("/display/demo")
    wait_js(hall, "window.__hallq && window.__hallq.live.state.snapshots >= 1")
    expect(hall.locator(".idle-welcome")).to_have_text("欢迎光临")
    expect(hall.locator(".now-arrow")).to_be_hidden()
    expect(hall.locator("#now-number")).to_be_hidden()


def test_english_rating_sends_the_chinese_reason(live, page_factory):
    base = live.url
    token = requests.post(f"{base}/api/v1/halls/demo/tickets",
                          json={"service": "biz-setup", "channel": "kiosk"},
                          timeout=10).json()["token"]
    s = requests.Session()
    login(s, base, "clerk01")
    for a in ("open", "call-next", "start", "finish"):
        s.post(f"{base}/api/v1/windows/W01/{a}", timeout=10).raise_for_status()
    phone = page_factory(base, (390, 844), is_mobile=True, has_touch=True)
    bodies: list[str] = []
    phone.on("request", lambda r: bodies.append(r.post_data or "") if r.method == "POST" else None)
    phone.goto(f"/t/{token}?lang=en")
    phone.click("[data-score='1']")
    btn = phone.locator("#rate-btn")
    expect(btn).to_be_disabled()
    # A disabled red button is grey, not red.
    assert btn.evaluate("b => getComputedStyle(b).cursor") == "not-allowed"
    assert btn.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(200, 22, 29)"
    expect(phone.locator("[data-reason=r_slow]")).to_have_text("Slow service")
    phone.click("[data-reason=r_slow]")
    phone.click("#rate-btn")
    expect(phone.locator("#rated")).to_be_visible()
    assert [json.loads(b)["reason"] for b in bodies if "score" in b] == ["办理效率低"]


def test_clerk_login_error_cleared_and_shortcuts_of_disabled_buttons_do_nothing(live, page_factory):
    clerk = page_factory(live.url, (1366, 768))
    clerk.goto("/clerk")
    clerk.fill("#username", "clerk01")
    clerk.fill("#password", "wrong-password")
    clerk.click("#login-form button[type=submit]")
    expect(clerk.locator("#msg")).to_be_visible()
    clerk.fill("#password", PASSWORD)
    clerk.click("#login-form button[type=submit]")
    expect(clerk.locator("#window-list [data-window=W01]")).to_be_visible()
    expect(clerk.locator("#msg")).to_be_hidden()
    clerk.click("[data-window=W01]")
    expect(clerk.locator("#hdr-status")).to_have_text("关闭")
    expect(clerk.locator("#cur-empty")).to_be_visible()
    for key in ("t", "h", "n"):  # transfer, hold, call-next: all disabled on a closed window
        clerk.keyboard.press(key)
    clerk.wait_for_timeout(300)
    assert not clerk.locator("#dlg").evaluate("d => d.open")
    assert not any("/transfer" in u or "/hold" in u or "/call-next" in u
                   for u in clerk.record.requests)
    cursor = clerk.locator('[data-act="finish"]').evaluate("b => getComputedStyle(b).cursor")
    assert cursor == "not-allowed"
