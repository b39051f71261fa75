"""The citizen's own channel (issue 16): a phone takes a ticket on /m/<hall>, follows it to the
call, postpones once, misses the call and rejoins, all in a mobile viewport."""
from __future__ import annotations

import re

import requests
from playwright.sync_api import expect

from tests.helpers import PASSWORD, login

API = "/api/v1"


def phone(page_factory, base: str, path: str):
    p = page_factory(base, (390, 844), is_mobile=True, has_touch=True)
    p.goto(path)
    return p


def test_a_phone_takes_a_ticket_postpones_misses_the_call_and_rejoins(live, page_factory):
    base = live.url
    clerk = requests.Session()
    login(clerk, base, "clerk01")
    assert clerk.post(f"{base}{API}/windows/W13/open", timeout=10).ok
    p = phone(page_factory, base, "/m/demo")
    row = p.locator(".m-row[data-service=hukou]")
    expect(row).to_contain_text("本业务等候 0 人")
    row.click()
    expect(p.locator("#m-materials li").first).to_be_visible()
    p.locator("#m-take").click()
    p.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]+$"))
    token = p.url.rsplit("/", 1)[1]
    expect(p.locator("#t-number")).to_have_text("F001")
    assert requests.get(f"{base}{API}/tickets/{token}", timeout=10).json()["ticket"]["status"] \
        == "waiting"
    for _ in range(3):  # three people behind, at the kiosk
        assert requests.post(f"{base}{API}/halls/demo/tickets", json={"service": "hukou"},
                             timeout=10).status_code == 201
    expect(p.locator("#t-position")).to_have_text("0")
    # 顺延: the next three go ahead
    expect(p.locator("#postpone-card")).to_be_visible()
    p.locator("#postpone-btn").click()
    p.locator("#postpone-yes").click()
    expect(p.locator("#moves-msg")).to_contain_text("已顺延")
    expect(p.locator("#t-position")).to_have_text("3")
    expect(p.locator("#postpone-card")).to_be_hidden()  # once per ticket
    again = requests.post(f"{base}{API}/tickets/{token}/postpone", timeout=10)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "postpone_limit"
    called = []
    for _ in range(4):
        r = clerk.post(f"{base}{API}/windows/W13/call-next", timeout=10).json()
        called.append(r["ticket"]["number"])
        if r["ticket"]["number"] != "F001":
            assert clerk.post(f"{base}{API}/windows/W13/finish", timeout=10).ok
    assert called == ["F002", "F003", "F004", "F001"]
    expect(p.locator("#called")).to_be_visible()
    expect(p.locator("#called-window")).to_have_text("13号窗口")
    # missed: the clerk marks the no-show, the phone offers the way back
    assert clerk.post(f"{base}{API}/windows/W13/no-show", timeout=10).ok
    expect(p.locator("#rejoin-card")).to_be_visible()
    expect(p.locator("#gone")).to_be_hidden()
    p.locator("#rejoin-btn").click()
    expect(p.locator("#moves-msg")).to_contain_text("已重新排队")
    expect(p.locator("#t-status")).to_have_text("排队中")
    expect(p.locator("#t-number")).to_have_text("F001")
    expect(p.locator("#rejoin-card")).to_be_hidden()
    r = clerk.post(f"{base}{API}/windows/W13/call-next", timeout=10).json()
    assert r["ticket"]["number"] == "F001"  # nobody else waits: called again at once
    expect(p.locator("#called")).to_be_visible()
    # the manager's statistics count them
    boss = page_factory(base, (1600, 900))
    assert boss.request.post(f"{base}{API}/auth/login",
                             data={"username": "manager", "password": PASSWORD}).ok
    boss.goto("/manage/demo/stats")
    for stat, n in (("mobile_issued", "1"), ("postponed", "1"), ("rejoined", "1")):
        expect(boss.locator(f"[data-stat={stat}] b")).to_have_text(n)


def test_the_phone_page_in_english_and_its_poster(live, page_factory):
    base = live.url
    p = phone(page_factory, base, "/m/demo?lang=en")
    expect(p.locator(".m-sub")).to_have_text("Take a ticket by phone")
    p.locator(".m-row[data-service=hukou]").click()
    p.locator("#m-take").click()
    p.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]+\?lang=en$"))
    expect(p.locator("#t-number")).to_have_text("F001")
    # back on the taking page: it leads to the ticket already taken
    p.goto("/m/demo?lang=en")
    expect(p.locator("#mine")).to_contain_text("F001")
    poster = page_factory(base)
    poster.goto("/m/demo/poster")
    expect(poster.locator("#poster-url")).to_have_text(f"{base}/m/demo")
    expect(poster.locator("#poster-qr svg")).to_be_visible()
