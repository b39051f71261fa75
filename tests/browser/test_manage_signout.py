"""The manager console: signing out from any page, and messages that stay in view."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.helpers import PASSWORD


def test_sign_out_from_the_console_header(live, page_factory):
    page = page_factory(live.url, (1366, 768))
    assert page.request.post(f"{live.url}/api/v1/auth/login",
                             data={"username": "manager", "password": PASSWORD}).ok
    page.goto("/manage/demo/settings")
    page.locator("#ed-users").scroll_into_view_if_needed()
    page.locator("#ed-users tbody tr").last.locator("button").click()  # an empty new user
    toast = page.locator("#toast.error")
    expect(toast).to_be_visible()
    expect(toast).to_be_in_viewport()  # not 400 px above the scrolled page
    page.click("#logout")
    expect(page.locator("#login-form")).to_be_visible()
    assert page.request.get(f"{live.url}/api/v1/auth/me").status == 401
