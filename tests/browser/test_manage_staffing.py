"""The console's staffing page in a real Chromium: tomorrow's plan hour by hour, and today's
hour against what is open now."""
from __future__ import annotations

import pytest
import requests

from tests.browser.test_manage import manager_page
from tests.helpers import ServerProcess, login

pytestmark = pytest.mark.browser


def test_the_console_shows_the_plan_and_this_hour(tmp_path, page_factory):
    server = ServerProcess(tmp_path / "live.db")
    server.cmd += ["--history", "6"]
    server.start()
    try:
        page = manager_page(page_factory, server.url, "/manage/demo/staffing")
        page.wait_for_selector("#staffing-hours tbody tr", timeout=60000)
        assert page.locator(".manage-nav a.active").inner_text() == "人员排班"
        assert page.locator("#staffing-hours tbody tr").count() >= 8
        assert "窗口·小时" in page.locator("#staffing-window-hours").inner_text()
        assert page.locator("#staffing-now").is_hidden()
        clerk = requests.Session()
        login(clerk, server.url, "clerk01")
        assert clerk.post(f"{server.url}/api/v1/windows/W01/open", timeout=10).ok
        page.click("#staffing-today")
        page.wait_for_selector("#staffing-now:not([hidden])", timeout=60000)
        assert page.locator("#now-open").inner_text() == "W01"
    finally:
        server.kill()
