"""Clerk terminal polish: the window picker (services, state, "already signed in"), a confirm
dialog before no-show and close (Enter confirms, Esc cancels), the priority badge."""
from __future__ import annotations

import re

import requests
from playwright.sync_api import expect

from tests.helpers import PASSWORD, login

NA = re.compile(r"\bna\b")


def sign_in(page, user: str = "clerk01") -> None:
    page.goto("/clerk")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")


def test_picker_shows_services_state_and_where_you_are_signed_in(live, page_factory):
    s = requests.Session()
    login(s, live.url, "clerk01")
    s.post(f"{live.url}/api/v1/windows/W01/open", timeout=10).raise_for_status()
    clerk = page_factory(live.url, (1366, 768))
    sign_in(clerk)
    w01 = clerk.locator("[data-window=W01]")
    expect(w01.locator(".ws")).to_have_text("开放 · 您")
    expect(w01.locator(".skills li.primary").first).to_contain_text("主办")
    expect(clerk.locator("[data-window=W02] .ws")).to_have_text("关闭")
    expect(clerk.locator("#signed-elsewhere")).to_contain_text("您已登录 1号窗口")
    clerk.click("#back-to-window")
    expect(clerk.locator("#hdr-window")).to_have_text("· 1号窗口")


def test_priority_badge_and_confirm_before_no_show_and_close(live, page_factory):
    requests.post(f"{live.url}/api/v1/halls/demo/tickets",
                  json={"service": "biz-setup", "channel": "kiosk", "priority": 1},
                  timeout=10).raise_for_status()
    clerk = page_factory(live.url, (1366, 768))
    sign_in(clerk)
    clerk.click("[data-window=W01]")
    expect(clerk.locator("#hdr-status")).to_have_text("关闭")
    clerk.keyboard.press("o")
    expect(clerk.locator('[data-act="call-next"]')).not_to_have_class(NA)
    expect(clerk.locator("#cur-priority")).to_be_hidden()
    clerk.keyboard.press("n")
    expect(clerk.locator("#cur-priority")).to_have_text("优先 · 请核验证件")
    expect(clerk.locator('[data-act="no-show"]')).not_to_have_class(NA)

    dlg = clerk.locator("#dlg")
    clerk.keyboard.press("x")  # Esc cancels: nothing is sent
    expect(dlg).to_be_visible()
    expect(clerk.locator("#dlg-title")).to_contain_text("过号")
    clerk.keyboard.press("Escape")
    expect(dlg).to_be_hidden()
    assert not any("/no-show" in u for u in clerk.record.requests)
    expect(clerk.locator("#cur-number")).not_to_have_text("—")

    clerk.keyboard.press("x")  # Enter confirms
    expect(dlg).to_be_visible()
    clerk.keyboard.press("Enter")
    expect(clerk.locator("#cur-number")).to_have_text("—")
    expect(clerk.locator("#cur-priority")).to_be_hidden()
    assert sum("/no-show" in u for u in clerk.record.requests) == 1

    clerk.keyboard.press("c")
    expect(dlg).to_be_visible()
    clerk.keyboard.press("Escape")
    expect(clerk.locator("#hdr-status")).not_to_have_text("关闭")
    clerk.keyboard.press("c")
    clerk.keyboard.press("Enter")
    expect(clerk.locator("#hdr-status")).to_have_text("关闭")
