"""Supervision in a real Chromium: the 好差评 list, a rectification case taken from the bad
rating to its close (the citizen's open page shows the answer as it is given), and the clerk's
办理超时 warning against the service's norm."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import wait_js
from tests.browser.test_manage import manager_page as console_page
from tests.helpers import PASSWORD, ServerProcess, login

pytestmark = pytest.mark.browser


@pytest.fixture
def hall(tmp_path):
    """A live demo hall whose supervision checks run every second."""
    proc = ServerProcess(tmp_path / "live.db", env={"HALLQ_ALERT_INTERVAL_S": "1"}).start()
    yield proc
    proc.kill()


def served_and_rated(base: str, clerk: requests.Session, score: int,
                     reason: str | None = None) -> dict:
    t = requests.post(f"{base}/api/v1/halls/demo/tickets", json={"service": "hukou"},
                      timeout=10).json()
    assert clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=10).ok
    assert clerk.post(f"{base}/api/v1/windows/W13/finish", timeout=10).ok
    body = {"score": score, **({"reason": reason} if reason else {})}
    r = requests.post(f"{base}/api/v1/tickets/{t['token']}/rating", json=body, timeout=10)
    assert r.status_code == 201, r.text
    return t


def manager_page(page_factory, base: str, path: str):
    return console_page(page_factory, base, path, (1600, 900))


def test_rating_list_and_a_rectification_case_to_its_close(page_factory, hall):
    base = hall.url
    clerk = requests.Session()
    login(clerk, base, "clerk01")
    assert clerk.post(f"{base}/api/v1/windows/W13/open", timeout=10).ok
    good = served_and_rated(base, clerk, 5)
    bad = served_and_rated(base, clerk, 1, "态度差")

    citizen = page_factory(base, (390, 844))
    citizen.goto(f"/t/{bad['token']}")
    expect(citizen.locator("#rect-card")).to_be_visible()
    expect(citizen.locator("#rect-pending")).to_be_visible()  # passed on, not answered yet

    page = manager_page(page_factory, base, "/manage/demo/ratings")
    wait_js(page, "document.body.dataset.ready === '1'")
    rows = page.locator("#r-table tbody tr")
    expect(rows).to_have_count(2)
    bad_row = page.locator(f'#r-table tr[data-ticket="{bad["ticket"]["id"]}"]')
    expect(bad_row).to_have_class("bad")
    expect(bad_row).to_contain_text(bad["ticket"]["number"])
    expect(bad_row).to_contain_text("非常不满意")
    expect(bad_row).to_contain_text("态度差")
    expect(bad_row).to_contain_text("工作人员01")
    expect(bad_row.locator("td.case")).to_have_text("待指派")
    expect(page.locator(f'#r-table tr[data-ticket="{good["ticket"]["id"]}"] td.case')) \
        .to_have_text("")
    # the score filter
    page.select_option("#r-score", "1")
    page.click("#r-form button[type=submit]")
    expect(rows).to_have_count(1)
    expect(page.locator("#r-page")).to_contain_text("共 1 条")
    href = page.locator("#r-export").get_attribute("href")
    assert "format=csv" in href
    assert "score=1" in href
    export = page.request.get(base + href)
    assert export.ok
    text = export.body().decode("utf-8")
    assert text.startswith("\ufeff评价编号,票号,评价等级")
    assert bad["ticket"]["number"] in text
    assert good["ticket"]["number"] not in text

    case = page.locator("#c-table tbody tr").first
    expect(case).to_contain_text(bad["ticket"]["number"])
    case.locator("select.c-owner").select_option("clerk02")
    case.locator('button[data-step="assign"]').click()
    expect(page.locator("#c-table td.c-status").first).to_have_attribute("data-status",
                                                                       "assigned")
    case = page.locator("#c-table tbody tr").first
    case.locator("textarea.c-response").fill("您好，已对窗口人员批评教育，感谢监督。")
    case.locator('button[data-step="answer"]').click()
    expect(page.locator("#c-table td.c-status").first).to_have_attribute("data-status",
                                                                       "answered")
    # the citizen's page, open all along, shows the answer
    expect(citizen.locator("#rect-response")).to_have_text("您好，已对窗口人员批评教育，感谢监督。")
    expect(citizen.locator("#rect-pending")).to_be_hidden()

    case = page.locator("#c-table tbody tr").first
    case.locator("input.c-outcome").fill("约谈当事人，增加引导人员")
    case.locator('button[data-step="close"]').click()
    expect(page.locator("#c-table tbody tr")).to_have_count(0)  # the list shows open cases
    page.select_option("#c-status", "closed")
    closed = page.locator("#c-table tbody tr").first
    expect(closed.locator("td.c-status")).to_have_attribute("data-status", "closed")
    expect(closed.locator('button[data-step="answer"]')).to_be_disabled()
    expect(citizen.locator("#rect-meta")).to_contain_text("整改已办结")
    audit = page.request.get(f"{base}/api/v1/halls/demo/audit").json()["events"]
    assert [e["action"] for e in audit if e["action"].startswith("rectification_")] == [
        "rectification_open", "rectification_assign", "rectification_answer",
        "rectification_close"]


def test_the_clerks_overtime_warning(page_factory, hall):
    base = hall.url
    manager = requests.Session()
    login(manager, base, "manager")
    # a norm of 4 s with the warning at half of it: amber at 2 s, red past 4 s
    assert manager.patch(f"{base}/api/v1/halls/demo/services/hukou",
                         json={"service_limit_s": 4}, timeout=10).ok
    assert manager.put(f"{base}/api/v1/halls/demo/supervision",
                       json={"overtime_warn_pct": 50}, timeout=10).ok
    number = requests.post(f"{base}/api/v1/halls/demo/tickets", json={"service": "hukou"},
                           timeout=10).json()["ticket"]["number"]

    page = page_factory(base, (1366, 768))
    page.goto("/clerk")
    page.fill("#username", "clerk01")
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.click("[data-window=W13]")
    expect(page.locator("#hdr-status")).to_have_text("关闭")  # the window's work view is up
    page.keyboard.press("o")
    expect(page.locator('[data-act="call-next"]')).not_to_have_class(re.compile(r"\bna\b"))
    page.keyboard.press("n")
    expect(page.locator("#cur-number")).to_have_text(number)
    expect(page.locator("#overtime")).to_be_hidden()
    page.keyboard.press("s")
    expect(page.locator("#t-norm")).to_contain_text("0:04")
    box = page.locator("#overtime")
    expect(box).to_have_attribute("data-level", "warn", timeout=10000)
    expect(box).to_contain_text("50%")
    expect(page.locator("#t-serve")).to_have_class(re.compile(r"\bwarn\b"))
    expect(box).to_have_attribute("data-level", "over", timeout=10000)
    expect(box).to_contain_text("已超过办理时限")
    # the managers' alert, once, on record
    for _ in range(100):
        events = manager.get(f"{base}/api/v1/halls/demo/audit?action=service_overtime",
                             timeout=10).json()["events"]
        if events:
            break
        page.wait_for_timeout(100)
    assert [e["number"] for e in events] == [number]
    page.keyboard.press("f")
    page.keyboard.press("1")  # the outcome (办结): finish asks for one since the hold kinds
    expect(box).to_be_hidden()
