"""找业务 at the kiosk (the on-screen letter keyboard's search, a guided question path), each
ending in a printed ticket; 办件进度 on the ticket page, live, with its 出件 ticket; and the
phone page's search and case look-up."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from queue_server import cli
from tests.browser.test_manage import manager_page
from tests.browser.test_pages_flow import clerk_session
from tests.helpers import login

pytestmark = pytest.mark.browser
ID = "11010519491231002X"


def test_the_kiosk_search_with_the_letter_keyboard_ends_in_a_ticket(live, page_factory):
    clerk_session(live.url, "clerk09", "W09")  # W09 takes 公积金提取
    kiosk = page_factory(live.url, (1080, 1920))
    kiosk.goto("/kiosk/demo")
    kiosk.click("#guide-start")
    for key in "gjj":
        kiosk.click(f"#guide-keys [data-key={key}]")
    expect(kiosk.locator("#guide-q")).to_have_value("gjj")
    first = kiosk.locator("#guide-results .guide-hit").first
    expect(first).to_have_text("公积金提取")
    first.click()
    expect(kiosk.locator("#confirm-service")).to_have_text("公积金提取")
    kiosk.click("#take")
    expect(kiosk.locator("#slip-number")).to_have_text(re.compile(r"^D\d{3}$"))
    expect(kiosk.locator("#slip-service")).to_have_text("公积金提取")
    # a hardware keyboard types Chinese into the same field; a miss is counted for the manager
    kiosk.click("[data-action=done]")
    kiosk.click("#guide-start")
    counted = lambda r: "/guide?q=" in r.url and "live=1" not in r.url  # noqa: E731
    with kiosk.expect_response(counted):  # the search it settles on, after a pause
        kiosk.fill("#guide-q", "办护照")
    expect(kiosk.locator("#guide-results .guide-none")).to_be_visible()
    s = requests.Session()
    login(s, live.url, "manager")
    stats = s.get(f"{live.url}/api/v1/halls/demo/guide/stats", timeout=10).json()
    assert stats["missing"] == [{"term": "办护照", "n": 1}]
    assert [(c["service"], c["via"]) for c in stats["choices"]] == [("fund", "search")]


def test_a_guided_question_path_ends_in_a_ticket(live, page_factory):
    clerk_session(live.url, "clerk08", "W08")  # W08 takes 医保报销与异地备案
    kiosk = page_factory(live.url, (1080, 1920))
    kiosk.goto("/kiosk/demo")
    kiosk.click("#guide-start")
    kiosk.click("#guide-flows [data-flow=social]")
    expect(kiosk.locator("#guide-question .guide-ask")).to_have_text(
        "您是以个人身份，还是以单位（企业）身份办理？")
    kiosk.click("#guide-question [data-option='个人']")
    kiosk.click("#guide-question [data-option='看病费用报销']")
    expect(kiosk.locator("#confirm-service")).to_have_text("医保报销与异地备案")
    expect(kiosk.locator("#confirm-materials li").first).to_have_text("申请人身份证原件")
    kiosk.click("#take")
    expect(kiosk.locator("#slip-number")).to_have_text(re.compile(r"^C\d{3}$"))
    expect(kiosk.locator("#slip-service")).to_have_text("医保报销与异地备案")


def test_the_ticket_page_shows_the_case_steps_live_and_takes_the_pickup_ticket(
        live, page_factory, capsys):
    base = live.url
    assert cli.main(["--db", str(live.db), "token", "add", "approval", "--role",
                     "integration", "--hall", "demo"]) == 0
    secret = capsys.readouterr().out.strip()
    issued = requests.post(f"{base}/api/v1/halls/demo/tickets",
                           json={"service": "hukou", "id_number": ID}, timeout=10).json()
    clerk = clerk_session(base, "clerk12", "W13")
    w = f"{base}/api/v1/windows/W13"
    assert clerk.post(f"{w}/call-next", timeout=10).json()["ticket"]["number"] == issued[
        "ticket"]["number"]
    clerk.post(f"{w}/start", timeout=10).raise_for_status()
    clerk.post(f"{w}/finish", timeout=10).raise_for_status()

    def step(status: str) -> None:
        r = requests.post(f"{base}/api/v1/halls/demo/cases", timeout=10,
                          headers={"Authorization": f"Bearer {secret}"},
                          json={"case_no": "SP100", "ticket": issued["ticket"]["number"],
                                "status": status, "id_number": ID})
        assert r.status_code in (200, 201), r.text

    step("accepted")
    phone = page_factory(base, (390, 844), is_mobile=True, has_touch=True)
    phone.goto(f"/t/{issued['token']}")
    steps = phone.locator("#cases .case-step .case-step-name")
    expect(steps).to_have_text(["受理"])
    step("in_review")
    step("approved")
    step("ready")  # heard live: no reload
    expect(steps).to_have_text(["受理", "审查", "办结", "待领取"])
    phone.click("#cases .case-collect")
    expect(phone.locator("#t-number")).to_have_text(re.compile(r"^L\d{3}$"))
    # the phone page's look-up finds the same case, now with its 出件 number
    phone.goto("/m/demo")
    phone.click("#m-case-card summary")
    phone.fill("#m-case-no", "SP100")
    phone.fill("#m-case-id", "123456")
    phone.click("#m-case-submit")
    expect(phone.locator("#m-case-error")).to_have_text(
        "未查到该办件，请核对办件编号和身份证号后六位")
    phone.fill("#m-case-id", ID[-6:].lower())
    phone.click("#m-case-submit")
    expect(phone.locator("#m-case .case-step-name")).to_have_text(["受理", "审查", "办结",
                                                                   "待领取"])
    expect(phone.locator("#m-case .case-taken")).to_have_text(re.compile(r"已取出件号 L\d{3}"))


def test_the_phone_search_leads_to_the_confirm_step(live, page_factory):
    clerk_session(live.url, "clerk12", "W13")
    phone = page_factory(live.url, (390, 844), is_mobile=True, has_touch=True)
    phone.goto("/m/demo")
    phone.click("#m-guide-card summary")
    phone.fill("#guide-q", "户口")
    phone.locator("#guide-results .guide-hit").first.click()
    expect(phone.locator("#m-service")).to_have_text("户籍证明与迁移")


def test_the_console_lists_missing_keywords_and_saves_new_ones(live, page_factory):
    base = live.url
    requests.get(f"{base}/api/v1/halls/demo/guide", params={"q": "办护照"}, timeout=10)
    page = manager_page(page_factory, base, "/manage/demo/guidance")
    expect(page.locator("#g-missing tbody td").first).to_have_text("办护照")
    row = page.locator("#k-table tr[data-service=hukou]")
    row.locator("textarea").fill("户口\n办护照")
    row.locator("button").click()
    expect(page.locator("#toast")).to_have_text("已保存")
    found = requests.get(f"{base}/api/v1/halls/demo/guide", timeout=10,
                         params={"q": "办护照", "live": "1"}).json()["services"]
    assert found[0]["id"] == "hukou"
    expect(page.locator("#c-days")).to_contain_text("受理至办结")


def test_the_kiosk_looks_a_ready_case_up_and_prints_its_pickup_ticket(live, page_factory,
                                                                     capsys):
    base = live.url
    assert cli.main(["--db", str(live.db), "token", "add", "approval", "--role",
                     "integration"]) == 0
    secret = capsys.readouterr().out.strip()
    issued = requests.post(f"{base}/api/v1/halls/demo/tickets",
                           json={"service": "hukou", "id_number": ID}, timeout=10).json()
    clerk = clerk_session(base, "clerk12", "W13")
    for action in ("call-next", "start", "finish"):
        clerk.post(f"{base}/api/v1/windows/W13/{action}", timeout=10).raise_for_status()
    for status in ("accepted", "approved", "ready"):
        requests.post(f"{base}/api/v1/halls/demo/cases", timeout=10,
                      headers={"Authorization": f"Bearer {secret}"},
                      json={"case_no": "SP2", "ticket": issued["ticket"]["number"],
                            "status": status, "id_number": ID}).raise_for_status()
    kiosk = page_factory(base, (1080, 1920))
    kiosk.goto("/kiosk/demo")
    kiosk.click("#case-start")
    for k in "SP2":
        kiosk.click(f"#case-keys [data-case-key='{k}']")
    kiosk.click("#case-id-field")
    for k in ID[-6:]:
        kiosk.click(f"#case-keys [data-case-key='{k}']")
    expect(kiosk.locator("#case-id")).to_have_text(ID[-6:])
    kiosk.click("#case-submit")
    expect(kiosk.locator("#case-result .case-step-name")).to_have_text(["受理", "办结",
                                                                       "待领取"])
    kiosk.click("#case-result .case-collect")
    expect(kiosk.locator("#slip-number")).to_have_text(re.compile(r"^L\d{3}$"))
    expect(kiosk.locator("#slip-service")).to_have_text("出件（证照领取）")
