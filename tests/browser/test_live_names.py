"""Live updates in real Chromium: a renamed category reaches the hall screen without a reload,
and the monitor's one subscription brings one snapshot."""
from __future__ import annotations

import pytest
import requests

from tests.browser.conftest import wait_js
from tests.browser.test_manage import hall, manager_page  # noqa: F401  (fixture)
from tests.browser.test_pages_flow import open_hall_screen
from tests.helpers import login

pytestmark = pytest.mark.browser


def test_renamed_category_reaches_the_hall_screen(page_factory, hall):  # noqa: F811
    base = hall.url
    screen = open_hall_screen(page_factory, base)
    cell = screen.locator('#waiting [data-category="biz"] .w-name')
    assert cell.inner_text() != "企业开办专区"
    mgr = requests.Session()
    login(mgr, base, "manager")
    r = mgr.patch(f"{base}/api/v1/halls/demo/categories/biz", json={"name": "企业开办专区"},
                  timeout=10)
    assert r.ok, r.text
    wait_js(screen, """document.querySelector('#waiting [data-category="biz"] .w-name')
                       .textContent === '企业开办专区'""", timeout=10000)


def test_monitor_gets_one_snapshot(page_factory, hall):  # noqa: F811
    base = hall.url
    frames: list[str] = []
    page = page_factory(base)
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda f: frames.append(f if isinstance(f, str) else "")))
    page = manager_page(lambda _base: page, base, "/manage/demo")
    page.wait_for_selector('#services-table tr[data-service="hukou"]')
    page.wait_for_timeout(1500)
    assert sum(f.startswith('42["snapshot"') for f in frames) == 1
