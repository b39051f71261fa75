"""A clerk cannot step into a window another clerk is signed into: the picker shows who has
it and will not open it, and a window remembered from yesterday that someone else took opens
the picker instead of a workspace that fails at the first action (from the first-week issue)."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_pages_flow import clerk_session


def sign_in(page, user: str) -> None:
    page.fill("#username", user)
    page.fill("#password", "test-pass-123")
    page.click("#login-form button[type=submit]")


def test_a_window_in_use_by_another_clerk_is_not_offered(live, page_factory):
    clerk_session(live.url, "clerk01", "W01")  # clerk01 signed into W01 (opened it)
    page = page_factory(live.url, (1366, 768))
    page.goto("/clerk")
    page.evaluate("localStorage.setItem('hallq.window', 'W01')")  # clerk02 sat there before
    page.reload()
    sign_in(page, "clerk02")
    expect(page.locator("#pick")).to_be_visible()
    expect(page.locator("#work")).to_be_hidden()
    taken = page.locator("[data-window=W01]")
    expect(taken).to_be_disabled()
    expect(taken).to_have_attribute("title", "工作人员01 正在使用此窗口")
    free = page.locator("[data-window=W02]")
    expect(free).to_be_enabled()
    free.click()
    expect(page.locator("#work")).to_be_visible()
