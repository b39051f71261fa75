"""The kiosk's service list: each row's wait hint reads naturally in Chinese and English."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_pages_flow import clerk_session, issue


def test_service_rows_say_the_wait_once(live, page_factory):
    clerk_session(live.url, "clerk01", "W01")  # one window open: the hint has an ETA
    issue(live.url, "biz-setup")
    kiosk = page_factory(live.url, (1080, 1920))
    kiosk.goto("/kiosk/demo")
    kiosk.click("[data-category=biz]")
    meta = kiosk.locator("[data-service=biz-setup] .row-meta")
    expect(meta).to_have_text(re.compile(r"^约 \d+ 分钟 · 前面 1 人$"))  # not "约 约 …"
    kiosk.goto("/kiosk/demo?lang=en")
    kiosk.click("[data-category=biz]")
    expect(meta).to_have_text(re.compile(r"^about \d+ min · 1 ahead$"))


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
