"""The clerk terminal in a real Chromium: a hold kind chosen with one key (H, then 1/2/3),
the released case appearing live on another window's held list and on the manager's monitor,
resumed there with a click, and an outcome chosen with one key at finish (F, then 1…5)."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import wait_js
from tests.browser.test_clerk_polish import sign_in
from tests.browser.test_manage import manager_page
from tests.helpers import login

pytestmark = pytest.mark.browser
NA = re.compile(r"\bna\b")


def test_hold_kind_and_outcome_chosen_with_one_key(live, page_factory):
    base = live.url
    number = requests.post(f"{base}/api/v1/halls/demo/tickets",
                           json={"service": "hukou", "channel": "kiosk"},
                           timeout=10).json()["ticket"]["number"]
    a = page_factory(base, (1366, 768))
    sign_in(a, "clerk01")
    a.click("[data-window=W13]")
    expect(a.locator("#hdr-status")).to_have_text("关闭")
    a.keyboard.press("o")
    expect(a.locator('[data-act="call-next"]')).not_to_have_class(NA)
    expect(a.locator("#hdr-status")).to_have_text("开放")
    a.keyboard.press("n")
    expect(a.locator("#msg")).to_contain_text(number)
    expect(a.locator("#cur-number")).to_have_text(number)
    a.keyboard.press("s")
    expect(a.locator('[data-act="start"]')).to_have_class(NA)

    b = page_factory(base, (1366, 768))  # W14 serves hukou as well
    sign_in(b, "clerk02")
    b.click("[data-window=W14]")
    expect(b.locator("#hdr-status")).to_have_text("关闭")
    b.keyboard.press("o")
    expect(b.locator("#hdr-status")).to_have_text("开放")
    expect(b.locator("#held li.none")).to_be_visible()
    monitor = manager_page(page_factory, base, "/manage/demo")
    expect(monitor.locator("#held-none")).to_be_visible()
    hall = page_factory(base, (1920, 1080))  # the public hall screen: seq without gaps
    hall.goto("/display/demo")
    wait_js(hall, "window.__hallq && window.__hallq.live.state.snapshots === 1")
    seq0 = hall.evaluate("window.__hallq.live.state.seq")

    a.keyboard.press("h")  # the kinds, one key each
    expect(a.locator("#dlg-choices [data-choice]")).to_have_count(3)
    expect(a.locator("#dlg-choices [data-choice=release]")).to_contain_text("不持件挂起")
    a.keyboard.press("2")
    expect(a.locator("#dlg-input")).to_be_visible()  # then the reason
    a.keyboard.type("回家取户口本")
    a.keyboard.press("Enter")
    expect(a.locator("#cur-number")).to_have_text("—")
    held = a.locator("#held li[data-kind=release]")
    expect(held).to_contain_text(number)
    expect(held.locator(".kind")).to_have_text("不持件挂起")
    sent = [u for u in a.record.requests if u.endswith("/windows/W13/hold")]
    assert len(sent) == 1

    # released: the other window hears of it at once and may resume it; so does the monitor
    other = b.locator("#held li[data-ticket]")
    expect(other).to_contain_text(number)
    expect(monitor.locator("#held-table tr[data-kind=release]")).to_contain_text(number)
    expect(monitor.locator("#held-table tr[data-kind=release]")).to_contain_text("回家取户口本")
    other.locator("[data-resume]").click()
    expect(b.locator("#cur-number")).to_have_text(number)
    expect(b.locator("#cur-status")).to_have_text("办理中")
    expect(a.locator("#held li.none")).to_be_visible()  # gone from the first one's list
    expect(monitor.locator("#held-none")).to_be_visible()

    b.keyboard.press("f")  # the hall's outcomes, one key each; Esc first: nothing sent
    expect(b.locator("#dlg-choices [data-choice]")).to_have_count(5)
    b.keyboard.press("Escape")
    expect(b.locator("#cur-number")).to_have_text(number)
    assert not [u for u in b.record.requests if u.endswith("/finish")]
    b.keyboard.press("f")
    expect(b.locator("#dlg-choices [data-choice=correction]")).to_contain_text("需补正")
    b.keyboard.press("3")
    expect(b.locator("#cur-number")).to_have_text("—")
    expect(b.locator("#msg")).to_contain_text("需补正")

    s = requests.Session()
    login(s, base, "manager")
    stats = s.get(f"{base}/api/v1/halls/demo/stats", timeout=10).json()
    assert {o["outcome"]: o["served"] for o in stats["by_outcome"]}["correction"] == 1
    kinds = {k["kind"]: k for k in stats["holds"]}
    assert (kinds["release"]["holds"], kinds["release"]["resumed"]) == (1, 1)
    expect(monitor.locator("#outcomes [data-outcome=correction]")).to_contain_text("1")
    # the hall screen took every holds.updated in its stride: no gap, so no second snapshot
    # (hold 2 events, resume 2, finish 1)
    wait_js(hall, f"window.__hallq.live.state.seq >= {seq0 + 5}", timeout=5000)
    assert hall.evaluate("window.__hallq.live.state.snapshots") == 1


def test_the_manager_sets_outcomes_and_hold_timers_in_the_console(live, page_factory):
    base = live.url
    page = manager_page(page_factory, base, "/manage/demo/settings")
    box = page.locator("#outcomes")
    expect(box).to_have_value(re.compile(r"^settled 办结 Settled\n"))
    box.fill("done 办结 Done\nconsult 咨询 Enquiry only\n")
    page.click("#outcomes-form button[type=submit]")
    expect(page.locator("#toast")).to_contain_text("已保存")
    got = requests.get(f"{base}/api/v1/halls/demo/outcomes", timeout=10).json()["outcomes"]
    assert got == [{"code": "done", "name": "办结", "name_en": "Done"},
                   {"code": "consult", "name": "咨询", "name_en": "Enquiry only"}]
    expect(page.locator("#hr-release")).to_have_value("30")
    page.fill("#hr-keep", "45")
    page.fill("#hr-release", "")
    page.click("#hold-return-form button[type=submit]")
    s = requests.Session()
    login(s, base, "manager")
    for _ in range(50):
        after = s.get(f"{base}/api/v1/halls/demo/holds", timeout=10).json()["return_after_s"]
        if after["keep"] == 2700:
            break
        page.wait_for_timeout(100)
    assert after == {"keep": 2700, "release": None, "wait": None}
