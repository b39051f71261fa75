"""The kiosk's service list: each row's wait hint reads naturally in Chinese and English."""
from __future__ import annotations

import re

import requests
from playwright.sync_api import expect

from tests.browser.test_pages_flow import clerk_session, issue


def test_service_rows_say_the_wait_once(live, page_factory):
    clerk_session(live.url, "clerk01", "W01")  # one window open: the hint has an ETA
    issue(live.url, "biz-setup")
    kiosk = page_factory(live.url, (1080, 1920))
    kiosk.goto("/kiosk/demo")
    kiosk.click("[data-category=biz]")
    meta = kiosk.locator("[data-service=biz-setup] .row-meta")
    expect(meta).to_have_text(re.compile(r"^约 \d+ 分钟 · 本业务等候 1 人$"))  # not "约 约 …"
    kiosk.goto("/kiosk/demo?lang=en")
    kiosk.click("[data-category=biz]")
    expect(meta).to_have_text(re.compile(r"^about \d+ min · 1 waiting for this$"))


def test_a_service_nobody_waits_for_says_so(live, page_factory):
    """The list counts the service's own queue (what the hall screen shows); the confirm step
    gives the dispatcher's count and says it includes other services at the same windows."""
    clerk_session(live.url, "clerk01", "W01")  # W01: biz-setup, and biz-change when it helps
    for _ in range(3):
        issue(live.url, "biz-setup")
    kiosk = page_factory(live.url, (1080, 1920))
    kiosk.goto("/kiosk/demo")
    kiosk.click("[data-category=biz]")
    expect(kiosk.locator("[data-service=biz-change] .row-meta")).to_have_text(
        re.compile(r"· 本业务等候 0 人$"))
    kiosk.click("[data-service=biz-change]")
    expect(kiosk.locator("#confirm-ahead")).to_have_text("3 人")
    expect(kiosk.locator("#confirm-ahead-others")).to_have_text("含共用窗口的其他业务 3 人")
    kiosk.goto("/kiosk/demo")
    kiosk.click("[data-category=biz]")
    kiosk.click("[data-service=biz-setup]")
    expect(kiosk.locator("#confirm-ahead")).to_have_text("3 人")
    expect(kiosk.locator("#confirm-ahead-others")).to_be_hidden()


def test_the_english_kiosks_qr_opens_the_phone_page_in_english(live, page_factory):
    clerk_session(live.url, "clerk01", "W01")
    kiosk = page_factory(live.url, (1080, 1920))
    kiosk.goto("/kiosk/demo?lang=en")
    kiosk.click("[data-category=biz]")
    kiosk.click("[data-service=biz-setup]")
    kiosk.click("#take")
    expect(kiosk.locator("#slip-qr svg")).to_have_count(1)
    url = kiosk.locator("#slip-qr").get_attribute("data-url")
    assert url.endswith("?lang=en"), url
    phone = page_factory(live.url, (390, 844), is_mobile=True, has_touch=True)
    phone.goto(url.removeprefix(live.url))
    expect(phone.locator("html")).to_have_attribute("lang", "en")


def test_a_lost_answer_is_retried_into_the_same_ticket(live, page_factory):
    """The first answer never reaches the kiosk (the server issued the ticket): the kiosk
    retries with the same Idempotency-Key and shows that ticket; no second number."""
    clerk_session(live.url, "clerk01", "W01")
    # the lost answer is the one console error this page may show
    kiosk = page_factory(live.url, (1080, 1920), ignore_errors=["net::ERR_FAILED"])
    seen: list[str] = []

    def lose_the_first_answer(route):
        seen.append(route.request.headers.get("idempotency-key", ""))
        if len(seen) == 1:
            route.fetch()   # the server issues the ticket ...
            route.abort()   # ... and the answer is lost on the way back
        else:
            route.continue_()

    kiosk.route("**/api/v1/halls/demo/tickets", lose_the_first_answer)
    kiosk.goto("/kiosk/demo")
    kiosk.click("[data-category=biz]")
    kiosk.click("[data-service=biz-setup]")
    kiosk.click("#take")
    expect(kiosk.locator("#slip-number")).to_have_text("A001")
    assert len(seen) == 2
    assert seen[0]
    assert seen[0] == seen[1]
    waiting = requests.get(f"{live.url}/api/v1/halls/demo/services", timeout=10).json()
    assert {s["id"]: s["waiting"] for s in waiting["services"]}["biz-setup"] == 1
