"""The manager console in a real Chromium: the skills grid drives the next call, and a ticket
over its wait limit shows up flagged on the live monitor."""
from __future__ import annotations

import pytest
import requests

from tests.browser.conftest import wait_js
from tests.helpers import PASSWORD, ServerProcess, login

pytestmark = pytest.mark.browser


@pytest.fixture
def hall(tmp_path):
    """A live demo hall whose wait-limit checker runs every second."""
    proc = ServerProcess(tmp_path / "live.db", env={"HALLQ_ALERT_INTERVAL_S": "1"}).start()
    yield proc
    proc.kill()


def manager_page(page_factory, base: str, path: str, *viewport):
    """A console page signed in as the demo hall's manager (``viewport``: width, height)."""
    page = page_factory(base, *viewport)
    r = page.request.post(f"{base}/api/v1/auth/login",
                          data={"username": "manager", "password": PASSWORD})
    assert r.ok
    page.goto(path)
    return page


def test_skills_grid_change_drives_the_next_call(page_factory, hall):
    base = hall.url
    citizen = requests.Session()
    first = citizen.post(f"{base}/api/v1/halls/demo/tickets", json={"service": "hukou"},
                         timeout=10).json()["ticket"]["number"]
    second = citizen.post(f"{base}/api/v1/halls/demo/tickets", json={"service": "fund"},
                          timeout=10).json()["ticket"]["number"]
    clerk = requests.Session()
    login(clerk, base, "clerk01")
    assert clerk.post(f"{base}/api/v1/windows/W13/open", timeout=10).ok

    page = manager_page(page_factory, base, "/manage/demo/skills")
    hukou = page.locator('td.cell[data-window="W13"][data-service="hukou"]')
    fund = page.locator('td.cell[data-window="W13"][data-service="fund"]')
    assert hukou.get_attribute("data-weight") == "1"
    hukou.click()                       # primary -> none
    fund.click()                        # none -> secondary
    fund.click()                        # secondary -> primary
    assert page.locator('td.cell[data-window="W13"][data-service="fund"]').get_attribute(
        "data-weight") == "1"
    page.click("#save-skills")
    page.wait_for_selector("#toast.ok")
    skills = requests.get(f"{base}/api/v1/halls/demo/windows", cookies=clerk.cookies,
                          timeout=10).json()["windows"]
    assert {w["id"]: w["skills"] for w in skills}["W13"] == {"civil": 0.5, "fund": 1.0}

    # The hukou ticket came first, but W13 no longer serves hukou: it gets the fund ticket.
    r = clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=10).json()
    assert r["ticket"]["number"] == second != first
    audit = page.request.get(f"{base}/api/v1/halls/demo/audit?action=window_skills").json()
    assert [(e["actor"], e["window"]) for e in audit["events"]] == [("manager", "W13")]


def test_ticket_over_its_limit_is_flagged_live(page_factory, hall):
    base = hall.url
    page = manager_page(page_factory, base, "/manage/demo")
    page.wait_for_selector('#services-table tr[data-service="hukou"]')
    assert page.locator("#overdue-list li").count() == 0
    r = page.request.patch(f"{base}/api/v1/halls/demo/services/hukou",
                           data={"wait_limit_s": 2})
    assert r.ok
    number = requests.post(f"{base}/api/v1/halls/demo/tickets", json={"service": "hukou"},
                           timeout=10).json()["ticket"]["number"]
    # Flagged by the pushed alert.wait (the monitor's own periodic refetch is 30 s away).
    flag = page.wait_for_selector(f'#overdue-list li.overdue[data-number="{number}"]',
                                  timeout=10000)
    assert number in flag.inner_text()
    page.wait_for_selector('#services-table tr.over[data-service="hukou"]', timeout=10000)
    # the alert is on record once, readable in the audit log
    audit = manager_page(page_factory, base, "/manage/demo/audit?lang=en")
    wait_js(audit, "document.querySelector('#audit-table tbody tr[data-action=\"wait_alert\"]')")
    rows = audit.locator('#audit-table tbody tr[data-action="wait_alert"]')
    assert rows.count() == 1
    assert rows.first.locator("td.action").inner_text() == "Wait-limit alert"
    summary = rows.first.locator("td.detail .summary").inner_text()
    assert number in summary
    assert "(limit 00:02)" in summary


def test_console_pages_load_without_errors_in_both_languages(page_factory, hall):
    for path in ("/manage/demo", "/manage/demo/skills", "/manage/demo/stats",
                 "/manage/demo/audit", "/manage/demo/settings", "/manage/demo/advice"):
        for lang in ("", "?lang=en"):
            page = manager_page(page_factory, hall.url, path + lang)
            page.wait_for_load_state("networkidle")
            title = page.locator(".manage-nav a.active").inner_text()
            assert title
            assert (("监控" in title or "矩阵" in title or "统计" in title
                               or "审计" in title or "设置" in title or "建议" in title)
                              if not lang else title.isascii())


def test_audit_shows_action_labels_newest_first(page_factory, hall):
    base = hall.url
    number = requests.post(f"{base}/api/v1/halls/demo/tickets", json={"service": "hukou"},
                           timeout=10).json()["ticket"]["number"]
    for lang, label, signed_in, badge in (
            ("", "取号", "登录", "审计链完整"), ("?lang=en", "Ticket issued", "Signed in",
                                          "Audit chain intact")):
        page = manager_page(page_factory, base, "/manage/demo/audit" + lang)
        wait_js(page, "document.querySelector('#audit-table tbody tr')")
        first = page.locator("#audit-table tbody tr").first
        # newest first: the manager's own sign-in, then the ticket issued before it
        assert first.get_attribute("data-action") == "login"
        assert first.locator("td.action").inner_text() == signed_in
        issued = page.locator('#audit-table tbody tr[data-action="issue"]').first
        assert issued.locator("td.action").inner_text() == label
        assert number in issued.locator("td.detail .summary").inner_text()
        assert page.locator('#a-action option[value="issue"]').inner_text() == label
        wait_js(page, "!document.getElementById('chain-badge').hidden")
        assert page.locator("#chain-badge").inner_text().startswith(badge)
        page.click("#sort")
        assert page.locator("#audit-table tbody tr").first.get_attribute("data-action") != "login"


def test_skills_cells_show_their_weight_with_a_legend_and_unsaved_edits_ask(page_factory, hall):
    """Not colour alone: each cell shows its weight (0.3 reads 0.3, 1 reads ●), a legend
    says what they mean, and leaving with unsaved edits asks first."""
    base = hall.url
    boss = requests.Session()
    login(boss, base, "manager")
    assert boss.put(f"{base}/api/v1/windows/W13/skills",
                    json={"skills": {"hukou": 1, "fund": 0.3}}, timeout=10).ok
    page = manager_page(page_factory, base, "/manage/demo/skills")
    cell = 'td.cell[data-window="W13"][data-service="{}"]'
    page.wait_for_selector(cell.format("fund"))
    assert page.locator(cell.format("fund")).inner_text() == "0.3"
    assert page.locator(cell.format("hukou")).inner_text() == "●"
    assert "主办" in page.locator("#skills-legend").inner_text()
    page.locator(cell.format("civil")).click()  # an edit, not saved
    with page.expect_event("dialog") as asked:
        page.evaluate("setTimeout(() => { location.href = '/manage/demo'; })")  # leaving
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # stay
    assert page.url.endswith("/manage/demo/skills")
